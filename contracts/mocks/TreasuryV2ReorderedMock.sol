// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";

/// @dev Test-only. A deliberately unsafe next Treasury version: its namespace lists V1's two fields in the other
/// order, so after an upgrade every amount received would read as spent. It exists so that a test can show
/// OpenZeppelin's upgrade validator refusing it; `npm run upgrades:check` leaves it out of the project's check.
/// @custom:oz-upgrades-from Treasury
contract TreasuryV2ReorderedMock is ProtocolUpgradeable {
    /// @custom:storage-location erc7201:starminer.storage.Treasury
    struct TreasuryStorage {
        mapping(IERC20 token => uint256 amount) totalSpent;
        mapping(IERC20 token => uint256 amount) totalReceived;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.Treasury")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _TREASURY_STORAGE = 0x5ff27d0ba5ffa095d7d76f0a59e916e7bbe6c504fc783a0eaf09189065060600;

    /// @dev A reinitializer: V1 initialized the parents, so it calls none of their initializers again.
    /// @custom:oz-upgrades-validate-as-initializer
    /// @custom:oz-upgrades-unsafe-allow missing-initializer-call
    function initializeV2() external reinitializer(2) {}

    function totalReceived(IERC20 token) external view returns (uint256) {
        return _treasuryStorage().totalReceived[token];
    }

    function _treasuryStorage() private pure returns (TreasuryStorage storage $) {
        assembly {
            $.slot := _TREASURY_STORAGE
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";

/// @dev Test-only. A next Treasury version, written as an upgrade is: the same ERC-7201 namespace with one field
/// appended (the only safe way to extend it), reading the old fields where V1 left them. OpenZeppelin's upgrade
/// validator compares its layout with Treasury's (`npm run upgrades:check`).
/// @custom:oz-upgrades-from Treasury
contract TreasuryV2Mock is ProtocolUpgradeable {
    /// @custom:storage-location erc7201:starminer.storage.Treasury
    struct TreasuryStorage {
        mapping(IERC20 token => uint256 amount) totalReceived;
        mapping(IERC20 token => uint256 amount) totalSpent;
        uint256 marker;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.Treasury")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _TREASURY_STORAGE = 0x5ff27d0ba5ffa095d7d76f0a59e916e7bbe6c504fc783a0eaf09189065060600;

    /// @notice Runs once, in the upgrade's own call (`upgradeToAndCall`), and never again.
    /// @dev A reinitializer: V1 initialized the parents, so it calls none of their initializers again.
    /// @custom:oz-upgrades-validate-as-initializer
    /// @custom:oz-upgrades-unsafe-allow missing-initializer-call
    function initializeV2(uint256 marker_) external reinitializer(2) {
        _treasuryStorage().marker = marker_;
    }

    function version() external pure returns (string memory) {
        return "2";
    }

    function setMarker(uint256 marker_) external restricted {
        _treasuryStorage().marker = marker_;
    }

    function marker() external view returns (uint256) {
        return _treasuryStorage().marker;
    }

    function totalReceived(IERC20 token) external view returns (uint256) {
        return _treasuryStorage().totalReceived[token];
    }

    function totalSpent(IERC20 token) external view returns (uint256) {
        return _treasuryStorage().totalSpent[token];
    }

    function _treasuryStorage() private pure returns (TreasuryStorage storage $) {
        assembly {
            $.slot := _TREASURY_STORAGE
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Treasury} from "../treasury/Treasury.sol";

/// @dev Test-only. A next Treasury version for upgrade tests. It extends the Treasury's ERC-7201 struct the only safe way,
/// by appending a field, and reads the old fields through the extended struct to prove they are where they were.
contract TreasuryV2Mock is Treasury {
    /// @custom:storage-location erc7201:starminer.storage.Treasury
    struct TreasuryStorageV2 {
        mapping(IERC20 token => uint256 amount) totalReceived;
        mapping(IERC20 token => uint256 amount) totalSpent;
        uint256 marker;
    }

    bytes32 private constant _TREASURY_STORAGE = 0x5ff27d0ba5ffa095d7d76f0a59e916e7bbe6c504fc783a0eaf09189065060600;

    function version() external pure returns (string memory) {
        return "2";
    }

    function setMarker(uint256 marker_) external {
        _storageV2().marker = marker_;
    }

    function marker() external view returns (uint256) {
        return _storageV2().marker;
    }

    function receivedThroughV2Layout(IERC20 token) external view returns (uint256) {
        return _storageV2().totalReceived[token];
    }

    function spentThroughV2Layout(IERC20 token) external view returns (uint256) {
        return _storageV2().totalSpent[token];
    }

    function _storageV2() private pure returns (TreasuryStorageV2 storage $) {
        assembly {
            $.slot := _TREASURY_STORAGE
        }
    }
}

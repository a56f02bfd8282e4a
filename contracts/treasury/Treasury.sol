// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";

/// @title Treasury
/// @notice The protocol's fee vault. Fees flow in from settlement; funds flow out only on governance's word.
contract Treasury is ProtocolUpgradeable, ReentrancyGuardTransient, ITreasury {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.Treasury
    struct TreasuryStorage {
        mapping(IERC20 token => uint256 amount) totalReceived;
        mapping(IERC20 token => uint256 amount) totalSpent;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.Treasury")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _TREASURY_STORAGE = 0x5ff27d0ba5ffa095d7d76f0a59e916e7bbe6c504fc783a0eaf09189065060600;

    function _treasuryStorage() private pure returns (TreasuryStorage storage $) {
        assembly {
            $.slot := _TREASURY_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    function initialize(address authority) external initializer {
        __ProtocolUpgradeable_init(authority);
    }

    // ---------------------------------------------------------------------------------------------
    // Money in and out
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ITreasury
    function receiveFee(IERC20 token, uint256 amount, bytes32 reason) external nonReentrant {
        if (address(token) == address(0)) revert TreasuryZeroAddress();
        if (amount == 0) revert TreasuryZeroAmount();
        _treasuryStorage().totalReceived[token] += amount;
        emit FeeReceived(address(token), msg.sender, amount, reason);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ITreasury
    function spend(
        IERC20 token,
        address to,
        uint256 amount,
        bytes32 ref
    ) external restricted whenNotPaused nonReentrant {
        if (address(token) == address(0) || to == address(0)) revert TreasuryZeroAddress();
        if (amount == 0) revert TreasuryZeroAmount();
        uint256 available = token.balanceOf(address(this));
        if (amount > available) revert TreasuryInsufficientBalance(address(token), amount, available);
        _treasuryStorage().totalSpent[token] += amount;
        emit FundsSpent(address(token), to, amount, ref);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ITreasury
    function totalReceived(IERC20 token) external view returns (uint256) {
        return _treasuryStorage().totalReceived[token];
    }

    /// @inheritdoc ITreasury
    function totalSpent(IERC20 token) external view returns (uint256) {
        return _treasuryStorage().totalSpent[token];
    }
}

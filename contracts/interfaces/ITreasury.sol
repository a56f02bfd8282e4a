// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ITreasury
/// @notice Holds the protocol's fees. Anyone may pay a fee in; only an authorized caller (governance, through
/// the Timelock) may spend, and only while the treasury is not paused.
interface ITreasury {
    /// @notice A token or recipient address was the zero address.
    error TreasuryZeroAddress();

    /// @notice An amount of zero was given.
    error TreasuryZeroAmount();

    /// @notice A spend asked for more than the treasury holds of that token.
    /// @param token The token asked for.
    /// @param requested The amount asked for.
    /// @param available The treasury's balance of `token`.
    error TreasuryInsufficientBalance(address token, uint256 requested, uint256 available);

    /// @notice A fee was paid into the treasury.
    /// @param token The token paid.
    /// @param payer Whose tokens were pulled.
    /// @param amount The amount received.
    /// @param reason A short tag of where the fee comes from (e.g. `keccak256("job.settlement")`).
    event FeeReceived(address indexed token, address indexed payer, uint256 amount, bytes32 indexed reason);

    /// @notice Funds left the treasury on an authorized call.
    /// @param token The token paid out.
    /// @param to The recipient.
    /// @param amount The amount paid.
    /// @param ref What the payment is for (e.g. the id of the proposal that approved it).
    event FundsSpent(address indexed token, address indexed to, uint256 amount, bytes32 indexed ref);

    /// @notice Pulls `amount` of `token` from the caller into the treasury.
    /// @dev Needs an allowance from the caller. Works while paused: fees must always be able to arrive.
    function receiveFee(IERC20 token, uint256 amount, bytes32 reason) external;

    /// @notice Pays `amount` of `token` to `to`.
    /// @dev Restricted (governance). Reverts while paused.
    function spend(IERC20 token, address to, uint256 amount, bytes32 ref) external;

    /// @notice Everything received through {receiveFee} in `token`, ever.
    function totalReceived(IERC20 token) external view returns (uint256);

    /// @notice Everything paid out through {spend} in `token`, ever.
    function totalSpent(IERC20 token) external view returns (uint256);
}

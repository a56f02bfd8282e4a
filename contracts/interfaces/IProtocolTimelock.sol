// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProtocolTimelock
/// @notice What StarMiner's Timelock adds to OpenZeppelin's TimelockController: bounds on its delay, so that a
/// proposal cannot take the delay to zero (changes at once) nor so far that governance is locked out.
interface IProtocolTimelock {
    /// @notice The delay was set outside [MIN_DELAY, MAX_DELAY].
    error TimelockDelayOutOfBounds(uint256 delay, uint256 min, uint256 max);

    function MIN_DELAY() external view returns (uint256);
    function MAX_DELAY() external view returns (uint256);
}

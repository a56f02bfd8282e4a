// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAMAXGovernor
/// @notice What StarMiner's Governor adds to OpenZeppelin's: bounds on its own settings. AMAX holders propose and
/// vote (simple counting, votes read on AMAX's timestamp clock, a quorum as a fraction of the supply); a passed
/// proposal is queued in the Timelock and executed after its delay. Settings can only be changed by a proposal,
/// and only within the bounds below.
interface IAMAXGovernor {
    /// @notice A setting was given a value outside its bounds.
    error GovernorParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);

    /// @notice The shortest and longest delay between a proposal and the start of its vote, in seconds.
    function MIN_VOTING_DELAY() external view returns (uint256);
    function MAX_VOTING_DELAY() external view returns (uint256);

    /// @notice The shortest and longest vote, in seconds.
    function MIN_VOTING_PERIOD() external view returns (uint256);
    function MAX_VOTING_PERIOD() external view returns (uint256);

    /// @notice The least and most AMAX (in wei) a proposer must hold in votes.
    function MIN_PROPOSAL_THRESHOLD() external view returns (uint256);
    function MAX_PROPOSAL_THRESHOLD() external view returns (uint256);

    /// @notice The lowest and highest quorum, in percent of the AMAX supply.
    function MIN_QUORUM_PERCENT() external view returns (uint256);
    function MAX_QUORUM_PERCENT() external view returns (uint256);
}

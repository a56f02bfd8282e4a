// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

import {IAMAXGovernor} from "../interfaces/IAMAXGovernor.sol";

/// @title AMAXGovernor
/// @notice AMAX holders' Governor: OpenZeppelin's Governor with settings, simple counting (for, against,
/// abstain), votes from AMAX on its timestamp clock, a quorum as a fraction of the supply, and the Timelock as
/// executor. Its settings change only by proposal and only within the bounds of {IAMAXGovernor}. It is not
/// upgradeable: a new Governor is deployed and given the Timelock's proposer role by a proposal of the old one.
contract AMAXGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    IAMAXGovernor
{
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MIN_VOTING_DELAY = 1 hours;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MAX_VOTING_DELAY = 14 days;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MIN_VOTING_PERIOD = 1 days;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MAX_VOTING_PERIOD = 30 days;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MIN_PROPOSAL_THRESHOLD = 1 ether;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MAX_PROPOSAL_THRESHOLD = 1_000_000 ether;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MIN_QUORUM_PERCENT = 1;
    /// @inheritdoc IAMAXGovernor
    uint256 public constant MAX_QUORUM_PERCENT = 50;

    /// @param token AMAX (its votes, on its timestamp clock).
    /// @param timelock The Timelock that executes what passes.
    /// @param initialVotingDelay Seconds from proposal to the start of voting.
    /// @param initialVotingPeriod Seconds of voting.
    /// @param initialProposalThreshold Votes (AMAX wei) a proposer needs.
    /// @param quorumPercent The quorum, in percent of the supply at the vote's start.
    constructor(
        IVotes token,
        TimelockController timelock,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumPercent
    )
        Governor("AMAX Governor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock)
    {}

    // ---------------------------------------------------------------------------------------------
    // Bounded settings
    // ---------------------------------------------------------------------------------------------

    function _setVotingDelay(uint48 newVotingDelay) internal override {
        _checkBounds("votingDelay", newVotingDelay, MIN_VOTING_DELAY, MAX_VOTING_DELAY);
        super._setVotingDelay(newVotingDelay);
    }

    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        _checkBounds("votingPeriod", newVotingPeriod, MIN_VOTING_PERIOD, MAX_VOTING_PERIOD);
        super._setVotingPeriod(newVotingPeriod);
    }

    function _setProposalThreshold(uint256 newProposalThreshold) internal override {
        _checkBounds("proposalThreshold", newProposalThreshold, MIN_PROPOSAL_THRESHOLD, MAX_PROPOSAL_THRESHOLD);
        super._setProposalThreshold(newProposalThreshold);
    }

    function _updateQuorumNumerator(uint256 newQuorumNumerator) internal override {
        _checkBounds("quorumNumerator", newQuorumNumerator, MIN_QUORUM_PERCENT, MAX_QUORUM_PERCENT);
        super._updateQuorumNumerator(newQuorumNumerator);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert GovernorParameterOutOfBounds(parameter, value, min, max);
    }

    // ---------------------------------------------------------------------------------------------
    // Overrides the base contracts require
    // ---------------------------------------------------------------------------------------------

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }

    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}

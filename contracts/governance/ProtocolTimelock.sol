// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {IProtocolTimelock} from "../interfaces/IProtocolTimelock.sol";

/// @title ProtocolTimelock
/// @notice The protocol's executor: the AccessManager's admin and the holder of the GOVERNOR role, so every
/// change governance makes waits out its delay here, in public, before it takes effect. The Governor is its only
/// proposer and canceller; anyone may execute a ready operation; it administers itself.
contract ProtocolTimelock is TimelockController, IProtocolTimelock {
    /// @inheritdoc IProtocolTimelock
    uint256 public constant MIN_DELAY = 1 hours;
    /// @inheritdoc IProtocolTimelock
    uint256 public constant MAX_DELAY = 30 days;

    /// @param minDelay The delay between queueing and executing, within [MIN_DELAY, MAX_DELAY].
    /// @param proposers Who may schedule and cancel (the Governor).
    /// @param executors Who may execute (the zero address: anyone).
    /// @param admin An optional admin for the deployment's wiring, who must renounce it at the end (or zero).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {
        _checkDelay(minDelay);
    }

    /// @notice Changes the delay; only through the Timelock itself (a proposal), and within bounds.
    function updateDelay(uint256 newDelay) public override {
        _checkDelay(newDelay);
        super.updateDelay(newDelay);
    }

    function _checkDelay(uint256 delay) private pure {
        if (delay < MIN_DELAY || delay > MAX_DELAY) revert TimelockDelayOutOfBounds(delay, MIN_DELAY, MAX_DELAY);
    }
}

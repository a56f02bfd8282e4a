// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "./IJobMarket.sol";

/// @title IJobMarketLens
/// @notice Batch reads of the JobMarket for matchers, providers' daemons and indexers: one call instead of one per
/// job. Stateless; meant for `eth_call`.
interface IJobMarketLens {
    /// @notice A job with its slots.
    struct JobView {
        uint256 jobId;
        IJobMarket.Job job;
        IJobMarket.Slot[] slots;
    }

    error LensZeroAddress();

    /// @notice Ids among [fromId, fromId + count) of jobs in `zone` at `tier` that are Open, before their deadline,
    /// with at least one slot a provider could claim.
    function openJobs(bytes32 zone, uint8 tier, uint256 fromId, uint256 count) external view returns (uint256[] memory);

    /// @notice Ids among [fromId, fromId + count) of jobs in `zone`, at any tier, that are Open, before their deadline,
    /// with at least one slot a provider could claim: what `openJobs` gives for every tier together, each job read
    /// once (a provider that serves every tier scans the range once instead of once per tier).
    function openJobsInZone(bytes32 zone, uint256 fromId, uint256 count) external view returns (uint256[] memory);

    /// @notice The jobs `jobIds` with their slots.
    function jobsWithSlots(uint256[] calldata jobIds) external view returns (JobView[] memory);

    function market() external view returns (IJobMarket);
}

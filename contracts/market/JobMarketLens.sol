// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IJobMarketLens} from "../interfaces/IJobMarketLens.sol";

/// @title JobMarketLens
/// @notice Batch views over the JobMarket. Kept apart from the market so that the market's bytecode stays well
/// under the EIP-170 limit and its upgrades never depend on read helpers.
contract JobMarketLens is IJobMarketLens {
    IJobMarket public immutable market;

    constructor(IJobMarket market_) {
        if (address(market_) == address(0)) revert LensZeroAddress();
        market = market_;
    }

    /// @inheritdoc IJobMarketLens
    function openJobs(
        bytes32 zone,
        uint8 tier,
        uint256 fromId,
        uint256 count
    ) external view returns (uint256[] memory ids) {
        return _scan(zone, true, tier, fromId, count);
    }

    /// @inheritdoc IJobMarketLens
    function openJobsInZone(bytes32 zone, uint256 fromId, uint256 count) external view returns (uint256[] memory ids) {
        return _scan(zone, false, 0, fromId, count);
    }

    /// @inheritdoc IJobMarketLens
    function jobsWithSlots(uint256[] calldata jobIds) external view returns (JobView[] memory views) {
        views = new JobView[](jobIds.length);
        for (uint256 i = 0; i < jobIds.length; ++i) {
            views[i] = JobView({jobId: jobIds[i], job: market.jobOf(jobIds[i]), slots: market.slotsOf(jobIds[i])});
        }
    }

    /// @dev The claimable jobs of `zone` among [fromId, fromId + count), at `tier` when `byTier`, at any otherwise.
    function _scan(
        bytes32 zone,
        bool byTier,
        uint8 tier,
        uint256 fromId,
        uint256 count
    ) private view returns (uint256[] memory ids) {
        if (fromId == 0) fromId = 1;
        uint256 last = market.jobCount();
        uint256 end = fromId + count > last + 1 ? last + 1 : fromId + count;
        ids = new uint256[](end > fromId ? end - fromId : 0);
        uint256 found;
        for (uint256 jobId = fromId; jobId < end; ++jobId) {
            if (_claimable(jobId, zone, byTier, tier)) {
                ids[found] = jobId;
                ++found;
            }
        }
        assembly ("memory-safe") {
            mstore(ids, found)
        }
    }

    function _claimable(uint256 jobId, bytes32 zone, bool byTier, uint8 tier) private view returns (bool) {
        IJobMarket.Job memory job = market.jobOf(jobId);
        if (job.status != IJobMarket.JobStatus.Open || job.zone != zone) return false;
        if (byTier && job.tier != tier) return false;
        if (block.timestamp >= job.deadline) return false;
        IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
        for (uint256 i = 0; i < slots.length; ++i) {
            if (slots[i].status == IJobMarket.SlotStatus.Open) return true;
        }
        return false;
    }
}

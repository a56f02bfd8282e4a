// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {Settlement} from "./Settlement.sol";

/// @title Claims
/// @notice How a provider claims a job's slot: the checks and effects of {IJobMarket-claimSlot}, written once, and
/// the batch of {IJobMarket-claimMany}, which runs them for each job of the batch.
/// @dev {claimOne} and {claimMany} are linked library functions that run in the market's context by DELEGATECALL
/// (msg.sender is the provider): with the checks compiled into it, the market would exceed EIP-170's size limit. A
/// single claim pays one library call for it (about 3 000 gas).
library Claims {
    /// @dev Who is claiming, read once per transaction: the registry's profile, the market's clock, and the
    /// reputation score (read when a job first needs it).
    struct Claimant {
        address provider;
        bool reputationRead;
        INodeRegistry.ProviderProfile profile;
        uint256 now_;
        uint256 lag;
        uint256 reputation;
    }

    /// @dev A claim's outcome: the refusal's error selector (zero when the slot was claimed), the slot, the
    /// collateral to lock, and the job's GPU-hours of demand when this was its first claim (zero otherwise).
    struct Claimed {
        bytes4 refusal;
        uint256 slot;
        uint256 collateral;
        uint256 demandHours;
    }

    /// @notice See {IJobMarket-claimSlot}: {_claim}'s checks, each refusal reverting with its error, then the
    /// collateral locked and, on the job's first claim, its demand recorded.
    function claimOne(MarketStorage.JobMarketStorage storage $, uint256 jobId) external returns (uint256) {
        Claimant memory claimant = _claimantOf($, msg.sender);
        Claimed memory outcome = _claim($, claimant, jobId, type(uint256).max, true);
        $.staking.lockCollateral(msg.sender, outcome.collateral);
        if (outcome.demandHours != 0) $.pricing.recordDemand(claimant.profile.zone, outcome.demandHours);
        return outcome.slot;
    }

    /// @notice See {IJobMarket-claimMany}; the market has checked the batch's size. Each job gets {_claim}'s
    /// checks in {IJobMarket-claimSlot}'s order, plus, since the collateral of the whole batch is locked at once,
    /// the stake check {IStaking-lockCollateral} would make, against what the jobs before it left available. A job
    /// that fails one is skipped with {IJobMarket-ClaimSkipped}, naming the error {IJobMarket-claimSlot} would
    /// revert with.
    /// @return slots Each job's claimed slot, or `type(uint256).max` for a job skipped.
    function claimMany(
        MarketStorage.JobMarketStorage storage $,
        uint256[] calldata jobIds
    ) external returns (uint256[] memory slots) {
        Claimant memory claimant = _claimantOf($, msg.sender);
        IStaking staking = $.staking;
        uint256 available = staking.availableOf(msg.sender);
        uint256 locking;
        uint256 demandHours;
        slots = new uint256[](jobIds.length);
        for (uint256 i = 0; i < jobIds.length; ++i) {
            uint256 jobId = jobIds[i];
            Claimed memory outcome = _claim($, claimant, jobId, available - locking, false);
            if (outcome.refusal != bytes4(0)) {
                slots[i] = type(uint256).max;
                emit IJobMarket.ClaimSkipped(jobId, outcome.refusal);
                continue;
            }
            slots[i] = outcome.slot;
            locking += outcome.collateral;
            demandHours += outcome.demandHours;
        }
        if (locking != 0) staking.lockCollateral(msg.sender, locking);
        // Every claimed job is in the provider's zone: one record of their demand.
        if (demandHours != 0) $.pricing.recordDemand(claimant.profile.zone, demandHours);
    }

    /// @dev The claimant `provider`, as the registry and the market's clock see it now.
    function _claimantOf(
        MarketStorage.JobMarketStorage storage $,
        address provider
    ) private view returns (Claimant memory claimant) {
        claimant.provider = provider;
        claimant.profile = $.registry.providerProfile(provider);
        claimant.lag = Settlement.lag($);
        claimant.now_ = block.timestamp - claimant.lag;
    }

    /// @dev Claims the first open slot of `jobId` for `claimant`: {IJobMarket-claimSlot}'s checks in order, then the
    /// slot and {IJobMarket-SlotClaimed}. The caller locks the collateral and records the demand. A check that fails
    /// reverts with its error when `strict`; otherwise the error's selector is returned and nothing changes.
    /// `available` is the stake the collateral must fit in (a strict claim leaves the check to the Staking contract);
    /// a collateral of zero is refused as {IStaking-lockCollateral} refuses it.
    function _claim(
        MarketStorage.JobMarketStorage storage $,
        Claimant memory claimant,
        uint256 jobId,
        uint256 available,
        bool strict
    ) private returns (Claimed memory outcome) {
        IJobMarket.Job storage job = $.jobs[jobId];
        bytes memory refusal = _refusal($, claimant, job, jobId);
        if (refusal.length == 0) {
            outcome.collateral = Settlement.collateralOf(job);
            // Staking locks no zero amount: a job too small to put collateral at stake is refused in a batch too.
            if (outcome.collateral == 0) {
                refusal = abi.encodeWithSelector(IStaking.StakingZeroAmount.selector);
            } else if (outcome.collateral > available) {
                refusal = abi.encodeWithSelector(
                    IStaking.StakingInsufficientAvailableStake.selector,
                    claimant.provider,
                    outcome.collateral,
                    available
                );
            }
        }
        if (refusal.length != 0) {
            if (strict) {
                assembly ("memory-safe") {
                    revert(add(refusal, 0x20), mload(refusal))
                }
            }
            outcome.refusal = bytes4(refusal);
            outcome.collateral = 0;
            return outcome;
        }
        (outcome.slot, outcome.demandHours) = _take($, claimant, job, jobId, outcome.collateral);
    }

    /// @dev Gives `claimant` the first open slot of `jobId`, which {_refusal} found, and emits
    /// {IJobMarket-SlotClaimed}. Returns the slot, and the job's GPU-hours of demand when this is its first claim.
    function _take(
        MarketStorage.JobMarketStorage storage $,
        Claimant memory claimant,
        IJobMarket.Job storage job,
        uint256 jobId,
        uint256 collateral
    ) private returns (uint256 slot, uint256 demandHours) {
        mapping(uint256 => IJobMarket.Slot) storage slots = $.slots[jobId];
        slot = type(uint256).max;
        bool firstClaim = true;
        uint256 redundancy = job.redundancy;
        for (uint256 i = 0; i < redundancy; ++i) {
            IJobMarket.Slot storage candidate = slots[i];
            if (candidate.provider != address(0)) firstClaim = false;
            if (slot == type(uint256).max && candidate.status == IJobMarket.SlotStatus.Open) slot = i;
        }
        uint256 deadline = job.deadline;
        uint256 deliverBy = claimant.now_ + job.deliveryWindow;
        if (deliverBy > deadline) deliverBy = deadline;
        IJobMarket.Slot storage claimed = slots[slot];
        claimed.provider = claimant.provider;
        claimed.status = IJobMarket.SlotStatus.Claimed;
        claimed.claimedAt = uint40(claimant.now_);
        claimed.deliverBy = uint40(deliverBy);
        emit IJobMarket.SlotClaimed(jobId, slot, claimant.provider, collateral, uint64(deliverBy + claimant.lag));
        // Demand is what providers take on, not what is asked: a job submitted and cancelled moves no price. The
        // first claim of a job records all of its slots' hours.
        if (firstClaim) demandHours = uint256(job.gpuHours) * redundancy;
    }

    /// @dev Why `claimant` may not claim a slot of `jobId` now, as the encoded error, or empty when it may.
    function _refusal(
        MarketStorage.JobMarketStorage storage $,
        Claimant memory claimant,
        IJobMarket.Job storage job,
        uint256 jobId
    ) private view returns (bytes memory) {
        IJobMarket.JobStatus status = job.status;
        if (status == IJobMarket.JobStatus.None) {
            return abi.encodeWithSelector(IJobMarket.MarketUnknownJob.selector, jobId);
        }
        if (status != IJobMarket.JobStatus.Open) {
            return abi.encodeWithSelector(IJobMarket.MarketJobNotInStatus.selector, jobId, status);
        }
        address provider = claimant.provider;
        if (provider == job.requester) {
            return abi.encodeWithSelector(IJobMarket.MarketRequesterCannotClaim.selector, jobId);
        }
        uint256 deadline = job.deadline;
        if (claimant.now_ >= deadline) {
            return abi.encodeWithSelector(IJobMarket.MarketClaimTooLate.selector, jobId, deadline + claimant.lag);
        }
        // A provider who missed a slot of this job stays barred from it, whoever holds that slot now.
        if ($.barred[jobId][provider]) {
            return abi.encodeWithSelector(IJobMarket.MarketAlreadyAssigned.selector, jobId, provider);
        }
        bytes memory ineligible = _ineligibility($, claimant, job);
        if (ineligible.length != 0) return ineligible;

        mapping(uint256 => IJobMarket.Slot) storage slots = $.slots[jobId];
        bool open;
        for (uint256 i = 0; i < job.redundancy; ++i) {
            IJobMarket.Slot storage candidate = slots[i];
            if (candidate.provider == provider) {
                return abi.encodeWithSelector(IJobMarket.MarketAlreadyAssigned.selector, jobId, provider);
            }
            if (candidate.status == IJobMarket.SlotStatus.Open) open = true;
        }
        if (!open) return abi.encodeWithSelector(IJobMarket.MarketNoOpenSlot.selector, jobId);
        return "";
    }

    /// @dev Why the claimant's node does not meet `job`'s requirements, as the encoded error, or empty when it does.
    function _ineligibility(
        MarketStorage.JobMarketStorage storage $,
        Claimant memory claimant,
        IJobMarket.Job storage job
    ) private view returns (bytes memory) {
        INodeRegistry.ProviderProfile memory profile = claimant.profile;
        address provider = claimant.provider;
        if (!profile.eligible) return abi.encodeWithSelector(IJobMarket.MarketProviderNotEligible.selector, provider);
        bytes32 zone = job.zone;
        if (profile.zone != zone) {
            return abi.encodeWithSelector(IJobMarket.MarketWrongZone.selector, provider, profile.zone, zone);
        }
        uint32 minVram = job.minVramMiB;
        uint16 minComputeCapability = job.minComputeCapability;
        if (profile.vramMiB < minVram || profile.computeCapability < minComputeCapability) {
            return abi.encodeWithSelector(IJobMarket.MarketHardwareBelowRequirement.selector, provider);
        }
        if (job.provenHardware && !$.capabilities.meetsThresholds(provider, minVram, minComputeCapability)) {
            return abi.encodeWithSelector(IJobMarket.MarketHardwareNotProven.selector, provider);
        }
        if (job.teeRequired && !profile.attested) {
            return abi.encodeWithSelector(IJobMarket.MarketAttestationRequired.selector, provider);
        }
        uint256 floor = job.reputationFloor;
        if (floor != 0) {
            if (!claimant.reputationRead) {
                claimant.reputation = $.reputation.eligibilityScoreOf(provider);
                claimant.reputationRead = true;
            }
            if (claimant.reputation < floor) {
                return
                    abi.encodeWithSelector(
                        IJobMarket.MarketReputationBelowFloor.selector,
                        provider,
                        claimant.reputation,
                        floor
                    );
            }
        }
        return "";
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {JobKeys} from "./JobKeys.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title Settlement
/// @notice Where a job's money goes: payment by the fee split, refunds, slashes, and the end of a dispute.
/// @dev The internal functions are compiled into the JobMarket (the everyday settlement path pays no library call);
/// {closeDispute}, which runs only when a committee has ruled, and {settleMany}, whose one library call a whole batch
/// shares, are linked library functions that run in the market's context by DELEGATECALL, so that the market fits
/// under EIP-170.
library Settlement {
    using SafeERC20 for IERC20;

    bytes32 internal constant SLASH_MISSED = keccak256("market.missed");
    bytes32 internal constant SLASH_DISSENT = keccak256("market.dissent");
    bytes32 internal constant SLASH_DISPUTE = keccak256("market.dispute");

    uint256 private constant _BPS = 10_000;

    // ---------------------------------------------------------------------------------------------
    // Disputes (linked)
    // ---------------------------------------------------------------------------------------------

    /// @notice See {IJobMarket-closeDispute}; the market has checked the caller and the job's status.
    function closeDispute(
        MarketStorage.JobMarketStorage storage $,
        uint256 jobId,
        IJobMarket.DisputeOutcome outcome,
        address challenger,
        bytes32 claimedResult,
        uint256 courtFee
    ) external returns (uint256 collected) {
        IJobMarket.Job storage job = $.jobs[jobId];
        emit IJobMarket.DisputeClosed(jobId, outcome == IJobMarket.DisputeOutcome.Upheld, challenger);
        if (outcome == IJobMarket.DisputeOutcome.Dismissed) {
            settle($, job, jobId);
        } else if (outcome == IJobMarket.DisputeOutcome.Reopened) {
            job.status = IJobMarket.JobStatus.Verified;
            uint256 now_ = block.timestamp - lag($);
            uint256 challengeEndsAt = now_ + $.parameters.challengeWindow;
            job.challengeEndsAt = uint40(challengeEndsAt);
            emit IJobMarket.JobVerified(jobId, job.acceptedSlots, uint64(block.timestamp + challengeEndsAt - now_));
        } else {
            collected = _uphold($, job, jobId, challenger, claimedResult, courtFee);
        }
    }

    /// @notice See {IJobMarket-finalizeMany}; the market has checked the batch's size. Each job gets {finalize}'s
    /// checks, on the market's clock; one that fails them is skipped with {IJobMarket-FinalizeSkipped}.
    function settleMany(
        MarketStorage.JobMarketStorage storage $,
        uint256[] calldata jobIds
    ) external returns (uint256 settled) {
        uint256 lag_ = lag($);
        uint256 now_ = block.timestamp - lag_;
        for (uint256 i = 0; i < jobIds.length; ++i) {
            uint256 jobId = jobIds[i];
            IJobMarket.Job storage job = $.jobs[jobId];
            IJobMarket.JobStatus status = job.status;
            uint256 challengeEndsAt = job.challengeEndsAt;
            if (status != IJobMarket.JobStatus.Verified || now_ <= challengeEndsAt) {
                uint256 wallEnd = challengeEndsAt == 0 ? 0 : challengeEndsAt + lag_;
                emit IJobMarket.FinalizeSkipped(jobId, status, uint64(wallEnd));
                continue;
            }
            settle($, job, jobId);
            ++settled;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Settlement (internal: compiled into the market)
    // ---------------------------------------------------------------------------------------------

    /// @dev Pays every accepted slot its share of the escrow by the fee split, and refunds the rest. A dissenter whom
    /// the challenge window did not prove right is slashed; after a split (no computed result accepted) nobody was
    /// shown wrong, so every revealer's collateral comes back, except a false `key-withheld` claimer's.
    function settle(MarketStorage.JobMarketStorage storage $, IJobMarket.Job storage job, uint256 jobId) internal {
        job.status = IJobMarket.JobStatus.Settled;
        uint256 escrow = job.escrow;
        uint256 share = escrow / job.redundancy;
        uint8 accepted = job.acceptedSlots;
        uint256 paid;
        uint256 toTreasury;
        for (uint256 i = 0; i < job.redundancy; ++i) {
            if (accepted & (1 << i) == 0) {
                IJobMarket.Slot storage s = $.slots[jobId][i];
                if (s.status == IJobMarket.SlotStatus.Revealed) {
                    // A `key-withheld` result that was not accepted is false (its key came, or was never asked for);
                    // beside excused ones only, the slots that computed were a split.
                    if (
                        s.result != JobKeys.KEY_WITHHELD_RESULT &&
                        JobKeys.noComputedResult($, jobId, accepted, job.redundancy)
                    ) {
                        $.staking.unlockCollateral(s.provider, collateralOf(job));
                    } else {
                        penalize($, job, jobId, s.provider, SLASH_DISSENT, address(0), IReputation.Outcome.Faulty);
                    }
                }
                continue;
            }
            toTreasury += payShare($, job, jobId, i, share);
            paid += share;
        }
        _close($, job, jobId, escrow, paid, toTreasury);
    }

    /// @dev Pays one slot's `share`: provider (with the gas subsidy), model creator, and the treasury's fee, which it
    /// returns for the caller to accrue. Records the completion and frees the collateral.
    function payShare(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Job storage job,
        uint256 jobId,
        uint256 slot,
        uint256 share
    ) internal returns (uint256 fee) {
        IJobMarket.FeeSplit memory split = $.feeSplit;
        IJobMarket.Slot storage s = $.slots[jobId][slot];
        address provider = s.provider;
        address modelCreator = job.modelCreator;
        uint256 toProvider = (share * (uint256(split.providerBps) + split.gasSubsidyBps)) / _BPS;
        uint256 toCreator = (share * split.modelCreatorBps) / _BPS;
        if (modelCreator == address(0)) (toProvider, toCreator) = (toProvider + toCreator, 0);
        fee = share - toProvider - toCreator;
        emit IJobMarket.ProviderPaid(jobId, slot, provider, toProvider, toCreator, fee);

        $.reputation.recordOutcome(
            provider,
            IReputation.Outcome.Completed,
            uint16(s.speedPercent) * 100,
            bytes32(jobId),
            shareOf(job),
            job.requester
        );
        $.staking.unlockCollateral(provider, collateralOf(job));
        $.token.safeTransfer(provider, toProvider);
        if (toCreator != 0) $.token.safeTransfer(modelCreator, toCreator);
    }

    /// @dev Ends a job Refunded, returning its whole escrow to the requester.
    function refund(MarketStorage.JobMarketStorage storage $, IJobMarket.Job storage job, uint256 jobId) internal {
        job.status = IJobMarket.JobStatus.Refunded;
        uint256 amount = job.escrow;
        $.totalEscrowed -= amount;
        emit IJobMarket.JobRefunded(jobId, amount);
        $.token.safeTransfer(job.requester, amount);
    }

    /// @dev Slashes `provider` for a fault in this job out of the job's collateral only (`prover` earns the
    /// bounty), releasing the rest of it, and records the outcome. A result a committee ruled wrong is fraud.
    function penalize(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Job storage job,
        uint256 jobId,
        address provider,
        bytes32 reason,
        address prover,
        IReputation.Outcome outcome
    ) internal {
        $.reputation.recordOutcome(provider, outcome, 0, bytes32(jobId), shareOf(job), job.requester);
        $.staking.slashCollateral(provider, collateralOf(job), reason, prover, reason == SLASH_DISPUTE);
    }

    /// @dev Each provider's collateral in this job.
    function collateralOf(IJobMarket.Job storage job) internal view returns (uint256) {
        return (shareOf(job) * job.collateralBps) / _BPS;
    }

    /// @dev One slot's share of the escrow: what the job pays each provider's part.
    function shareOf(IJobMarket.Job storage job) internal view returns (uint256) {
        return uint256(job.escrow) / job.redundancy;
    }

    /// @dev How far the market's clock is behind the wall clock now.
    function lag(MarketStorage.JobMarketStorage storage $) internal view returns (uint256) {
        uint256 stoppedAt = $.clockStoppedAt;
        return stoppedAt == 0 ? $.clockOffset : block.timestamp - stoppedAt + $.clockOffset;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev An upheld dispute. With a claimed result, every revealed slot that holds it is paid and every other is
    /// fraud; without one, the accepted slots are fraud and a dissenter's collateral is freed untouched. Each
    /// provider shown wrong pays an equal part of the court fee (at most its collateral) to the hub; the requester
    /// gets back what was not paid.
    function _uphold(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Job storage job,
        uint256 jobId,
        address challenger,
        bytes32 claimedResult,
        uint256 courtFee
    ) private returns (uint256 collected) {
        uint256 redundancy = job.redundancy;
        uint8 accepted = job.acceptedSlots;
        uint256 collateral = collateralOf(job);
        uint256 wrongCount;
        uint8 wrong;
        uint8 proven;
        for (uint256 i = 0; i < redundancy; ++i) {
            IJobMarket.Slot storage s = $.slots[jobId][i];
            if (s.status != IJobMarket.SlotStatus.Revealed) continue;
            bytes32 result = s.result;
            if (JobKeys.acceptedWithheld(accepted, i, result) || (claimedResult != 0 && result == claimedResult)) {
                proven |= uint8(1 << i);
            } else if (claimedResult != bytes32(0) || accepted & (1 << i) != 0) {
                wrong |= uint8(1 << i);
                ++wrongCount;
            } else {
                $.staking.unlockCollateral(s.provider, collateral);
            }
        }

        uint256 feeEach = wrongCount == 0 ? 0 : courtFee / wrongCount;
        if (feeEach > collateral) feeEach = collateral;
        uint256 escrow = job.escrow;
        uint256 share = escrow / redundancy;
        uint256 paid;
        uint256 toTreasury;
        for (uint256 i = 0; i < redundancy; ++i) {
            if (proven & (1 << i) != 0) {
                toTreasury += payShare($, job, jobId, i, share);
                paid += share;
            } else if (wrong & (1 << i) != 0) {
                collected += _slashFraud($, job, jobId, i, challenger, collateral, feeEach);
            }
        }
        job.acceptedSlots = proven;
        if (proven == 0) {
            refund($, job, jobId);
        } else {
            job.status = IJobMarket.JobStatus.Settled;
            _close($, job, jobId, escrow, paid, toTreasury);
        }
    }

    /// @dev A result the committee ruled wrong: `fee` of the slot's collateral goes to the hub for the jurors, the
    /// rest is slashed as fraud.
    function _slashFraud(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Job storage job,
        uint256 jobId,
        uint256 slot,
        address challenger,
        uint256 collateral,
        uint256 fee
    ) private returns (uint256) {
        IJobMarket.Slot storage s = $.slots[jobId][slot];
        address provider = s.provider;
        emit IJobMarket.ResultRejected(jobId, slot, provider, s.result);
        $.reputation.recordOutcome(
            provider,
            IReputation.Outcome.Faulty,
            0,
            bytes32(jobId),
            shareOf(job),
            job.requester
        );
        if (fee != 0) $.staking.forfeitCollateral(provider, fee, SLASH_DISPUTE, address($.hub));
        if (collateral > fee) $.staking.slashCollateral(provider, collateral - fee, SLASH_DISPUTE, challenger, true);
        return fee;
    }

    /// @dev Releases a settled job's escrow: `paid` to its providers (already transferred, less the treasury's
    /// fees, which accrue), the rest back to the requester.
    function _close(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Job storage job,
        uint256 jobId,
        uint256 escrow,
        uint256 paid,
        uint256 toTreasury
    ) private {
        uint256 rest = escrow - paid;
        $.totalEscrowed -= escrow;
        $.unsweptFees += toTreasury;
        emit IJobMarket.JobSettled(jobId, paid, rest);
        if (rest != 0) $.token.safeTransfer(job.requester, rest);
    }
}

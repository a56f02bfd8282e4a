// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {ICapabilityRegistrar} from "../interfaces/ICapabilityRegistrar.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IPricingEngine} from "../interfaces/IPricingEngine.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";
import {IVerificationHub} from "../interfaces/IVerificationHub.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {Claims} from "./Claims.sol";
import {JobKeys} from "./JobKeys.sol";
import {Settlement} from "./Settlement.sol";

/// @title JobMarket
/// @notice Job escrow, slot claims, commit-reveal of results, settlement with the governed fee split, refunds and
/// failover. Evidence checks, audits and disputes are the VerificationHub's; the money stays here.
/// @dev Every deadline is kept on the market's clock, which stops while the market or the hub is paused (see
/// {clock}); views and events translate it to wall-clock time as of the moment they are read or emitted.
/// The linked Settlement and Claims libraries hold no state and run only through this contract's delegatecalls; they
/// are deployed with each implementation and upgraded with it (OpenZeppelin's validator is told so below).
/// @custom:oz-upgrades-unsafe-allow external-library-linking
contract JobMarket is ProtocolUpgradeable, ReentrancyGuardTransient, MarketStorage, IJobMarket {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------
    // Bounds that governance cannot cross
    // ---------------------------------------------------------------------------------------------

    uint256 public constant MAX_REDUNDANCY = 3;
    /// @notice The most jobs one {finalizeMany} settles: a batch stays well under a block's gas.
    uint256 public constant MAX_FINALIZE_BATCH = 64;
    /// @notice The most jobs one {claimMany} claims a slot of.
    uint256 public constant MAX_CLAIM_BATCH = 64;
    /// @notice A Consensus job needs three providers: with two, one dissenter (a lazy provider, or the requester's
    /// own) splits every job, and no rule can tell which of the two is honest.
    uint256 public constant MIN_CONSENSUS_REDUNDANCY = 3;
    uint256 public constant MIN_PROVIDER_BPS = 5_000;
    uint256 public constant MAX_GAS_SUBSIDY_BPS = 1_000;
    uint256 public constant MAX_TREASURY_BPS = 3_000;
    uint256 public constant MAX_MODEL_CREATOR_BPS = 2_000;
    uint256 public constant MIN_COLLATERAL_BPS = 1_000;
    uint256 public constant MAX_COLLATERAL_BPS = 30_000;
    /// @notice Optimistic jobs never admit providers below a neutral reputation.
    uint256 public constant MIN_OPTIMISTIC_FLOOR = 5_000;
    uint256 public constant MAX_OPTIMISTIC_FLOOR = 10_000;
    uint256 public constant MIN_REVEAL_WINDOW = 5 minutes;
    uint256 public constant MAX_REVEAL_WINDOW = 7 days;
    uint256 public constant MIN_CHALLENGE_WINDOW = 10 minutes;
    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;
    uint256 public constant MIN_DELIVERY_WINDOW_BOUND = 1 minutes;
    uint256 public constant MAX_DELIVERY_WINDOW_BOUND = 1 days;
    uint256 public constant MIN_JOB_DURATION_BOUND = 1 days;
    uint256 public constant MAX_JOB_DURATION_BOUND = 365 days;

    /// @notice Slash reasons, as the Staking contract records them.
    bytes32 public constant SLASH_MISSED = Settlement.SLASH_MISSED;
    bytes32 public constant SLASH_DISSENT = Settlement.SLASH_DISSENT;
    bytes32 public constant SLASH_DISPUTE = Settlement.SLASH_DISPUTE;

    bytes32 private constant _FEE_REASON = keccak256("market.settlement");
    uint256 private constant _BPS = 10_000;

    /// @dev Why the clock is stopped: a bit per paused contract whose actions a deadline may wait on.
    uint8 private constant _HOLD_MARKET_PAUSED = 1;
    uint8 private constant _HOLD_HUB_PAUSED = 2;

    function _s() private pure returns (JobMarketStorage storage) {
        return _marketStorage();
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    /// @param dependencies AGPU, Staking, NodeRegistry, Reputation, PricingEngine, CapabilityRegistrar,
    /// VerificationHub and Treasury, in that order.
    function initialize(address authority, address[8] calldata dependencies) external initializer {
        __ProtocolUpgradeable_init(authority);
        for (uint256 i = 0; i < dependencies.length; ++i) {
            if (dependencies[i] == address(0)) revert MarketZeroAddress();
        }
        JobMarketStorage storage $ = _s();
        $.token = IERC20(dependencies[0]);
        $.staking = IStaking(dependencies[1]);
        $.registry = INodeRegistry(dependencies[2]);
        $.reputation = IReputation(dependencies[3]);
        $.pricing = IPricingEngine(dependencies[4]);
        $.capabilities = ICapabilityRegistrar(dependencies[5]);
        $.hub = IVerificationHub(dependencies[6]);
        $.treasury = ITreasury(dependencies[7]);
        _setFeeSplit(FeeSplit({providerBps: 8_000, gasSubsidyBps: 300, treasuryBps: 1_200, modelCreatorBps: 500}));
        _setMarketParameters(
            MarketParameters({
                collateralBps: 15_000,
                optimisticReputationFloor: 6_000,
                revealWindow: 1 hours,
                challengeWindow: 1 days,
                minDeliveryWindow: 10 minutes,
                maxJobDuration: 30 days
            })
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Requesters
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function submitJob(JobSpec calldata spec) external whenNotPaused nonReentrant returns (uint256 jobId) {
        return _submit(spec);
    }

    /// @inheritdoc IJobMarket
    function releaseJobKey(uint256 jobId, uint256 slot, bytes calldata wrappedKey) external whenNotPaused {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Open);
        if (msg.sender != job.requester) revert MarketNotRequester(jobId, msg.sender);
        Slot storage s = _slot($, job, jobId, slot);
        if (s.status != SlotStatus.Claimed) revert MarketSlotNotInStatus(jobId, slot, s.status);
        JobKeys.release($, s, jobId, slot, wrappedKey, _now($));
    }

    /// @inheritdoc IJobMarket
    function cancelJob(uint256 jobId) external nonReentrant {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        if (msg.sender != job.requester) revert MarketNotRequester(jobId, msg.sender);
        _requireStatus(job, jobId, JobStatus.Open);
        mapping(uint256 => Slot) storage slots = $.slots[jobId];
        for (uint256 i = 0; i < job.redundancy; ++i) {
            SlotStatus status = slots[i].status;
            if (status != SlotStatus.Open && status != SlotStatus.Missed) revert MarketJobHasClaims(jobId);
        }
        uint256 refund = job.escrow;
        job.status = JobStatus.Cancelled;
        $.totalEscrowed -= refund;
        emit JobCancelled(jobId, refund);
        $.token.safeTransfer(job.requester, refund);
    }

    // ---------------------------------------------------------------------------------------------
    // Providers
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function claimSlot(uint256 jobId) external whenNotPaused nonReentrant returns (uint256 slot) {
        return Claims.claimOne(_s(), jobId);
    }

    /// @inheritdoc IJobMarket
    function claimMany(uint256[] calldata jobIds) external whenNotPaused nonReentrant returns (uint256[] memory slots) {
        uint256 count = jobIds.length;
        if (count == 0 || count > MAX_CLAIM_BATCH) revert MarketInvalidBatchSize(count, MAX_CLAIM_BATCH);
        return Claims.claimMany(_s(), jobIds);
    }

    /// @inheritdoc IJobMarket
    function requestJobKey(uint256 jobId, uint256 slot, bytes calldata publicKey) external whenNotPaused {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Open);
        Slot storage s = _deliverableSlot($, job, jobId, slot);
        address keyHolder = job.teeRequired ? $.registry.enclaveSignerOf(msg.sender) : msg.sender;
        JobKeys.request($, s, jobId, slot, publicKey, keyHolder, _now($));
    }

    /// @inheritdoc IJobMarket
    function commitResult(uint256 jobId, uint256 slot, bytes32 commitment) external whenNotPaused {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Open);
        if (job.mode == VerificationMode.ZK) revert MarketWrongMode(jobId, job.mode);
        if (commitment == bytes32(0)) revert MarketZeroResult();
        Slot storage s = _deliverableSlot($, job, jobId, slot);
        s.status = SlotStatus.Committed;
        s.speedPercent = _speedPercent($, s);
        s.result = commitment;
        emit ResultCommitted(jobId, slot, msg.sender, commitment);
        _advance($, job, jobId);
    }

    /// @inheritdoc IJobMarket
    function revealResult(
        uint256 jobId,
        uint256 slot,
        bytes32 result,
        bytes32 salt,
        bytes calldata evidence
    ) external whenNotPaused nonReentrant {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Open);
        Slot storage s = _ownSlot($, job, jobId, slot);
        if (s.status != SlotStatus.Committed) revert MarketSlotNotInStatus(jobId, slot, s.status);
        uint256 revealEndsAt = job.revealEndsAt;
        if (revealEndsAt == 0) revert MarketRevealNotOpen(jobId);
        if (_now($) > revealEndsAt) revert MarketRevealClosed(jobId, _wall($, revealEndsAt));
        if (result == bytes32(0)) revert MarketZeroResult();
        if (s.result != commitmentOf(jobId, slot, msg.sender, result, salt)) revert MarketResultMismatch(jobId, slot);
        _checkEvidence($, job, jobId, result, evidence);
        _recordResult(s, jobId, slot, result);
        _advance($, job, jobId);
    }

    /// @inheritdoc IJobMarket
    function submitResult(
        uint256 jobId,
        uint256 slot,
        bytes32 result,
        bytes calldata evidence
    ) external whenNotPaused nonReentrant {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Open);
        if (job.redundancy != 1 && job.mode != VerificationMode.ZK) revert MarketCommitRevealRequired(jobId);
        if (result == bytes32(0)) revert MarketZeroResult();
        Slot storage s = _deliverableSlot($, job, jobId, slot);
        _checkEvidence($, job, jobId, result, evidence);
        s.speedPercent = _speedPercent($, s);
        _recordResult(s, jobId, slot, result);
        _advance($, job, jobId);
    }

    // ---------------------------------------------------------------------------------------------
    // Anyone
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function expireSlot(uint256 jobId, uint256 slot) external whenNotPaused nonReentrant {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Open);
        Slot storage s = _slot($, job, jobId, slot);
        SlotStatus status = s.status;
        address provider = s.provider;
        uint256 now_ = _now($);

        if (status == SlotStatus.Open) {
            // Never claimed (or reopened and not reclaimed): it can only lapse once nobody may claim it.
            if (now_ < job.deadline) revert MarketSlotNotExpired(jobId, slot);
            s.status = SlotStatus.Missed;
            emit SlotMissed(jobId, slot, address(0), false);
        } else if (status == SlotStatus.Claimed) {
            if (now_ <= s.deliverBy) revert MarketSlotNotExpired(jobId, slot);
            bool reopen = now_ + job.deliveryWindow <= job.deadline;
            if (reopen) {
                s.status = SlotStatus.Open;
                s.claimedAt = 0;
                s.deliverBy = 0;
            } else {
                s.status = SlotStatus.Missed;
            }
            emit SlotMissed(jobId, slot, provider, reopen);
            _penalizeMissed($, job, jobId, provider);
        } else if (status == SlotStatus.Committed) {
            uint256 revealEndsAt = job.revealEndsAt;
            if (revealEndsAt == 0 || now_ <= revealEndsAt) revert MarketSlotNotExpired(jobId, slot);
            s.status = SlotStatus.Missed;
            emit SlotMissed(jobId, slot, provider, false);
            _penalizeMissed($, job, jobId, provider);
        } else {
            revert MarketSlotNotInStatus(jobId, slot, status);
        }
        _advance($, job, jobId);
    }

    /// @inheritdoc IJobMarket
    function finalize(uint256 jobId) external nonReentrant {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Verified);
        uint256 challengeEndsAt = job.challengeEndsAt;
        if (_now($) <= challengeEndsAt) revert MarketChallengeWindowOpen(jobId, _wall($, challengeEndsAt));
        Settlement.settle($, job, jobId);
    }

    /// @inheritdoc IJobMarket
    function finalizeMany(uint256[] calldata jobIds) external nonReentrant returns (uint256 settled) {
        uint256 count = jobIds.length;
        if (count == 0 || count > MAX_FINALIZE_BATCH) revert MarketInvalidBatchSize(count, MAX_FINALIZE_BATCH);
        return Settlement.settleMany(_s(), jobIds);
    }

    /// @inheritdoc IJobMarket
    function sweepFees() external nonReentrant returns (uint256 amount) {
        JobMarketStorage storage $ = _s();
        amount = $.unsweptFees;
        if (amount == 0) revert MarketNothingToSweep();
        $.unsweptFees = 0;
        emit FeesSwept(address($.treasury), amount);
        $.token.forceApprove(address($.treasury), amount);
        $.treasury.receiveFee($.token, amount, _FEE_REASON);
    }

    // ---------------------------------------------------------------------------------------------
    // Verification hub (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function startDispute(uint256 jobId) external restricted {
        JobMarketStorage storage $ = _s();
        Job storage job = _job($, jobId);
        _requireStatus(job, jobId, JobStatus.Verified);
        uint256 challengeEndsAt = job.challengeEndsAt;
        if (_now($) > challengeEndsAt) revert MarketChallengeWindowClosed(jobId, _wall($, challengeEndsAt));
        job.status = JobStatus.Disputed;
        emit DisputeStarted(jobId);
    }

    /// @inheritdoc IJobMarket
    function closeDispute(
        uint256 jobId,
        DisputeOutcome outcome,
        address challenger,
        bytes32 claimedResult,
        uint256 courtFee
    ) external restricted nonReentrant returns (uint256 collected) {
        JobMarketStorage storage $ = _s();
        _requireStatus(_job($, jobId), jobId, JobStatus.Disputed);
        return Settlement.closeDispute($, jobId, outcome, challenger, claimedResult, courtFee);
    }

    /// @inheritdoc IJobMarket
    function holdClock(bool held) external restricted {
        if (held) _stopClock(_s(), _HOLD_HUB_PAUSED);
        else _resumeClock(_s(), _HOLD_HUB_PAUSED);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function setFeeSplit(FeeSplit calldata split) external restricted {
        _setFeeSplit(split);
    }

    /// @inheritdoc IJobMarket
    function setMarketParameters(MarketParameters calldata parameters) external restricted {
        _setMarketParameters(parameters);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function jobOf(uint256 jobId) external view returns (Job memory job) {
        JobMarketStorage storage $ = _s();
        job = _job($, jobId);
        job.deadline = uint40(_wall($, job.deadline));
        job.revealEndsAt = uint40(_wall($, job.revealEndsAt));
        job.challengeEndsAt = uint40(_wall($, job.challengeEndsAt));
    }

    /// @inheritdoc IJobMarket
    function slotsOf(uint256 jobId) external view returns (Slot[] memory slots) {
        JobMarketStorage storage $ = _s();
        uint256 redundancy = _job($, jobId).redundancy;
        slots = new Slot[](redundancy);
        for (uint256 i = 0; i < redundancy; ++i) {
            Slot memory s = $.slots[jobId][i];
            s.claimedAt = uint40(_wall($, s.claimedAt));
            s.deliverBy = uint40(_wall($, s.deliverBy));
            slots[i] = s;
        }
    }

    /// @inheritdoc IJobMarket
    function clock() external view returns (uint256) {
        return _now(_s());
    }

    /// @inheritdoc IJobMarket
    function commitmentOf(
        uint256 jobId,
        uint256 slot,
        address provider,
        bytes32 result,
        bytes32 salt
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(jobId, slot, provider, result, salt));
    }

    /// @inheritdoc IJobMarket
    function collateralOf(uint256 jobId) external view returns (uint256) {
        JobMarketStorage storage $ = _s();
        return Settlement.collateralOf(_job($, jobId));
    }

    /// @inheritdoc IJobMarket
    function keyExchangeOf(uint256 jobId, uint256 slot) external view returns (KeyExchange memory) {
        return _s().keyExchanges[jobId][slot];
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _s().jobCount;
    }

    /// @inheritdoc IJobMarket
    function feeSplit() external view returns (FeeSplit memory) {
        return _s().feeSplit;
    }

    /// @inheritdoc IJobMarket
    function marketParameters() external view returns (MarketParameters memory) {
        return _s().parameters;
    }

    /// @inheritdoc IJobMarket
    function totalEscrowed() external view returns (uint256) {
        return _s().totalEscrowed;
    }

    /// @inheritdoc IJobMarket
    function unsweptFees() external view returns (uint256) {
        return _s().unsweptFees;
    }

    // ---------------------------------------------------------------------------------------------
    // Submission
    // ---------------------------------------------------------------------------------------------

    function _submit(JobSpec calldata spec) private returns (uint256 jobId) {
        JobMarketStorage storage $ = _s();
        _checkSpec($, spec);
        IPricingEngine.Quote memory q = $.pricing.quote(
            spec.zone,
            spec.tier,
            spec.gpuHours,
            spec.redundancy,
            spec.spilloverAllowed
        );
        if (q.total > spec.maxTotal) revert MarketPriceAboveLimit(q.total, spec.maxTotal);
        if (spec.modelCreator == msg.sender) revert MarketModelCreatorIsRequester(msg.sender);
        if (q.total > type(uint96).max) revert MarketEscrowTooLarge(q.total);

        jobId = ++$.jobCount;
        Job storage job = $.jobs[jobId];
        job.requester = msg.sender;
        job.status = JobStatus.Open;
        job.mode = spec.mode;
        job.tier = spec.tier;
        job.redundancy = spec.redundancy;
        job.workloadClass = spec.workloadClass;
        job.teeRequired = spec.teeRequired || spec.mode == VerificationMode.TEE;
        job.provenHardware = spec.provenHardware;
        job.modelCreator = spec.modelCreator;
        job.deadline = uint40(spec.deadline - _lag($));
        job.deliveryWindow = spec.deliveryWindow;
        job.collateralBps = $.parameters.collateralBps;
        job.zone = q.zone;
        job.reputationFloor = _reputationFloor($, spec);
        bytes32 specHash = keccak256(abi.encode(spec.modelCommitment, spec.inputCommitment));
        if (spec.mode == VerificationMode.ZK) job.specHash = specHash;
        job.escrow = uint96(q.total);
        job.gpuHours = spec.gpuHours;
        job.minVramMiB = spec.minVramMiB;
        job.minComputeCapability = spec.minComputeCapability;
        $.totalEscrowed += q.total;

        _emitSubmitted(jobId, spec, q, specHash);
        $.token.safeTransferFrom(msg.sender, address(this), q.total);
    }

    function _emitSubmitted(
        uint256 jobId,
        JobSpec calldata spec,
        IPricingEngine.Quote memory q,
        bytes32 specHash
    ) private {
        emit JobSubmitted(
            jobId,
            msg.sender,
            q.zone,
            q.requestedZone,
            spec.tier,
            spec.mode,
            spec.redundancy,
            spec.gpuHours,
            q.pricePerGpuHour,
            q.total,
            spec.deadline,
            specHash,
            spec.modelCommitment,
            spec.inputCommitment
        );
    }

    function _checkSpec(JobMarketStorage storage $, JobSpec calldata spec) private view {
        if (spec.gpuHours == 0) revert MarketZeroHours();
        uint256 minRedundancy = spec.mode == VerificationMode.Consensus ? MIN_CONSENSUS_REDUNDANCY : 1;
        if (spec.redundancy < minRedundancy || spec.redundancy > MAX_REDUNDANCY) {
            revert MarketInvalidRedundancy(spec.redundancy, spec.mode);
        }
        if (spec.mode == VerificationMode.ZK && !$.hub.isWorkloadSupported(spec.workloadClass)) {
            revert MarketUnsupportedWorkload(spec.workloadClass);
        }
        MarketParameters memory p = $.parameters;
        if (spec.deliveryWindow < p.minDeliveryWindow || spec.deliveryWindow > p.maxJobDuration) {
            revert MarketInvalidDeliveryWindow(spec.deliveryWindow, p.minDeliveryWindow, p.maxJobDuration);
        }
        uint256 earliest = block.timestamp + spec.deliveryWindow;
        uint256 latest = block.timestamp + p.maxJobDuration;
        if (spec.deadline < earliest || spec.deadline > latest) {
            revert MarketInvalidDeadline(spec.deadline, earliest, latest);
        }
    }

    /// @dev The tier's reputation floor, or the optimistic floor if that is higher and the job is Optimistic.
    function _reputationFloor(JobMarketStorage storage $, JobSpec calldata spec) private view returns (uint16 floor) {
        (, floor) = $.pricing.tierOf(spec.tier);
        if (spec.mode == VerificationMode.Optimistic) {
            uint16 optimisticFloor = $.parameters.optimisticReputationFloor;
            if (optimisticFloor > floor) floor = optimisticFloor;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Claims and deliveries
    // ---------------------------------------------------------------------------------------------

    /// @dev The caller's claimed slot, still inside its delivery window.
    function _deliverableSlot(
        JobMarketStorage storage $,
        Job storage job,
        uint256 jobId,
        uint256 slot
    ) private view returns (Slot storage s) {
        s = _ownSlot($, job, jobId, slot);
        if (s.status != SlotStatus.Claimed) revert MarketSlotNotInStatus(jobId, slot, s.status);
        uint256 deliverBy = s.deliverBy;
        if (_now($) > deliverBy) revert MarketDeliveryOverdue(jobId, slot, _wall($, deliverBy));
    }

    function _ownSlot(
        JobMarketStorage storage $,
        Job storage job,
        uint256 jobId,
        uint256 slot
    ) private view returns (Slot storage s) {
        s = _slot($, job, jobId, slot);
        if (s.provider != msg.sender || s.status == SlotStatus.Open) {
            revert MarketNotSlotProvider(jobId, slot, msg.sender);
        }
    }

    function _checkEvidence(
        JobMarketStorage storage $,
        Job storage job,
        uint256 jobId,
        bytes32 result,
        bytes calldata evidence
    ) private view {
        VerificationMode mode = job.mode;
        if (mode == VerificationMode.TEE) {
            $.hub.checkEnclaveSignature(jobId, msg.sender, result, evidence);
        } else if (mode == VerificationMode.ZK) {
            $.hub.checkProof(job.workloadClass, jobId, msg.sender, job.specHash, result, evidence);
        }
    }

    function _recordResult(Slot storage s, uint256 jobId, uint256 slot, bytes32 result) private {
        s.status = SlotStatus.Revealed;
        s.result = result;
        emit ResultRevealed(jobId, slot, msg.sender, result);
    }

    /// @dev The share of the delivery window left at delivery, in percent.
    function _speedPercent(JobMarketStorage storage $, Slot storage s) private view returns (uint8) {
        uint256 window = uint256(s.deliverBy) - s.claimedAt;
        uint256 left = uint256(s.deliverBy) - _now($);
        // Safe cast: `left <= window`, so the ratio is at most 100.
        return uint8((left * 100) / window);
    }

    /// @dev Moves an Open job on once no slot waits for a claim or a delivery: opens the reveal phase when results
    /// are committed, and tallies once every slot is revealed or missed.
    function _advance(JobMarketStorage storage $, Job storage job, uint256 jobId) private {
        mapping(uint256 => Slot) storage slots = $.slots[jobId];
        bool committed;
        for (uint256 i = 0; i < job.redundancy; ++i) {
            SlotStatus status = slots[i].status;
            if (status == SlotStatus.Open || status == SlotStatus.Claimed) return;
            if (status == SlotStatus.Committed) committed = true;
        }
        if (committed) {
            if (job.revealEndsAt == 0) {
                uint256 revealEndsAt = _now($) + $.parameters.revealWindow;
                job.revealEndsAt = uint40(revealEndsAt);
                emit RevealOpened(jobId, uint64(_wall($, revealEndsAt)));
            }
            return;
        }
        _tally($, job, jobId);
    }

    // ---------------------------------------------------------------------------------------------
    // Verdicts and money
    // ---------------------------------------------------------------------------------------------

    /// @dev Every slot is Revealed or Missed: accept results by the job's mode and move to Verified, or refund when
    /// nobody revealed. A consensus dissenter keeps its collateral locked: it is slashed at settlement unless an
    /// audit proves it right first. A split (no majority) is Verified with nothing accepted: an audit's claimed
    /// result, once a committee confirms it, pays the slots that revealed it and slashes the others.
    function _tally(JobMarketStorage storage $, Job storage job, uint256 jobId) private {
        mapping(uint256 => Slot) storage slots = $.slots[jobId];
        uint256 redundancy = job.redundancy;
        uint8 accepted;
        uint8 revealed;
        bytes32 majority;
        (uint8 excused, uint256 abstained) = JobKeys.excusedSlots($, jobId, redundancy);
        if (job.mode == VerificationMode.Consensus) {
            uint256 votes;
            (majority, votes) = _majorityResult(slots, redundancy);
            // A claimer denied the job key abstains: the others' majority is over the slots that could compute.
            if (votes * 2 <= redundancy - abstained) majority = bytes32(0);
        }
        for (uint256 i = 0; i < redundancy; ++i) {
            Slot storage s = slots[i];
            if (s.status != SlotStatus.Revealed) continue;
            revealed |= uint8(1 << i);
            bytes32 result = s.result;
            bool accept =
                result == JobKeys.KEY_WITHHELD_RESULT
                    ? excused & (1 << i) != 0
                    : job.mode != VerificationMode.Consensus || result == majority;
            if (accept) {
                accepted |= uint8(1 << i);
            } else {
                emit ResultRejected(jobId, i, s.provider, s.result);
            }
        }

        if (revealed == 0) {
            Settlement.refund($, job, jobId);
            return;
        }
        uint256 challengeEndsAt = _now($) + $.parameters.challengeWindow;
        job.status = JobStatus.Verified;
        job.acceptedSlots = accepted;
        job.challengeEndsAt = uint40(challengeEndsAt);
        emit JobVerified(jobId, accepted, uint64(_wall($, challengeEndsAt)));
        // A ZK job's proof is its check; every other job may be drawn for an audit, from randomness that nobody
        // knows yet. A job with a dissenter or a split is always audited: the dissenter may be the honest one.
        if (job.mode != VerificationMode.ZK) $.hub.scheduleAudit(jobId, accepted != revealed);
    }

    /// @dev The most frequent revealed result and how many slots revealed it; `key-withheld` is no vote (excused, its
    /// claimer could not compute; otherwise it is false).
    function _majorityResult(
        mapping(uint256 => Slot) storage slots,
        uint256 redundancy
    ) private view returns (bytes32 majority, uint256 votes) {
        for (uint256 i = 0; i < redundancy; ++i) {
            bytes32 result = slots[i].result;
            if (slots[i].status != SlotStatus.Revealed || result == JobKeys.KEY_WITHHELD_RESULT) continue;
            uint256 count;
            for (uint256 j = 0; j < redundancy; ++j) {
                if (slots[j].status == SlotStatus.Revealed && slots[j].result == result) ++count;
            }
            if (count > votes) (majority, votes) = (result, count);
        }
    }

    /// @dev A missed delivery bars the provider from the job for good. Whoever calls the expiry proves the fault
    /// and earns the (gas-sized) bounty, unless it is the provider itself.
    function _penalizeMissed(JobMarketStorage storage $, Job storage job, uint256 jobId, address provider) private {
        $.barred[jobId][provider] = true;
        address prover = msg.sender == provider ? address(0) : msg.sender;
        Settlement.penalize($, job, jobId, provider, SLASH_MISSED, prover, IReputation.Outcome.Missed);
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _job(JobMarketStorage storage $, uint256 jobId) private view returns (Job storage job) {
        job = $.jobs[jobId];
        if (job.status == JobStatus.None) revert MarketUnknownJob(jobId);
    }

    function _slot(
        JobMarketStorage storage $,
        Job storage job,
        uint256 jobId,
        uint256 slot
    ) private view returns (Slot storage) {
        if (slot >= job.redundancy) revert MarketInvalidSlot(jobId, slot);
        return $.slots[jobId][slot];
    }

    /// @dev The market's clock: wall-clock time less every second the clock was stopped. While it is stopped, it
    /// stands at the moment it stopped, so no deadline can pass.
    function _now(JobMarketStorage storage $) private view returns (uint256) {
        uint256 stoppedAt = $.clockStoppedAt;
        return (stoppedAt != 0 ? stoppedAt : block.timestamp) - $.clockOffset;
    }

    /// @dev How far the market's clock is behind the wall clock now.
    function _lag(JobMarketStorage storage $) private view returns (uint256) {
        return block.timestamp - _now($);
    }

    /// @dev A time on the market's clock as wall-clock time, as of now (zero stays zero: "not set").
    function _wall(JobMarketStorage storage $, uint256 clockTime) private view returns (uint256) {
        return clockTime == 0 ? 0 : clockTime + _lag($);
    }

    function _stopClock(JobMarketStorage storage $, uint8 hold) private {
        uint8 holds = $.clockHolds;
        if (holds & hold != 0) return;
        if (holds == 0) $.clockStoppedAt = uint40(block.timestamp);
        $.clockHolds = holds | hold;
        emit MarketClockStopped(holds | hold);
    }

    function _resumeClock(JobMarketStorage storage $, uint8 hold) private {
        uint8 holds = $.clockHolds;
        if (holds & hold == 0) return;
        holds &= ~hold;
        $.clockHolds = holds;
        if (holds == 0) {
            // Safe cast: the offset is at most the wall-clock time.
            $.clockOffset += uint40(block.timestamp - $.clockStoppedAt);
            $.clockStoppedAt = 0;
            emit MarketClockResumed($.clockOffset);
        } else {
            emit MarketClockStopped(holds);
        }
    }

    /// @dev Pausing the market stops its clock: no provider can miss a deadline while it cannot deliver.
    function _pause() internal override {
        super._pause();
        _stopClock(_s(), _HOLD_MARKET_PAUSED);
    }

    function _unpause() internal override {
        super._unpause();
        _resumeClock(_s(), _HOLD_MARKET_PAUSED);
    }

    function _requireStatus(Job storage job, uint256 jobId, JobStatus expected) private view {
        if (job.status != expected) revert MarketJobNotInStatus(jobId, job.status);
    }

    function _setFeeSplit(FeeSplit memory split) private {
        _checkBounds("providerBps", split.providerBps, MIN_PROVIDER_BPS, _BPS);
        _checkBounds("gasSubsidyBps", split.gasSubsidyBps, 0, MAX_GAS_SUBSIDY_BPS);
        _checkBounds("treasuryBps", split.treasuryBps, 0, MAX_TREASURY_BPS);
        _checkBounds("modelCreatorBps", split.modelCreatorBps, 0, MAX_MODEL_CREATOR_BPS);
        uint256 sum = uint256(split.providerBps) + split.gasSubsidyBps + split.treasuryBps + split.modelCreatorBps;
        if (sum != _BPS) revert MarketInvalidFeeSplit(sum);
        _s().feeSplit = split;
        emit FeeSplitSet(split);
    }

    function _setMarketParameters(MarketParameters memory p) private {
        _checkBounds("collateralBps", p.collateralBps, MIN_COLLATERAL_BPS, MAX_COLLATERAL_BPS);
        _checkBounds(
            "optimisticReputationFloor",
            p.optimisticReputationFloor,
            MIN_OPTIMISTIC_FLOOR,
            MAX_OPTIMISTIC_FLOOR
        );
        _checkBounds("revealWindow", p.revealWindow, MIN_REVEAL_WINDOW, MAX_REVEAL_WINDOW);
        _checkBounds("challengeWindow", p.challengeWindow, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        _checkBounds("minDeliveryWindow", p.minDeliveryWindow, MIN_DELIVERY_WINDOW_BOUND, MAX_DELIVERY_WINDOW_BOUND);
        _checkBounds("maxJobDuration", p.maxJobDuration, MIN_JOB_DURATION_BOUND, MAX_JOB_DURATION_BOUND);
        _s().parameters = p;
        emit MarketParametersSet(p);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert MarketParameterOutOfBounds(parameter, value, min, max);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IJobMarket
/// @notice Escrow and lifecycle of GPU jobs. A requester's AGPU goes into escrow at submission and leaves exactly
/// once: to the providers whose results were accepted and the protocol's shares, or back to the requester.
///
/// Lifecycle: `Open` (slots are claimed, results committed and revealed, or submitted with evidence) -> `Verified`
/// (results accepted; the challenge window runs, during which the requester may dispute and a sampled validator
/// may audit) -> `Settled`, possibly through `Disputed`. A job in which no result is accepted ends `Refunded`, as
/// does one whose dispute or failed audit is upheld; an unclaimed job may be `Cancelled`. Those three states are
/// terminal.
///
/// Time: every window (delivery, reveal, challenge, the job's deadline) runs on the market's clock, which stops
/// while the market or the VerificationHub is paused, so that no deadline passes, and nobody is slashed or loses
/// a recourse, while the action it needs is refused. Views and events give wall-clock times as of the moment they
/// are read or emitted: a time read before a pause moves later by the pause's length.
interface IJobMarket {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice The rung of the verification ladder a job is checked on.
    /// @dev Consensus: more than half of the job's 3 slots must reveal the same result; dissenters are slashed unless
    /// an audit proves them right. A split (no majority) is Verified with nothing accepted and always audited.
    /// Optimistic: providers above the optimistic reputation floor only; accepted unless challenged.
    /// TEE: each result is signed by the enclave key of the provider's allowed attestation.
    /// ZK: each result carries a proof checked by the verifier registered for the job's workload class.
    enum VerificationMode {
        Consensus,
        Optimistic,
        TEE,
        ZK
    }

    enum JobStatus {
        None,
        Open,
        Verified,
        Disputed,
        Settled,
        Refunded,
        Cancelled
    }

    /// @notice How the hub's committee ended a dispute, as the market carries it out (see {closeDispute}).
    enum DisputeOutcome {
        Upheld,
        Dismissed,
        Reopened
    }

    /// @dev Open -> Claimed -> Committed -> Revealed, or Claimed -> Revealed in one step where nobody could copy
    /// (a single slot, or a ZK proof bound to its provider). A slot whose provider misses its deadline is reopened
    /// while the job's deadline leaves room for another delivery window, and becomes Missed otherwise.
    enum SlotStatus {
        Open,
        Claimed,
        Committed,
        Revealed,
        Missed
    }

    /// @notice What a requester asks for.
    /// @param modelCommitment Commitment to the model (for a dense-layer job: the Poseidon hash of its weights).
    /// @param inputCommitment Commitment to the input (for a dense-layer job: the Poseidon hash of the input).
    /// @param zone Where the job should run; the PricingEngine may move it to a cheaper neighbour when
    /// `spilloverAllowed` and the zone is congested.
    /// @param tier A PricingEngine tier: sets the price multiplier and the providers' reputation floor.
    /// @param spilloverAllowed Whether the job may be priced and served in a cheaper, uncongested neighbour zone.
    /// @param redundancy How many providers compute the job independently (1-3; Consensus needs at least 2).
    /// @param mode The rung of the verification ladder.
    /// @param workloadClass The ZK verifier the results are checked by (ZK mode only).
    /// @param gpuHours GPU-hours per provider; the escrow is the quote's price x gpuHours x redundancy.
    /// @param minVramMiB The least VRAM a provider's GPU must have.
    /// @param minComputeCapability The least CUDA compute capability (x10, e.g. 90 for 9.0).
    /// @param teeRequired Whether providers must hold an allowed TEE attestation (always, in TEE mode).
    /// @param provenHardware Whether providers must have proven the hardware thresholds with a capability proof,
    /// rather than only declared them.
    /// @param deadline When the last result must be in.
    /// @param deliveryWindow How long a provider has to deliver after claiming a slot.
    /// @param modelCreator Who earns the model creator's share (none: the zero address, the share goes to the
    /// provider).
    /// @param maxTotal The most the requester accepts to escrow: the quote above it is refused.
    // solhint-disable-next-line gas-struct-packing
    struct JobSpec {
        bytes32 modelCommitment;
        bytes32 inputCommitment;
        bytes32 zone;
        uint8 tier;
        bool spilloverAllowed;
        uint8 redundancy;
        VerificationMode mode;
        uint8 workloadClass;
        uint32 gpuHours;
        uint32 minVramMiB;
        uint16 minComputeCapability;
        bool teeRequired;
        bool provenHardware;
        uint64 deadline;
        uint32 deliveryWindow;
        address modelCreator;
        uint256 maxTotal;
    }

    /// @notice A job as stored. `specHash` is keccak256(abi.encode(modelCommitment, inputCommitment)); it is kept
    /// in storage for ZK jobs only, whose proofs are checked against it (JobSubmitted carries it for every job).
    /// @param reputationFloor The composite reputation a provider needs to claim: the tier's floor at submission,
    /// raised to the optimistic floor for Optimistic jobs.
    /// @param acceptedSlots Bit i set: slot i's result was accepted and will be paid.
    /// @param collateralBps Each provider's collateral, in basis points of its share of the escrow.
    /// @param zone The zone the job is served in: the requested zone, or the neighbour the quote spilled it to.
    /// @param revealEndsAt The end of the reveal phase, once every slot has committed or missed.
    /// @param challengeEndsAt The end of the challenge window, once the job is Verified.
    struct Job {
        address requester;
        JobStatus status;
        VerificationMode mode;
        uint8 tier;
        uint8 redundancy;
        uint8 workloadClass;
        uint8 acceptedSlots;
        uint16 reputationFloor;
        bool teeRequired;
        bool provenHardware;
        address modelCreator;
        uint40 deadline;
        uint32 deliveryWindow;
        uint16 collateralBps;
        bytes32 zone;
        bytes32 specHash;
        uint96 escrow;
        uint32 gpuHours;
        uint32 minVramMiB;
        uint16 minComputeCapability;
        uint40 revealEndsAt;
        uint40 challengeEndsAt;
    }

    /// @notice One provider's place in a job.
    /// @param provider The claimant; for a reopened Open slot, the provider who missed it (barred from the job).
    /// @param claimedAt When the slot was claimed.
    /// @param deliverBy The delivery deadline: the delivery window after the claim, capped by the job's deadline.
    /// @param speedPercent How much of the delivery window was left at delivery, in percent (the speed score).
    /// @param result The commitment until the reveal, then the result.
    // Two words: the first packs provider, status, both timestamps and the speed exactly.
    // solhint-disable-next-line gas-struct-packing
    struct Slot {
        address provider;
        SlotStatus status;
        uint40 claimedAt;
        uint40 deliverBy;
        uint8 speedPercent;
        bytes32 result;
    }

    /// @notice The exchange of a sealed job's key for one slot, on chain so that a withheld key is provable.
    /// @param requestedBy The provider that asked for the key: the slot's claimer at the time of its request (a slot
    /// reclaimed after a miss holds another provider, whose request starts afresh).
    /// @param released Whether the requester released the key to `requestedBy`.
    struct KeyExchange {
        address requestedBy;
        bool released;
    }

    /// @notice Settlement shares in basis points, summing to 10 000. The model creator's share goes to the
    /// provider when a job has no model creator.
    struct FeeSplit {
        uint16 providerBps;
        uint16 gasSubsidyBps;
        uint16 treasuryBps;
        uint16 modelCreatorBps;
    }

    /// @notice Market timing and risk parameters, each bounded in code.
    /// @param collateralBps Collateral a provider locks per slot, in basis points of the slot's payment.
    /// @param optimisticReputationFloor The composite reputation a provider needs to claim an Optimistic job.
    /// @param revealWindow How long providers have to reveal once every slot has committed.
    /// @param challengeWindow How long a Verified job can be disputed or audited before it settles.
    /// @param minDeliveryWindow The shortest delivery window a job may ask for.
    /// @param maxJobDuration The furthest a job's deadline may lie in the future.
    struct MarketParameters {
        uint16 collateralBps;
        uint16 optimisticReputationFloor;
        uint32 revealWindow;
        uint32 challengeWindow;
        uint32 minDeliveryWindow;
        uint32 maxJobDuration;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    error MarketZeroAddress();
    error MarketZeroHours();
    error MarketInvalidRedundancy(uint256 redundancy, VerificationMode mode);
    error MarketInvalidDeliveryWindow(uint256 deliveryWindow, uint256 min, uint256 max);
    error MarketInvalidDeadline(uint256 deadline, uint256 earliest, uint256 latest);
    error MarketPriceAboveLimit(uint256 total, uint256 maxTotal);
    error MarketEscrowTooLarge(uint256 total);
    error MarketUnsupportedWorkload(uint8 workloadClass);
    error MarketUnknownJob(uint256 jobId);
    error MarketJobNotInStatus(uint256 jobId, JobStatus status);
    error MarketNotRequester(uint256 jobId, address caller);
    error MarketJobHasClaims(uint256 jobId);
    error MarketInvalidSlot(uint256 jobId, uint256 slot);
    error MarketSlotNotInStatus(uint256 jobId, uint256 slot, SlotStatus status);
    error MarketNotSlotProvider(uint256 jobId, uint256 slot, address caller);
    error MarketNoOpenSlot(uint256 jobId);
    error MarketAlreadyAssigned(uint256 jobId, address provider);
    error MarketRequesterCannotClaim(uint256 jobId);
    error MarketClaimTooLate(uint256 jobId, uint256 deadline);
    error MarketProviderNotEligible(address provider);
    error MarketWrongZone(address provider, bytes32 providerZone, bytes32 jobZone);
    error MarketHardwareBelowRequirement(address provider);
    error MarketHardwareNotProven(address provider);
    error MarketChallengeWindowClosed(uint256 jobId, uint256 challengeEndsAt);
    error MarketReputationBelowFloor(address provider, uint256 reputation, uint256 floor);
    error MarketAttestationRequired(address provider);
    error MarketDeliveryOverdue(uint256 jobId, uint256 slot, uint256 deliverBy);
    error MarketWrongMode(uint256 jobId, VerificationMode mode);
    error MarketCommitRevealRequired(uint256 jobId);
    error MarketRevealNotOpen(uint256 jobId);
    error MarketRevealClosed(uint256 jobId, uint256 revealEndsAt);
    error MarketResultMismatch(uint256 jobId, uint256 slot);
    error MarketZeroResult();
    error MarketSlotNotExpired(uint256 jobId, uint256 slot);
    error MarketChallengeWindowOpen(uint256 jobId, uint256 challengeEndsAt);
    error MarketInvalidFeeSplit(uint256 sum);
    error MarketParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);
    error MarketNothingToSweep();
    error MarketModelCreatorIsRequester(address requester);
    error MarketInvalidBatchSize(uint256 size, uint256 max);
    /// @notice A key request's public key is not 64 bytes (an uncompressed secp256k1 point without its prefix).
    error MarketInvalidPublicKey(uint256 length);
    /// @notice A key request's public key is not the slot's key holder's: the provider's node key, or for a TEE job
    /// the enclave key the registry attests for it (`expected`).
    error MarketNotKeyHolder(uint256 jobId, uint256 slot, address keyAddress, address expected);
    /// @notice A key request came after the first quarter of the delivery window (which ended at `requestBy`):
    /// the requester is owed the time to answer it.
    error MarketKeyRequestLate(uint256 jobId, uint256 slot, uint256 requestBy);
    /// @notice The slot's claimer has not asked for the job key (or the slot changed hands since it asked).
    error MarketKeyNotRequested(uint256 jobId, uint256 slot);
    /// @notice The job key was already requested or released for this slot's claimer.
    error MarketKeyAlreadyExchanged(uint256 jobId, uint256 slot);
    /// @notice A release came after `releaseBy`, the last moment (the market's clock) at which more than half the
    /// slot's delivery window was left: from then on the claimer may report the key withheld, and a key arriving
    /// after it did would turn an excused report into a false one.
    error MarketKeyReleaseLate(uint256 jobId, uint256 slot, uint256 releaseBy);
    /// @notice A wrapped key is empty or longer than 256 bytes (an ECIES-wrapped job key takes 125).
    error MarketInvalidWrappedKey(uint256 length);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A job was submitted and its escrow taken. `specHash` is keccak256(abi.encode(modelCommitment,
    /// inputCommitment)); the two commitments are carried too, so that a provider can find the job's content (a
    /// manifest job's `modelCommitment` is the sha2-256 digest of its manifest, i.e. of the manifest's CID).
    event JobSubmitted(
        uint256 indexed jobId,
        address indexed requester,
        bytes32 indexed zone,
        bytes32 requestedZone,
        uint8 tier,
        VerificationMode mode,
        uint8 redundancy,
        uint32 gpuHours,
        uint256 pricePerGpuHour,
        uint256 escrow,
        uint64 deadline,
        bytes32 specHash,
        bytes32 modelCommitment,
        bytes32 inputCommitment
    );
    event JobCancelled(uint256 indexed jobId, uint256 refund);
    event SlotClaimed(
        uint256 indexed jobId,
        uint256 indexed slot,
        address indexed provider,
        uint256 collateral,
        uint64 deliverBy
    );
    event ResultCommitted(uint256 indexed jobId, uint256 indexed slot, address indexed provider, bytes32 commitment);
    event RevealOpened(uint256 indexed jobId, uint64 revealEndsAt);
    event ResultRevealed(uint256 indexed jobId, uint256 indexed slot, address indexed provider, bytes32 result);
    event SlotMissed(uint256 indexed jobId, uint256 indexed slot, address indexed provider, bool reopened);
    event ResultRejected(uint256 indexed jobId, uint256 indexed slot, address indexed provider, bytes32 result);
    /// @notice The claimer of a sealed job's slot asked for the job key, wrapped to `publicKey` (64 bytes: its node
    /// key, or its attested enclave's for a TEE job).
    event JobKeyRequested(uint256 indexed jobId, uint256 indexed slot, address indexed provider, bytes publicKey);
    /// @notice The requester released the job key to the slot's claimer, wrapped to the key it asked with.
    event JobKeyReleased(uint256 indexed jobId, uint256 indexed slot, address indexed provider, bytes wrappedKey);
    event JobVerified(uint256 indexed jobId, uint8 acceptedSlots, uint64 challengeEndsAt);
    event DisputeStarted(uint256 indexed jobId);
    event DisputeClosed(uint256 indexed jobId, bool upheld, address indexed challenger);
    event ProviderPaid(
        uint256 indexed jobId,
        uint256 indexed slot,
        address indexed provider,
        uint256 providerAmount,
        uint256 modelCreatorAmount,
        uint256 treasuryAmount
    );
    event JobSettled(uint256 indexed jobId, uint256 paid, uint256 refund);
    event JobRefunded(uint256 indexed jobId, uint256 refund);
    /// @notice A job of a {finalizeMany} batch was left as it was: it is not Verified (`status`), or its challenge
    /// window is still open (until `challengeEndsAt`, wall-clock; zero when the job has none).
    event FinalizeSkipped(uint256 indexed jobId, JobStatus status, uint64 challengeEndsAt);
    /// @notice A job of a {claimMany} batch was not claimed: `reason` is the selector of the error {claimSlot} would
    /// have reverted with for it (a market error, or {IStaking-StakingInsufficientAvailableStake} when the stake
    /// left after the batch's earlier claims does not cover its collateral).
    event ClaimSkipped(uint256 indexed jobId, bytes4 reason);
    event FeesSwept(address indexed treasury, uint256 amount);
    event FeeSplitSet(FeeSplit split);
    event MarketParametersSet(MarketParameters parameters);
    /// @notice The market's clock stopped (or stays stopped): `holds` has bit 0 set while the market is paused and
    /// bit 1 while the VerificationHub is.
    event MarketClockStopped(uint8 holds);
    /// @notice The market's clock runs again; `offset` is the total time it has stood still.
    event MarketClockResumed(uint256 offset);

    // ---------------------------------------------------------------------------------------------
    // Requesters
    // ---------------------------------------------------------------------------------------------

    /// @notice Quotes `spec` with the PricingEngine, escrows the total from the caller and opens the job.
    /// @return jobId The new job's id (ids start at 1).
    function submitJob(JobSpec calldata spec) external returns (uint256 jobId);

    /// @notice Releases a sealed job's key to the claimer of `slot` that asked for it: `wrappedKey` is the key wrapped
    /// to the public key of its {JobKeyRequested}. Only the job's requester, while the slot is Claimed and more than
    /// half its delivery window is left. A claimer that asked in time and was not answered by then reports the
    /// `key-withheld` failure; the market pays it rather than slash it.
    function releaseJobKey(uint256 jobId, uint256 slot, bytes calldata wrappedKey) external;

    /// @notice Cancels an Open job no provider has claimed, refunding the whole escrow.
    function cancelJob(uint256 jobId) external;

    // ---------------------------------------------------------------------------------------------
    // Providers
    // ---------------------------------------------------------------------------------------------

    /// @notice Claims the first open slot of `jobId` for the caller, locking its collateral.
    /// @return slot The claimed slot's index.
    function claimSlot(uint256 jobId) external returns (uint256 slot);

    /// @notice {claimSlot} for up to `MAX_CLAIM_BATCH` jobs in one transaction, each with the same checks, and the
    /// collateral of all of them locked at once. A job that cannot be claimed (unknown, not Open, already held by
    /// the caller or named twice, the caller not eligible, no open slot, the stake used up) is skipped with
    /// {ClaimSkipped} and does not stop the others; an empty or oversized batch is refused.
    /// @return slots Each job's claimed slot, in the order given, or `type(uint256).max` for a job skipped.
    function claimMany(uint256[] calldata jobIds) external returns (uint256[] memory slots);

    /// @notice Asks the requester for a sealed job's key, to be wrapped to `publicKey` (64 bytes): the caller's node
    /// key, or for a TEE job its attested enclave's. Only the slot's claimer, once, in the first quarter of its
    /// delivery window. A recorded request that goes unanswered excuses the claimer's `key-withheld` result.
    function requestJobKey(uint256 jobId, uint256 slot, bytes calldata publicKey) external;

    /// @notice Commits keccak256(abi.encode(jobId, slot, provider, result, salt)) for a claimed slot.
    function commitResult(uint256 jobId, uint256 slot, bytes32 commitment) external;

    /// @notice Reveals a committed result once every slot has committed or missed. `evidence` is the enclave
    /// signature in TEE mode and empty otherwise.
    function revealResult(uint256 jobId, uint256 slot, bytes32 result, bytes32 salt, bytes calldata evidence) external;

    /// @notice Delivers a result in one step: for a single-slot job, or in ZK mode (the proof binds the result
    /// to its provider, so nobody can copy it). `evidence` is the mode's evidence: an enclave signature (TEE),
    /// an encoded proof (ZK), or empty.
    function submitResult(uint256 jobId, uint256 slot, bytes32 result, bytes calldata evidence) external;

    // ---------------------------------------------------------------------------------------------
    // Anyone
    // ---------------------------------------------------------------------------------------------

    /// @notice Deals with a slot whose provider missed its deadline (or, once the job's deadline has passed, a slot
    /// never claimed): slashes the provider out of the job's collateral, bars it from the job, and reopens the slot
    /// while the job's deadline leaves room for a delivery window. When no slot is left pending, the job's results
    /// are tallied. Refused while the market is paused.
    function expireSlot(uint256 jobId, uint256 slot) external;

    /// @notice Pays a Verified job whose challenge window has passed: the accepted providers, the model creator
    /// and the treasury; the shares of rejected or missed slots go back to the requester.
    function finalize(uint256 jobId) external;

    /// @notice {finalize} for up to `MAX_FINALIZE_BATCH` jobs in one transaction, each with the same checks. A job
    /// that cannot be finalized yet (unknown, not Verified, a duplicate, its window open) is skipped with
    /// {FinalizeSkipped} and does not stop the others; an empty or oversized batch is refused.
    /// @return settled How many of the jobs were settled.
    function finalizeMany(uint256[] calldata jobIds) external returns (uint256 settled);

    /// @notice Sends the treasury's accrued settlement shares to the Treasury.
    function sweepFees() external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------------
    // Verification hub (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Freezes a Verified job within its challenge window while the hub's committee decides.
    function startDispute(uint256 jobId) external;

    /// @notice Ends a dispute.
    /// Upheld: every provider shown wrong is slashed for fraud (`challenger` earns the bounty) and pays its part of
    /// `courtFee` to the hub for the jurors; every slot that revealed `claimedResult` (the result a committee
    /// confirmed) is paid its share; the requester gets the rest of the escrow back. Without a claimed result (a
    /// requester's dispute) the accepted providers are the ones shown wrong, and a dissenter's collateral is freed.
    /// Dismissed: the job settles at once. Reopened (an auditor's claim was rejected, which shows only that the
    /// auditor was wrong): the job is Verified again with a fresh challenge window.
    /// @return collected The court fee taken from the providers shown wrong and sent to the hub.
    function closeDispute(
        uint256 jobId,
        DisputeOutcome outcome,
        address challenger,
        bytes32 claimedResult,
        uint256 courtFee
    ) external returns (uint256 collected);

    /// @notice Stops (`held`) or lets run again the market's clock for the hub's pause: the challenge windows of
    /// its jobs wait while disputes and audits cannot be opened.
    function holdClock(bool held) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    function setFeeSplit(FeeSplit calldata split) external;

    function setMarketParameters(MarketParameters calldata parameters) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    function jobOf(uint256 jobId) external view returns (Job memory);

    function slotsOf(uint256 jobId) external view returns (Slot[] memory);

    /// @notice The commitment a provider posts for `result` and `salt`.
    function commitmentOf(
        uint256 jobId,
        uint256 slot,
        address provider,
        bytes32 result,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice The collateral a provider locks to claim a slot of `jobId`.
    function collateralOf(uint256 jobId) external view returns (uint256);

    /// @notice The exchange of a sealed job's key for `slot`: who asked, and whether the requester answered.
    function keyExchangeOf(uint256 jobId, uint256 slot) external view returns (KeyExchange memory);

    function jobCount() external view returns (uint256);

    /// @notice The market's clock: wall-clock seconds less every second it stood still (it stands still while the
    /// market or the hub is paused).
    function clock() external view returns (uint256);

    function feeSplit() external view returns (FeeSplit memory);

    function marketParameters() external view returns (MarketParameters memory);

    /// @notice AGPU held for open jobs: escrows not yet paid out or refunded.
    function totalEscrowed() external view returns (uint256);

    /// @notice The treasury's settled shares not yet swept.
    function unsweptFees() external view returns (uint256);
}

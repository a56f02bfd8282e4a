// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVerificationHub
/// @notice The verification ladder's evidence checks (enclave signatures, ZK proofs per workload class), random
/// audits of verified jobs, and disputes decided by a committee of staked validators. The JobMarket holds the
/// money; the hub decides and tells the market.
///
/// Committees: validators opt into a juror pool. When a dispute opens, nobody knows its committee: it is drawn
/// from the hash of a later block, each seat with probability proportional to the available stake of the pool's
/// eligible validators (so splitting stake across sybils buys nothing), excluding the job's requester, providers
/// and the challenger. Each juror locks a juror collateral, commits a hidden vote, then reveals it; jurors who vote
/// with the outcome get their collateral back and share the collateral of those who voted against it or never
/// revealed. A verdict needs a majority of the whole committee's size; nothing is first-come.
///
/// Appeals: once a committee has voted, anyone may appeal its ruling within the appeal period by posting one
/// juror collateral; a new committee twice as large plus one, drawn from validators not seated yet, votes again.
/// Only the last committee's ruling is carried out, and every juror of every round is settled against it, so a
/// captured small committee loses its collateral when a larger one reverses it. An appeal bond comes back when the
/// final verdict differs from the ruling appealed; otherwise the coherent jurors share it.
interface IVerificationHub {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Where a verified job stands in the audit draw. Pending: its randomness (the hash of a block after
    /// the one that verified it) is not known yet. Sampled or Skipped once it is; a job whose randomness is no
    /// longer readable (older than 256 blocks) without having been drawn counts as Sampled, never as safe.
    enum AuditDraw {
        None,
        Pending,
        Sampled,
        Skipped
    }

    /// @notice How a dispute ended. NoDecision: too few committee votes to decide either way.
    enum Verdict {
        Pending,
        Upheld,
        Rejected,
        NoDecision
    }

    /// @param challenger The requester who disputed, or the validator whose audit found a mismatch.
    /// @param commitEndsAt When jurors stop committing votes (0 until the committee is drawn).
    /// @param votingEndsAt When jurors stop revealing votes (0 until the committee is drawn). Both are kept on the
    /// market's clock; {disputeOf} gives them as wall-clock times.
    /// @param upholdVotes Revealed votes for the challenger: that the accepted results are wrong (a requester's
    /// dispute), or that the auditor's `result` is the right one (an audit's).
    /// @param rejectVotes Revealed votes against it.
    /// @param committeeSize The committee's size when the dispute opened; a verdict needs a majority of it.
    /// @param audit Whether the challenger is an auditing validator: it locks the job's collateral from its stake
    /// instead of a bond, and loses part of it if the committee rejects its claim.
    /// @param verdict Pending while the committee votes.
    /// @param drawBlock The block whose hash draws the committee.
    /// @param jurors How many jurors were drawn (fewer than the size when the pool is short).
    /// @param commits How many jurors have committed a vote.
    /// @param bond The requester's bond, held by the hub until the verdict.
    /// @param round 0 for the first committee, +1 per appeal; the vote counts, phases and size are the round's.
    /// @param appealEndsAt Until when the round's ruling may be appealed (on the market's clock, like the phases):
    /// the appeal period after the reveal phase, or after the last reveal when every juror revealed early.
    /// @param result The result an auditor claims is right (zero for a requester's dispute).
    /// @param courtFee What the losing side pays the jurors who vote with the outcome: the first committee's seats
    /// times the juror fee. A requester posts it with its bond; an auditor answers for it with its collateral; the
    /// providers shown wrong pay it out of theirs.
    // Two words, then the result and the fee: the first packs the challenger, both phase ends and the vote counts.
    // solhint-disable-next-line gas-struct-packing
    struct Dispute {
        address challenger;
        uint40 commitEndsAt;
        uint40 votingEndsAt;
        uint8 upholdVotes;
        uint8 rejectVotes;
        uint8 committeeSize;
        bool audit;
        Verdict verdict;
        uint64 drawBlock;
        uint8 jurors;
        uint8 commits;
        uint96 bond;
        uint8 round;
        uint40 appealEndsAt;
        bytes32 result;
        uint128 courtFee;
    }

    /// @notice A drawn juror's vote: the commitment, then the revealed vote, in the round it was seated for.
    struct Juror {
        bool drawn;
        bool revealed;
        bool uphold;
        uint8 round;
        bytes32 commitment;
    }

    /// @notice An appeal of round `round`'s ruling: who appealed, the ruling it appealed, and its bond (one juror
    /// collateral, at most MAX_JUROR_COLLATERAL, well within 88 bits: the record fits one word).
    // One word exactly (20 + 1 + 11 bytes); the linter does not size the enum.
    // solhint-disable-next-line gas-struct-packing
    struct Appeal {
        address appellant;
        Verdict appealed;
        uint88 bond;
    }

    /// @param auditRateBps The share of verified jobs sampled for an audit.
    /// @param disputeBondBps A requester's dispute bond, in basis points of the job's escrow.
    /// @param votingPeriod How long the committee has to commit its votes once drawn.
    /// @param committeeSize How many validators vote on a dispute; a verdict needs a majority of this size.
    /// @param revealPeriod How long jurors have to reveal their votes after the commit phase.
    /// @param jurorCollateral What each juror locks from its stake, and loses for voting against the outcome or
    /// not revealing; also the bond of an appeal.
    /// @param appealPeriod How long a committee's ruling may be appealed once its votes are in.
    /// @param jurorFeeBps Each first-committee seat's fee, in basis points of one slot's share of the job's escrow:
    /// the losing side pays it, the jurors who vote with the outcome share it.
    struct HubParameters {
        uint16 auditRateBps;
        uint16 disputeBondBps;
        uint32 votingPeriod;
        uint8 committeeSize;
        uint32 revealPeriod;
        uint96 jurorCollateral;
        uint32 appealPeriod;
        uint16 jurorFeeBps;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    error HubZeroAddress();
    error HubMarketAlreadySet(address market);
    error HubUnsupportedWorkload(uint8 workloadClass);
    error HubInvalidProof(uint256 jobId, address provider);
    error HubNoValidAttestation(address provider);
    error HubInvalidEnclaveSignature(uint256 jobId, address provider);
    error HubNotRequester(uint256 jobId, address caller);
    error HubNotValidator(address caller);
    error HubConflictedValidator(uint256 jobId, address validator);
    error HubJobNotVerified(uint256 jobId);
    error HubChallengeWindowClosed(uint256 jobId, uint256 challengeEndsAt);
    error HubNotSampledForAudit(uint256 jobId);
    error HubAlreadyAudited(uint256 jobId, address validator);
    error HubNoOpenDispute(uint256 jobId);
    error HubNothingAccepted(uint256 jobId);
    error HubZeroResult();
    error HubVotingOpen(uint256 jobId, uint256 votingEndsAt);
    error HubAlreadyInPool(address validator);
    error HubNotInPool(address validator);
    error HubPoolFull(uint256 size);
    error HubCommitteeAlreadyDrawn(uint256 jobId);
    error HubCommitteeDrawPending(uint256 jobId, uint256 drawBlock);
    error HubCommitteeNotDrawn(uint256 jobId);
    error HubNotJuror(uint256 jobId, address caller);
    error HubAlreadyCommitted(uint256 jobId, address juror);
    error HubCommitClosed(uint256 jobId, uint256 commitEndsAt);
    error HubRevealNotOpen(uint256 jobId, uint256 commitEndsAt);
    error HubRevealClosed(uint256 jobId, uint256 revealEndsAt);
    error HubVoteMismatch(uint256 jobId, address juror);
    error HubParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);
    error HubNoAuditDraw(uint256 jobId);
    error HubAuditDrawPending(uint256 jobId, uint256 seedBlock);
    error HubNotMarket(address caller);
    /// @notice The round's ruling can no longer be appealed.
    error HubAppealClosed(uint256 jobId, uint256 appealEndsAt);
    /// @notice The ruling may still be appealed: the dispute resolves once the appeal period is over.
    error HubAppealOpen(uint256 jobId, uint256 appealEndsAt);
    /// @notice The committee is as large as appeals go (the next would exceed the largest committee).
    error HubNoMoreAppeals(uint256 jobId);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    event MarketSet(address indexed market);
    event WorkloadVerifierSet(uint8 indexed workloadClass, address indexed verifier);
    event AuditPassed(uint256 indexed jobId, address indexed validator, bytes32 result);
    event AuditFailed(uint256 indexed jobId, address indexed validator, bytes32 result);
    /// @notice A dispute opened; its committee will be drawn from the hash of block `drawBlock`.
    event DisputeOpened(uint256 indexed jobId, address indexed challenger, uint256 bond, uint256 drawBlock);
    /// @notice The committee could not be drawn in time (its block hash is gone): it will be drawn from `drawBlock`.
    event CommitteeDrawScheduled(uint256 indexed jobId, uint256 drawBlock);
    event CommitteeDrawn(uint256 indexed jobId, address[] jurors, uint64 commitEndsAt, uint64 votingEndsAt);
    event VoteCommitted(uint256 indexed jobId, address indexed juror);
    /// @notice A juror revealed its vote.
    event DisputeVoteCast(uint256 indexed jobId, address indexed validator, bool uphold);
    /// @notice A juror who voted with the outcome got its collateral back plus `reward`.
    event JurorRewarded(uint256 indexed jobId, address indexed juror, uint256 reward);
    /// @notice A juror who voted against the outcome, or never revealed, lost `amount` of its collateral.
    event JurorPenalized(uint256 indexed jobId, address indexed juror, uint256 amount);
    event PoolJoined(address indexed validator);
    event PoolLeft(address indexed validator);
    event DisputeResolved(uint256 indexed jobId, Verdict verdict, uint8 upholdVotes, uint8 rejectVotes);
    event BondReturned(uint256 indexed jobId, address indexed challenger, uint256 amount);
    event BondForfeited(uint256 indexed jobId, address indexed provider, uint256 amount);
    event HubParametersSet(HubParameters parameters);
    /// @notice The audit draw of a job was recorded.
    event AuditDrawn(uint256 indexed jobId, bool sampled);
    /// @notice `appellant` appealed the ruling of the round before `round`; a committee of `committeeSize` will be
    /// drawn from the hash of block `drawBlock`.
    event DisputeAppealed(
        uint256 indexed jobId,
        address indexed appellant,
        uint8 round,
        Verdict appealed,
        uint8 committeeSize,
        uint256 bond,
        uint256 drawBlock
    );
    /// @notice An appeal bond went back to its appellant (`returned`) or to the coherent jurors.
    event AppealSettled(uint256 indexed jobId, uint8 round, address indexed appellant, uint256 bond, bool returned);

    // ---------------------------------------------------------------------------------------------
    // Evidence (called by the market)
    // ---------------------------------------------------------------------------------------------

    /// @notice Reverts unless `signature` is the EIP-712 `TeeResult(jobId, provider, result)` signed by the enclave
    /// key of `provider`'s currently allowed attestation.
    function checkEnclaveSignature(
        uint256 jobId,
        address provider,
        bytes32 result,
        bytes calldata signature
    ) external view;

    /// @notice Reverts unless the verifier of `workloadClass` accepts `proof` for this job, provider and result.
    function checkProof(
        uint8 workloadClass,
        uint256 jobId,
        address provider,
        bytes32 specHash,
        bytes32 result,
        bytes calldata proof
    ) external view;

    /// @notice Schedules the audit draw of a job the market has just verified: it will be drawn from the hash of
    /// the next block, which nobody, the delivering provider included, knows when the job is verified (the block
    /// after the one carrying the job's `JobVerified`). Only the market the hub is wired to may call it.
    /// @param certain Sample the job whatever the draw (a consensus job with a dissenter, which a colluding
    /// majority could otherwise have slashed unchecked).
    function scheduleAudit(uint256 jobId, bool certain) external;

    // ---------------------------------------------------------------------------------------------
    // Audit draws (anyone)
    // ---------------------------------------------------------------------------------------------

    /// @notice Records a job's audit draw once its randomness is known, so that it stays known after the block
    /// hash is gone (an unrecorded draw whose block hash is gone counts as Sampled).
    /// @return sampled Whether the job was drawn for an audit.
    function drawAudit(uint256 jobId) external returns (bool sampled);

    // ---------------------------------------------------------------------------------------------
    // Audits and disputes
    // ---------------------------------------------------------------------------------------------

    /// @notice The requester disputes a Verified job's accepted results within its challenge window, posting the
    /// bond and the court fee (approved to the hub), which the hub holds until the verdict. A split job (nothing
    /// accepted) is for auditors to settle.
    function openDispute(uint256 jobId) external;

    /// @notice A staked validator reports its re-execution of a job sampled for audit, within the challenge
    /// window. A match with every accepted result is recorded and closes nothing (another validator may still
    /// report a mismatch). A mismatch, or any result for a split job, opens a dispute on whether `result` is the
    /// right one, with the validator as challenger, locking the job's collateral from the validator's stake until
    /// the verdict. Upheld, the slots that revealed `result` are paid and the others slashed; rejected, the
    /// auditor loses its collateral and the job returns to a fresh challenge window, open to other auditors.
    function reportAudit(uint256 jobId, bytes32 result) external;

    /// @notice Adds the caller, an eligible validator, to the juror pool.
    function joinPool() external;

    /// @notice Removes the caller from the juror pool (committees it already sits on are unaffected).
    function leavePool() external;

    /// @notice Draws a dispute's committee once its draw block's hash is known, locking each juror's collateral.
    /// If that hash is gone (after 256 blocks), schedules the draw on the next block instead.
    /// @return drawn Whether the committee was drawn.
    function drawCommittee(uint256 jobId) external returns (bool drawn);

    /// @notice A drawn juror commits `voteCommitment(jobId, juror, uphold, salt)` during the commit phase.
    function commitVote(uint256 jobId, bytes32 commitment) external;

    /// @notice A juror reveals its committed vote, after the commit phase (or once every juror has committed).
    /// @param uphold True: the job's accepted result is wrong.
    function revealVote(uint256 jobId, bool uphold, bytes32 salt) external;

    /// @notice Appeals the ruling of the dispute's current round, once its votes are in and within the appeal
    /// period, posting one juror collateral (approved to the hub) as the bond. Anyone may appeal: a party, or a
    /// juror who was outvoted.
    function appeal(uint256 jobId) external;

    /// @notice Closes a dispute once every juror of the last round has revealed or its reveal phase has ended and
    /// the appeal period is over (or no larger committee is possible), settles the jurors of every round and the
    /// appeal bonds against the last ruling, and has the market carry out the verdict. The loser pays: Upheld, the accused providers are slashed and the requester refunded (bond
    /// back); Rejected, a requester's bond goes to the accused providers and an auditing validator is slashed out
    /// of the collateral it locked; NoDecision, the bond or collateral goes back. Unless upheld, the job settles.
    /// Refused while the hub is paused (votes are refused then too).
    function resolveDispute(uint256 jobId) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Wires the hub to its market, once.
    function setMarket(address market) external;

    /// @notice Registers (or, with the zero address, removes) the verifier of a ZK workload class.
    function setWorkloadVerifier(uint8 workloadClass, address verifier) external;

    function setParameters(HubParameters calldata parameters) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The EIP-712 digest an enclave signs for a result.
    function teeResultDigest(uint256 jobId, address provider, bytes32 result) external view returns (bytes32);

    function isWorkloadSupported(uint8 workloadClass) external view returns (bool);

    function workloadVerifier(uint8 workloadClass) external view returns (address);

    function disputeOf(uint256 jobId) external view returns (Dispute memory);

    /// @notice Whether `validator` has reported an audit of `jobId`.
    function hasAudited(uint256 jobId, address validator) external view returns (bool);

    /// @notice Every juror seated on `jobId`'s dispute, in every round (each juror's round is in {jurorOf}).
    function jurorsOf(uint256 jobId) external view returns (address[] memory);

    /// @notice The appeal of round `round`'s ruling (an empty record when it was not appealed).
    function appealOf(uint256 jobId, uint256 round) external view returns (Appeal memory);

    function jurorOf(uint256 jobId, address juror) external view returns (Juror memory);

    /// @notice The commitment a juror posts for its vote.
    function voteCommitment(uint256 jobId, address juror, bool uphold, bytes32 salt) external pure returns (bytes32);

    function poolMembers() external view returns (address[] memory);

    function isInPool(address validator) external view returns (bool);

    /// @notice Where `jobId` stands in the audit draw.
    function auditDrawOf(uint256 jobId) external view returns (AuditDraw);

    /// @notice Whether `jobId` was drawn for an audit (or its randomness expired undrawn).
    function isAuditSampled(uint256 jobId) external view returns (bool);

    /// @notice The block whose hash draws `jobId`'s audit (0: none scheduled).
    function auditSeedBlockOf(uint256 jobId) external view returns (uint256);

    /// @notice What a requester posts to dispute `jobId`: the dispute bond and the court fee.
    function disputeBondOf(uint256 jobId) external view returns (uint256);

    function parameters() external view returns (HubParameters memory);

    function market() external view returns (address);

    /// @notice AGPU held as open disputes' bonds.
    function totalBonds() external view returns (uint256);

    function registry() external view returns (address);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IVerificationHub} from "../interfaces/IVerificationHub.sol";
import {IWorkloadVerifier} from "../interfaces/IWorkloadVerifier.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";
import {Sortition} from "./Sortition.sol";

/// @title VerificationHub
/// @notice Evidence checks for the TEE and ZK rungs of the ladder, random audits and disputes decided by committees
/// drawn by stake-weighted sortition with commit-reveal votes. It holds the dispute bonds and VERIFICATION_HUB on
/// the JobMarket, which keeps the escrows and carries out verdicts.
contract VerificationHub is ProtocolUpgradeable, ReentrancyGuardTransient, IVerificationHub {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------
    // Bounds that governance cannot cross
    // ---------------------------------------------------------------------------------------------

    uint256 public constant MAX_AUDIT_RATE_BPS = 10_000;
    uint256 public constant MIN_DISPUTE_BOND_BPS = 100;
    uint256 public constant MAX_DISPUTE_BOND_BPS = 5_000;
    uint256 public constant MIN_VOTING_PERIOD = 1 hours;
    uint256 public constant MAX_VOTING_PERIOD = 14 days;
    /// @notice A committee is never smaller than three: no single juror decides.
    uint256 public constant MIN_COMMITTEE_SIZE = 3;
    uint256 public constant MAX_COMMITTEE_SIZE = 21;
    uint256 public constant MIN_REVEAL_PERIOD = 1 hours;
    uint256 public constant MAX_REVEAL_PERIOD = 7 days;
    uint256 public constant MIN_JUROR_COLLATERAL = 1 ether;
    uint256 public constant MAX_JUROR_COLLATERAL = 1_000_000 ether;
    /// @notice The juror pool's size bound: a draw walks the whole pool.
    uint256 public constant MAX_POOL_SIZE = 128;

    /// @notice The EIP-712 type an enclave signs a result with (hashed at compile time).
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant TEE_RESULT_TYPEHASH = keccak256("TeeResult(uint256 jobId,address provider,bytes32 result)");

    /// @notice The slash reason of a validator whose audit claim the committee rejected.
    bytes32 public constant SLASH_FALSE_AUDIT = keccak256("hub.false-audit");
    /// @notice The forfeit reason of a juror who voted against the outcome or never revealed.
    bytes32 public constant FORFEIT_INCOHERENT_JUROR = keccak256("hub.incoherent-juror");

    uint256 private constant _BPS = 10_000;

    /// @dev The EIP-712 domain enclaves sign in: name "StarMiner VerificationHub", version "1", this chain and
    /// this proxy. Fixed at compile time (rather than kept in storage), since neither ever changes.
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant _DOMAIN_NAME_HASH = keccak256("StarMiner VerificationHub");
    bytes32 private constant _DOMAIN_VERSION_HASH = keccak256("1");

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.VerificationHub
    struct VerificationHubStorage {
        IJobMarket market;
        INodeRegistry registry;
        mapping(uint8 workloadClass => address verifier) workloadVerifiers;
        mapping(uint256 jobId => Dispute) disputes;
        mapping(uint256 jobId => mapping(address validator => bool)) voted; // unused since committees commit-reveal
        mapping(uint256 jobId => bool) audited; // unused since audits are per validator
        HubParameters parameters;
        IERC20 token;
        IStaking staking;
        uint256 totalBonds;
        mapping(uint256 jobId => AuditSchedule) audits;
        mapping(uint256 jobId => mapping(address validator => bool)) auditedBy;
        address[] pool;
        mapping(address validator => uint256 position) poolPosition;
        mapping(uint256 jobId => address[]) jurors;
        mapping(uint256 jobId => mapping(address juror => Juror)) votes;
    }

    /// @dev A job's audit draw: the block whose hash decides it, and the outcome once recorded.
    struct AuditSchedule {
        uint64 seedBlock;
        AuditDraw recorded;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.VerificationHub")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE = 0xb883355a2bf9fe0d93fec3754ec734ac7c89b43523a9445fa8cc8f9aae0e0c00;

    function _s() private pure returns (VerificationHubStorage storage $) {
        assembly {
            $.slot := _STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    /// @param registry_ The node registry (attestations, validator eligibility).
    /// @param staking_ Staking, to slash a validator whose audit claim is rejected.
    /// @param token_ AGPU, in which bonds are posted.
    function initialize(address authority, address registry_, address staking_, address token_) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (registry_ == address(0) || staking_ == address(0) || token_ == address(0)) revert HubZeroAddress();
        VerificationHubStorage storage $ = _s();
        $.registry = INodeRegistry(registry_);
        $.staking = IStaking(staking_);
        $.token = IERC20(token_);
        _setParameters(
            HubParameters({
                auditRateBps: 500,
                disputeBondBps: 1_000,
                votingPeriod: 2 days,
                committeeSize: 3,
                revealPeriod: 1 days,
                jurorCollateral: 250 ether
            })
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Evidence
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IVerificationHub
    function checkEnclaveSignature(
        uint256 jobId,
        address provider,
        bytes32 result,
        bytes calldata signature
    ) external view {
        address enclaveSigner = _s().registry.enclaveSignerOf(provider);
        if (enclaveSigner == address(0)) revert HubNoValidAttestation(provider);
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(
            teeResultDigest(jobId, provider, result),
            signature
        );
        if (error != ECDSA.RecoverError.NoError || signer != enclaveSigner) {
            revert HubInvalidEnclaveSignature(jobId, provider);
        }
    }

    /// @inheritdoc IVerificationHub
    function checkProof(
        uint8 workloadClass,
        uint256 jobId,
        address provider,
        bytes32 specHash,
        bytes32 result,
        bytes calldata proof
    ) external view {
        address verifier = _s().workloadVerifiers[workloadClass];
        if (verifier == address(0)) revert HubUnsupportedWorkload(workloadClass);
        // A malformed proof makes the verifier's decoding revert: that is an invalid proof too.
        try IWorkloadVerifier(verifier).verifyResult(jobId, provider, specHash, result, proof) returns (bool valid) {
            if (!valid) revert HubInvalidProof(jobId, provider);
        } catch {
            revert HubInvalidProof(jobId, provider);
        }
    }

    /// @inheritdoc IVerificationHub
    function scheduleAudit(uint256 jobId, bool certain) external {
        VerificationHubStorage storage $ = _s();
        // The market it is wired to, checked directly: cheaper than a role check on every verified job.
        if (msg.sender != address($.market)) revert HubNotMarket(msg.sender);
        // The next block's hash: unknown while the verifying transaction runs, so a provider can neither predict
        // it nor revert its delivery to dodge it.
        $.audits[jobId] = AuditSchedule(uint64(block.number + 1), certain ? AuditDraw.Sampled : AuditDraw.None);
        if (certain) emit AuditDrawn(jobId, true);
    }

    // ---------------------------------------------------------------------------------------------
    // Audit draws
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IVerificationHub
    function drawAudit(uint256 jobId) external returns (bool sampled) {
        return _recordDraw(_s(), jobId) == AuditDraw.Sampled;
    }

    // ---------------------------------------------------------------------------------------------
    // Audits and disputes
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IVerificationHub
    function openDispute(uint256 jobId) external whenNotPaused nonReentrant {
        VerificationHubStorage storage $ = _s();
        IJobMarket.Job memory job = _challengeable($, jobId);
        if (msg.sender != job.requester) revert HubNotRequester(jobId, msg.sender);
        _open($, jobId, msg.sender, _bondFor($, job.escrow), false);
    }

    /// @inheritdoc IVerificationHub
    function reportAudit(uint256 jobId, bytes32 result) external whenNotPaused nonReentrant {
        VerificationHubStorage storage $ = _s();
        IJobMarket.Job memory job = _challengeable($, jobId);
        if (_recordDraw($, jobId) != AuditDraw.Sampled) revert HubNotSampledForAudit(jobId);
        // A pass closes nothing: an accomplice's early "pass" cannot keep an honest auditor from reporting.
        if ($.auditedBy[jobId][msg.sender]) revert HubAlreadyAudited(jobId, msg.sender);
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        _requireIndependentValidator($, jobId, job.requester, slots, msg.sender);
        $.auditedBy[jobId][msg.sender] = true;

        for (uint256 i = 0; i < slots.length; ++i) {
            if (job.acceptedSlots & (1 << i) != 0 && slots[i].result != result) {
                emit AuditFailed(jobId, msg.sender, result);
                _open($, jobId, msg.sender, 0, true);
                // The auditor answers for its claim with as much as each accused provider put at risk.
                $.staking.lockCollateral(msg.sender, $.market.collateralOf(jobId));
                return;
            }
        }
        emit AuditPassed(jobId, msg.sender, result);
    }

    /// @inheritdoc IVerificationHub
    function joinPool() external whenNotPaused {
        VerificationHubStorage storage $ = _s();
        if (!$.registry.isEligible(msg.sender, NodeRoles.VALIDATOR)) revert HubNotValidator(msg.sender);
        if ($.poolPosition[msg.sender] != 0) revert HubAlreadyInPool(msg.sender);
        if ($.pool.length >= MAX_POOL_SIZE) revert HubPoolFull(MAX_POOL_SIZE);
        $.pool.push(msg.sender);
        $.poolPosition[msg.sender] = $.pool.length;
        emit PoolJoined(msg.sender);
    }

    /// @inheritdoc IVerificationHub
    function leavePool() external {
        VerificationHubStorage storage $ = _s();
        uint256 position = $.poolPosition[msg.sender];
        if (position == 0) revert HubNotInPool(msg.sender);
        address last = $.pool[$.pool.length - 1];
        $.pool[position - 1] = last;
        $.poolPosition[last] = position;
        $.pool.pop();
        delete $.poolPosition[msg.sender];
        emit PoolLeft(msg.sender);
    }

    /// @inheritdoc IVerificationHub
    function drawCommittee(uint256 jobId) external whenNotPaused nonReentrant returns (bool drawn) {
        VerificationHubStorage storage $ = _s();
        Dispute storage dispute = _openDispute($, jobId);
        if (dispute.commitEndsAt != 0) revert HubCommitteeAlreadyDrawn(jobId);
        uint256 drawBlock = dispute.drawBlock;
        if (block.number <= drawBlock) revert HubCommitteeDrawPending(jobId, drawBlock);
        bytes32 seed = blockhash(drawBlock);
        if (seed == bytes32(0)) {
            // Nobody drew while the hash was readable: draw from the next block's instead, which nobody knows yet.
            dispute.drawBlock = uint64(block.number + 1);
            emit CommitteeDrawScheduled(jobId, block.number + 1);
            return false;
        }
        address[] memory jurors = _drawJurors($, jobId, dispute, keccak256(abi.encode(seed, address(this), jobId)));
        uint256 commitEndsAt = $.market.clock() + $.parameters.votingPeriod;
        uint256 revealEndsAt = commitEndsAt + $.parameters.revealPeriod;
        dispute.commitEndsAt = uint40(commitEndsAt);
        dispute.votingEndsAt = uint40(revealEndsAt);
        // Safe cast: at most MAX_COMMITTEE_SIZE jurors.
        dispute.jurors = uint8(jurors.length);
        emit CommitteeDrawn(jobId, jurors, uint64(_wall($, commitEndsAt)), uint64(_wall($, revealEndsAt)));
        uint256 collateral = $.parameters.jurorCollateral;
        for (uint256 i = 0; i < jurors.length; ++i) $.staking.lockCollateral(jurors[i], collateral);
        return true;
    }

    /// @inheritdoc IVerificationHub
    function commitVote(uint256 jobId, bytes32 commitment) external whenNotPaused {
        VerificationHubStorage storage $ = _s();
        Dispute storage dispute = _openDispute($, jobId);
        Juror storage juror = _juror($, jobId, dispute);
        uint256 commitEndsAt = dispute.commitEndsAt;
        if ($.market.clock() > commitEndsAt) revert HubCommitClosed(jobId, _wall($, commitEndsAt));
        if (juror.commitment != bytes32(0)) revert HubAlreadyCommitted(jobId, msg.sender);
        juror.commitment = commitment;
        ++dispute.commits;
        emit VoteCommitted(jobId, msg.sender);
    }

    /// @inheritdoc IVerificationHub
    function revealVote(uint256 jobId, bool uphold, bytes32 salt) external whenNotPaused {
        VerificationHubStorage storage $ = _s();
        Dispute storage dispute = _openDispute($, jobId);
        Juror storage juror = _juror($, jobId, dispute);
        uint256 now_ = $.market.clock();
        uint256 commitEndsAt = dispute.commitEndsAt;
        // Reveals open when the commit phase ends, or as soon as every juror has committed.
        if (now_ <= commitEndsAt && dispute.commits < dispute.jurors) {
            revert HubRevealNotOpen(jobId, _wall($, commitEndsAt));
        }
        uint256 revealEndsAt = dispute.votingEndsAt;
        if (now_ > revealEndsAt) revert HubRevealClosed(jobId, _wall($, revealEndsAt));
        if (juror.revealed || juror.commitment != voteCommitment(jobId, msg.sender, uphold, salt)) {
            revert HubVoteMismatch(jobId, msg.sender);
        }
        juror.revealed = true;
        juror.uphold = uphold;
        if (uphold) ++dispute.upholdVotes;
        else ++dispute.rejectVotes;
        emit DisputeVoteCast(jobId, msg.sender, uphold);
    }

    /// @inheritdoc IVerificationHub
    function resolveDispute(uint256 jobId) external whenNotPaused nonReentrant {
        VerificationHubStorage storage $ = _s();
        Dispute storage dispute = _openDispute($, jobId);
        if (dispute.commitEndsAt == 0) revert HubCommitteeNotDrawn(jobId);
        uint256 upholdVotes = dispute.upholdVotes;
        uint256 rejectVotes = dispute.rejectVotes;
        uint256 committeeSize = dispute.committeeSize;
        uint256 votingEndsAt = dispute.votingEndsAt;
        if (upholdVotes + rejectVotes < dispute.jurors && $.market.clock() <= votingEndsAt) {
            revert HubVotingOpen(jobId, _wall($, votingEndsAt));
        }

        // A verdict needs a majority of the whole committee, not just of the votes cast.
        uint256 majority = committeeSize / 2 + 1;
        Verdict verdict =
            upholdVotes >= majority
                ? Verdict.Upheld
                : (rejectVotes >= majority ? Verdict.Rejected : Verdict.NoDecision);
        dispute.verdict = verdict;
        uint256 bond = dispute.bond;
        address challenger = dispute.challenger;
        $.totalBonds -= bond;
        emit DisputeResolved(jobId, verdict, uint8(upholdVotes), uint8(rejectVotes));
        _settleJurors($, jobId, verdict);

        if (dispute.audit) {
            uint256 collateral = $.market.collateralOf(jobId);
            if (verdict == Verdict.Rejected)
                $.staking.slashCollateral(challenger, collateral, SLASH_FALSE_AUDIT, address(0), true);
            else $.staking.unlockCollateral(challenger, collateral);
        } else if (verdict == Verdict.Rejected) {
            if (bond != 0) _forfeitBond($, jobId, bond);
        } else if (bond != 0) {
            emit BondReturned(jobId, challenger, bond);
            $.token.safeTransfer(challenger, bond);
        }
        $.market.closeDispute(jobId, verdict == Verdict.Upheld, challenger);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IVerificationHub
    function setMarket(address market_) external restricted {
        if (market_ == address(0)) revert HubZeroAddress();
        VerificationHubStorage storage $ = _s();
        if (address($.market) != address(0)) revert HubMarketAlreadySet(address($.market));
        $.market = IJobMarket(market_);
        emit MarketSet(market_);
    }

    /// @inheritdoc IVerificationHub
    function setWorkloadVerifier(uint8 workloadClass, address verifier) external restricted {
        _s().workloadVerifiers[workloadClass] = verifier;
        emit WorkloadVerifierSet(workloadClass, verifier);
    }

    /// @inheritdoc IVerificationHub
    function setParameters(HubParameters calldata parameters_) external restricted {
        _setParameters(parameters_);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IVerificationHub
    function teeResultDigest(uint256 jobId, address provider, bytes32 result) public view returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                _domainSeparator(),
                keccak256(abi.encode(TEE_RESULT_TYPEHASH, jobId, provider, result))
            );
    }

    /// @inheritdoc IVerificationHub
    function isWorkloadSupported(uint8 workloadClass) external view returns (bool) {
        return _s().workloadVerifiers[workloadClass] != address(0);
    }

    /// @inheritdoc IVerificationHub
    function workloadVerifier(uint8 workloadClass) external view returns (address) {
        return _s().workloadVerifiers[workloadClass];
    }

    /// @inheritdoc IVerificationHub
    function disputeOf(uint256 jobId) external view returns (Dispute memory dispute) {
        VerificationHubStorage storage $ = _s();
        dispute = $.disputes[jobId];
        dispute.commitEndsAt = uint40(_wall($, dispute.commitEndsAt));
        dispute.votingEndsAt = uint40(_wall($, dispute.votingEndsAt));
    }

    /// @inheritdoc IVerificationHub
    function hasAudited(uint256 jobId, address validator) external view returns (bool) {
        return _s().auditedBy[jobId][validator];
    }

    /// @inheritdoc IVerificationHub
    function jurorsOf(uint256 jobId) external view returns (address[] memory) {
        return _s().jurors[jobId];
    }

    /// @inheritdoc IVerificationHub
    function jurorOf(uint256 jobId, address juror) external view returns (Juror memory) {
        return _s().votes[jobId][juror];
    }

    /// @inheritdoc IVerificationHub
    function voteCommitment(uint256 jobId, address juror, bool uphold, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(jobId, juror, uphold, salt));
    }

    /// @inheritdoc IVerificationHub
    function poolMembers() external view returns (address[] memory) {
        return _s().pool;
    }

    /// @inheritdoc IVerificationHub
    function isInPool(address validator) external view returns (bool) {
        return _s().poolPosition[validator] != 0;
    }

    /// @inheritdoc IVerificationHub
    function auditDrawOf(uint256 jobId) external view returns (AuditDraw) {
        return _draw(_s(), jobId);
    }

    /// @inheritdoc IVerificationHub
    function isAuditSampled(uint256 jobId) external view returns (bool) {
        return _draw(_s(), jobId) == AuditDraw.Sampled;
    }

    /// @inheritdoc IVerificationHub
    function auditSeedBlockOf(uint256 jobId) external view returns (uint256) {
        return _s().audits[jobId].seedBlock;
    }

    /// @inheritdoc IVerificationHub
    function disputeBondOf(uint256 jobId) external view returns (uint256) {
        VerificationHubStorage storage $ = _s();
        return _bondFor($, $.market.jobOf(jobId).escrow);
    }

    /// @inheritdoc IVerificationHub
    function parameters() external view returns (HubParameters memory) {
        return _s().parameters;
    }

    /// @inheritdoc IVerificationHub
    function market() external view returns (address) {
        return address(_s().market);
    }

    /// @inheritdoc IVerificationHub
    function totalBonds() external view returns (uint256) {
        return _s().totalBonds;
    }

    /// @inheritdoc IVerificationHub
    function registry() external view returns (address) {
        return address(_s().registry);
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The job, if it is Verified and inside its challenge window.
    function _challengeable(
        VerificationHubStorage storage $,
        uint256 jobId
    ) private view returns (IJobMarket.Job memory job) {
        job = $.market.jobOf(jobId);
        if (job.status != IJobMarket.JobStatus.Verified) revert HubJobNotVerified(jobId);
        if (block.timestamp > job.challengeEndsAt) revert HubChallengeWindowClosed(jobId, job.challengeEndsAt);
    }

    function _open(
        VerificationHubStorage storage $,
        uint256 jobId,
        address challenger,
        uint256 bond,
        bool audit
    ) private {
        // The committee is drawn from a block nobody knows yet, so nobody can pick the moment that suits them.
        uint256 drawBlock = block.number + 1;
        $.disputes[jobId] = Dispute({
            challenger: challenger,
            commitEndsAt: 0,
            votingEndsAt: 0,
            upholdVotes: 0,
            rejectVotes: 0,
            committeeSize: $.parameters.committeeSize,
            audit: audit,
            verdict: Verdict.Pending,
            drawBlock: uint64(drawBlock),
            jurors: 0,
            commits: 0,
            // Safe cast: the bond is a share of an escrow, which fits in 96 bits.
            bond: uint96(bond)
        });
        $.totalBonds += bond;
        emit DisputeOpened(jobId, challenger, bond, drawBlock);
        $.market.startDispute(jobId);
        if (bond != 0) $.token.safeTransferFrom(challenger, address(this), bond);
    }

    /// @dev The audit draw of a job: recorded, or read from its seed block's hash.
    function _draw(VerificationHubStorage storage $, uint256 jobId) private view returns (AuditDraw) {
        AuditSchedule storage audit = $.audits[jobId];
        uint256 seedBlock = audit.seedBlock;
        if (seedBlock == 0) return AuditDraw.None;
        AuditDraw recorded = audit.recorded;
        if (recorded != AuditDraw.None) return recorded;
        if (block.number <= seedBlock) return AuditDraw.Pending;
        bytes32 seed = blockhash(seedBlock);
        // Nobody recorded the draw while it could be read: the job counts as sampled, never as safe.
        if (seed == bytes32(0)) return AuditDraw.Sampled;
        uint256 draw = uint256(keccak256(abi.encode(seed, address(this), jobId))) % _BPS;
        return draw < $.parameters.auditRateBps ? AuditDraw.Sampled : AuditDraw.Skipped;
    }

    /// @dev Records a job's audit draw (once) and returns it; reverts while it cannot be known.
    function _recordDraw(VerificationHubStorage storage $, uint256 jobId) private returns (AuditDraw draw) {
        draw = _draw($, jobId);
        if (draw == AuditDraw.None) revert HubNoAuditDraw(jobId);
        if (draw == AuditDraw.Pending) revert HubAuditDrawPending(jobId, $.audits[jobId].seedBlock);
        AuditSchedule storage audit = $.audits[jobId];
        if (audit.recorded == AuditDraw.None) {
            audit.recorded = draw;
            emit AuditDrawn(jobId, draw == AuditDraw.Sampled);
        }
    }

    function _openDispute(VerificationHubStorage storage $, uint256 jobId) private view returns (Dispute storage d) {
        d = $.disputes[jobId];
        if (d.verdict != Verdict.Pending || d.challenger == address(0)) revert HubNoOpenDispute(jobId);
    }

    /// @dev The caller's juror record in a drawn committee.
    function _juror(
        VerificationHubStorage storage $,
        uint256 jobId,
        Dispute storage dispute
    ) private view returns (Juror storage juror) {
        if (dispute.commitEndsAt == 0) revert HubCommitteeNotDrawn(jobId);
        juror = $.votes[jobId][msg.sender];
        if (!juror.drawn) revert HubNotJuror(jobId, msg.sender);
    }

    /// @dev Draws the committee from the pool, weighted by each member's available stake, among eligible validators
    /// that can lock the juror collateral and have no part in the job.
    function _drawJurors(
        VerificationHubStorage storage $,
        uint256 jobId,
        Dispute storage dispute,
        bytes32 seed
    ) private returns (address[] memory jurors) {
        IJobMarket.Job memory job = $.market.jobOf(jobId);
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        address[] memory pool = $.pool;
        uint256[] memory weights = new uint256[](pool.length);
        uint256 collateral = $.parameters.jurorCollateral;
        for (uint256 i = 0; i < pool.length; ++i) {
            address member = pool[i];
            if (member == dispute.challenger || _isParty(job.requester, slots, member)) continue;
            if (!$.registry.isEligible(member, NodeRoles.VALIDATOR)) continue;
            uint256 available = $.staking.availableOf(member);
            if (available >= collateral) weights[i] = available;
        }
        uint256[] memory drawn = Sortition.draw(weights, seed, dispute.committeeSize);
        jurors = new address[](drawn.length);
        for (uint256 i = 0; i < drawn.length; ++i) {
            address juror = pool[drawn[i]];
            jurors[i] = juror;
            $.votes[jobId][juror].drawn = true;
        }
        $.jurors[jobId] = jurors;
    }

    /// @dev Jurors who voted with the outcome (any revealed vote when there was none) get their collateral back and
    /// share the collateral of those who voted against it or never revealed; with nobody to share it, it goes to
    /// the treasury.
    function _settleJurors(VerificationHubStorage storage $, uint256 jobId, Verdict verdict) private {
        address[] memory jurors = $.jurors[jobId];
        bool[] memory coherent = new bool[](jurors.length);
        uint256 coherentCount;
        for (uint256 i = 0; i < jurors.length; ++i) {
            Juror storage juror = $.votes[jobId][jurors[i]];
            coherent[i] =
                juror.revealed && (verdict == Verdict.NoDecision || juror.uphold == (verdict == Verdict.Upheld));
            if (coherent[i]) ++coherentCount;
        }
        uint256 forfeited = _releaseOrForfeit($, jobId, jurors, coherent, coherentCount != 0);
        if (coherentCount != 0) _rewardJurors($, jobId, jurors, coherent, forfeited, coherentCount);
    }

    /// @dev Releases the coherent jurors' collateral and takes the others' (to the hub for sharing, or to the
    /// treasury when nobody is there to share it). Returns what was taken.
    function _releaseOrForfeit(
        VerificationHubStorage storage $,
        uint256 jobId,
        address[] memory jurors,
        bool[] memory coherent,
        bool shared
    ) private returns (uint256 forfeited) {
        uint256 collateral = $.parameters.jurorCollateral;
        address recipient = shared ? address(this) : address(0);
        for (uint256 i = 0; i < jurors.length; ++i) {
            if (coherent[i]) {
                $.staking.unlockCollateral(jurors[i], collateral);
            } else {
                emit JurorPenalized(jobId, jurors[i], collateral);
                $.staking.forfeitCollateral(jurors[i], collateral, FORFEIT_INCOHERENT_JUROR, recipient);
                forfeited += collateral;
            }
        }
    }

    /// @dev Shares `forfeited` between the coherent jurors; the first takes the rounding remainder.
    function _rewardJurors(
        VerificationHubStorage storage $,
        uint256 jobId,
        address[] memory jurors,
        bool[] memory coherent,
        uint256 forfeited,
        uint256 coherentCount
    ) private {
        uint256 share = forfeited / coherentCount;
        uint256 remainder = forfeited - share * coherentCount;
        for (uint256 i = 0; i < jurors.length; ++i) {
            if (!coherent[i]) continue;
            uint256 reward = share + remainder;
            remainder = 0;
            emit JurorRewarded(jobId, jurors[i], reward);
            if (reward != 0) $.token.safeTransfer(jurors[i], reward);
        }
    }

    function _isParty(address requester, IJobMarket.Slot[] memory slots, address account) private pure returns (bool) {
        if (account == requester) return true;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (slots[i].provider == account) return true;
        }
        return false;
    }

    function _domainSeparator() private view returns (bytes32) {
        return
            keccak256(
                abi.encode(_DOMAIN_TYPEHASH, _DOMAIN_NAME_HASH, _DOMAIN_VERSION_HASH, block.chainid, address(this))
            );
    }

    /// @dev A time on the market's clock as wall-clock time, as of now (zero stays zero).
    function _wall(VerificationHubStorage storage $, uint256 clockTime) private view returns (uint256) {
        return clockTime == 0 ? 0 : clockTime + block.timestamp - $.market.clock();
    }

    /// @dev Pausing the hub stops the market's clock: challenge windows and votes wait while nobody can act on
    /// them.
    function _pause() internal override {
        super._pause();
        IJobMarket market_ = _s().market;
        if (address(market_) != address(0)) market_.holdClock(true);
    }

    function _unpause() internal override {
        super._unpause();
        IJobMarket market_ = _s().market;
        if (address(market_) != address(0)) market_.holdClock(false);
    }

    /// @dev A rejected requester's bond goes to the providers it accused; the first takes the rounding remainder.
    function _forfeitBond(VerificationHubStorage storage $, uint256 jobId, uint256 bond) private {
        uint8 accepted = $.market.jobOf(jobId).acceptedSlots;
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        uint256 count;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (accepted & (1 << i) != 0) ++count;
        }
        uint256 each = bond / count;
        uint256 remainder = bond - each * count;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (accepted & (1 << i) == 0) continue;
            emit BondForfeited(jobId, slots[i].provider, each + remainder);
            $.token.safeTransfer(slots[i].provider, each + remainder);
            remainder = 0;
        }
    }

    /// @dev A staked, active validator that neither requested the job nor holds one of its slots.
    function _requireIndependentValidator(
        VerificationHubStorage storage $,
        uint256 jobId,
        address requester,
        IJobMarket.Slot[] memory slots,
        address validator
    ) private view {
        if (!$.registry.isEligible(validator, NodeRoles.VALIDATOR)) revert HubNotValidator(validator);
        if (_isParty(requester, slots, validator)) revert HubConflictedValidator(jobId, validator);
    }

    /// @dev A requester's dispute bond for a job with this escrow.
    function _bondFor(VerificationHubStorage storage $, uint256 escrow) private view returns (uint256) {
        return (escrow * $.parameters.disputeBondBps) / _BPS;
    }

    function _setParameters(HubParameters memory p) private {
        _checkBounds("auditRateBps", p.auditRateBps, 0, MAX_AUDIT_RATE_BPS);
        _checkBounds("disputeBondBps", p.disputeBondBps, MIN_DISPUTE_BOND_BPS, MAX_DISPUTE_BOND_BPS);
        _checkBounds("votingPeriod", p.votingPeriod, MIN_VOTING_PERIOD, MAX_VOTING_PERIOD);
        _checkBounds("committeeSize", p.committeeSize, MIN_COMMITTEE_SIZE, MAX_COMMITTEE_SIZE);
        _checkBounds("revealPeriod", p.revealPeriod, MIN_REVEAL_PERIOD, MAX_REVEAL_PERIOD);
        _checkBounds("jurorCollateral", p.jurorCollateral, MIN_JUROR_COLLATERAL, MAX_JUROR_COLLATERAL);
        _s().parameters = p;
        emit HubParametersSet(p);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert HubParameterOutOfBounds(parameter, value, min, max);
    }
}

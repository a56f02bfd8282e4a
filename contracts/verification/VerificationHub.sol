// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IVerificationHub} from "../interfaces/IVerificationHub.sol";
import {IWorkloadVerifier} from "../interfaces/IWorkloadVerifier.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";

/// @title VerificationHub
/// @notice Evidence checks for the TEE and ZK rungs of the ladder, random audits and committee disputes. It holds
/// the dispute bonds and VERIFICATION_HUB on the JobMarket, which keeps the escrows and carries out verdicts.
contract VerificationHub is ProtocolUpgradeable, EIP712Upgradeable, ReentrancyGuardTransient, IVerificationHub {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------
    // Bounds that governance cannot cross
    // ---------------------------------------------------------------------------------------------

    uint256 public constant MAX_AUDIT_RATE_BPS = 10_000;
    uint256 public constant MIN_DISPUTE_BOND_BPS = 100;
    uint256 public constant MAX_DISPUTE_BOND_BPS = 5_000;
    uint256 public constant MIN_VOTING_PERIOD = 1 hours;
    uint256 public constant MAX_VOTING_PERIOD = 14 days;
    uint256 public constant MIN_COMMITTEE_SIZE = 1;
    uint256 public constant MAX_COMMITTEE_SIZE = 21;

    /// @notice The EIP-712 type an enclave signs a result with (hashed at compile time).
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant TEE_RESULT_TYPEHASH = keccak256("TeeResult(uint256 jobId,address provider,bytes32 result)");

    /// @notice The slash reason of a validator whose audit claim the committee rejected.
    bytes32 public constant SLASH_FALSE_AUDIT = keccak256("hub.false-audit");

    uint256 private constant _BPS = 10_000;

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.VerificationHub
    struct VerificationHubStorage {
        IJobMarket market;
        INodeRegistry registry;
        mapping(uint8 workloadClass => address verifier) workloadVerifiers;
        mapping(uint256 jobId => Dispute) disputes;
        mapping(uint256 jobId => mapping(address validator => bool)) voted;
        mapping(uint256 jobId => bool) audited;
        HubParameters parameters;
        IERC20 token;
        IStaking staking;
        uint256 totalBonds;
        mapping(uint256 jobId => AuditSchedule) audits;
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
        __EIP712_init("StarMiner VerificationHub", "1");
        if (registry_ == address(0) || staking_ == address(0) || token_ == address(0)) revert HubZeroAddress();
        VerificationHubStorage storage $ = _s();
        $.registry = INodeRegistry(registry_);
        $.staking = IStaking(staking_);
        $.token = IERC20(token_);
        _setParameters(
            HubParameters({auditRateBps: 500, disputeBondBps: 1_000, votingPeriod: 2 days, committeeSize: 3})
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
    function scheduleAudit(uint256 jobId) external restricted {
        // The next block's hash: unknown while the verifying transaction runs, so a provider can neither predict
        // it nor revert its delivery to dodge it.
        uint256 seedBlock = block.number + 1;
        _s().audits[jobId].seedBlock = uint64(seedBlock);
        emit AuditScheduled(jobId, seedBlock);
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
        if ($.audited[jobId]) revert HubAlreadyAudited(jobId);
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        _requireIndependentValidator($, jobId, job.requester, slots, msg.sender);
        $.audited[jobId] = true;

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
    function vote(uint256 jobId, bool uphold) external whenNotPaused {
        VerificationHubStorage storage $ = _s();
        Dispute storage dispute = $.disputes[jobId];
        if (dispute.verdict != Verdict.Pending || dispute.challenger == address(0)) revert HubNoOpenDispute(jobId);
        uint256 votingEndsAt = dispute.votingEndsAt;
        if ($.market.clock() > votingEndsAt) revert HubVotingClosed(jobId, _wall($, votingEndsAt));
        if (uint256(dispute.upholdVotes) + dispute.rejectVotes >= dispute.committeeSize) revert HubCommitteeFull(jobId);
        if (msg.sender == dispute.challenger) revert HubConflictedValidator(jobId, msg.sender);
        _requireIndependentValidator($, jobId, $.market.jobOf(jobId).requester, $.market.slotsOf(jobId), msg.sender);
        if ($.voted[jobId][msg.sender]) revert HubAlreadyVoted(jobId, msg.sender);

        $.voted[jobId][msg.sender] = true;
        if (uphold) ++dispute.upholdVotes;
        else ++dispute.rejectVotes;
        emit DisputeVoteCast(jobId, msg.sender, uphold);
    }

    /// @inheritdoc IVerificationHub
    function resolveDispute(uint256 jobId) external whenNotPaused nonReentrant {
        VerificationHubStorage storage $ = _s();
        Dispute storage dispute = $.disputes[jobId];
        if (dispute.verdict != Verdict.Pending || dispute.challenger == address(0)) revert HubNoOpenDispute(jobId);
        uint256 upholdVotes = dispute.upholdVotes;
        uint256 rejectVotes = dispute.rejectVotes;
        uint256 committeeSize = dispute.committeeSize;
        uint256 votingEndsAt = dispute.votingEndsAt;
        if (upholdVotes + rejectVotes < committeeSize && $.market.clock() <= votingEndsAt) {
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

        if (dispute.audit) {
            uint256 collateral = $.market.collateralOf(jobId);
            if (verdict == Verdict.Rejected) $.staking.slashCollateral(challenger, collateral, SLASH_FALSE_AUDIT, address(0));
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
        return _hashTypedDataV4(keccak256(abi.encode(TEE_RESULT_TYPEHASH, jobId, provider, result)));
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
        dispute.votingEndsAt = uint40(_wall($, dispute.votingEndsAt));
    }

    /// @inheritdoc IVerificationHub
    function hasVoted(uint256 jobId, address validator) external view returns (bool) {
        return _s().voted[jobId][validator];
    }

    /// @inheritdoc IVerificationHub
    function isAudited(uint256 jobId) external view returns (bool) {
        return _s().audited[jobId];
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
        uint256 votingEndsAt = $.market.clock() + $.parameters.votingPeriod;
        $.disputes[jobId] = Dispute({
            challenger: challenger,
            votingEndsAt: uint40(votingEndsAt),
            upholdVotes: 0,
            rejectVotes: 0,
            committeeSize: $.parameters.committeeSize,
            audit: audit,
            verdict: Verdict.Pending,
            bond: bond
        });
        $.totalBonds += bond;
        emit DisputeOpened(jobId, challenger, bond, uint64(_wall($, votingEndsAt)));
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
        if (validator == requester) revert HubConflictedValidator(jobId, validator);
        for (uint256 i = 0; i < slots.length; ++i) {
            if (slots[i].provider == validator) revert HubConflictedValidator(jobId, validator);
        }
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
        _s().parameters = p;
        emit HubParametersSet(p);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert HubParameterOutOfBounds(parameter, value, min, max);
    }
}

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
import {JobKeys} from "../market/JobKeys.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";
import {DisputeCourt} from "./DisputeCourt.sol";
import {HubStorage} from "./HubStorage.sol";

/// @title VerificationHub
/// @notice Evidence checks for the TEE and ZK rungs of the ladder, random audits and disputes decided by committees
/// drawn by stake-weighted sortition with commit-reveal votes and appeals. It holds the dispute and appeal bonds and
/// VERIFICATION_HUB on the JobMarket, which keeps the escrows and carries out verdicts.
/// @dev The court (committees, votes, appeals, settlement) is the linked DisputeCourt library, which runs in this
/// contract's context; this contract keeps the guards, the evidence checks, audits, the pool and the views. The
/// library holds no state of its own and is deployed with each implementation and upgraded with it (OpenZeppelin's
/// validator is told so below).
/// @custom:oz-upgrades-unsafe-allow external-library-linking
contract VerificationHub is ProtocolUpgradeable, ReentrancyGuardTransient, HubStorage, IVerificationHub {
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
    uint256 public constant MAX_COMMITTEE_SIZE = DisputeCourt.MAX_COMMITTEE_SIZE;
    uint256 public constant MIN_REVEAL_PERIOD = 1 hours;
    uint256 public constant MAX_REVEAL_PERIOD = 7 days;
    uint256 public constant MIN_APPEAL_PERIOD = 1 hours;
    uint256 public constant MAX_APPEAL_PERIOD = 7 days;
    /// @notice A seat's fee is at most one slot's share: a juror re-executes one provider's part of the job.
    uint256 public constant MAX_JUROR_FEE_BPS = 10_000;
    uint256 public constant MIN_JUROR_COLLATERAL = 1 ether;
    uint256 public constant MAX_JUROR_COLLATERAL = 1_000_000 ether;
    /// @notice The juror pool's size bound: a draw walks the whole pool.
    uint256 public constant MAX_POOL_SIZE = 128;

    /// @notice The EIP-712 type an enclave signs a result with (hashed at compile time).
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant TEE_RESULT_TYPEHASH = keccak256("TeeResult(uint256 jobId,address provider,bytes32 result)");

    /// @notice The slash reason of a validator whose audit claim the committee rejected.
    bytes32 public constant SLASH_FALSE_AUDIT = DisputeCourt.SLASH_FALSE_AUDIT;
    /// @notice The forfeit reason of a juror who voted against the outcome or never revealed.
    bytes32 public constant FORFEIT_INCOHERENT_JUROR = DisputeCourt.FORFEIT_INCOHERENT_JUROR;

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
    // Storage (ERC-7201, laid out in HubStorage.sol and shared with the DisputeCourt library)
    // ---------------------------------------------------------------------------------------------

    function _s() private pure returns (VerificationHubStorage storage $) {
        return _hubStorage();
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
                jurorCollateral: 250 ether,
                appealPeriod: 1 days,
                jurorFeeBps: 4_500
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
        if (job.acceptedSlots == 0) revert HubNothingAccepted(jobId);
        uint256 courtFee = _courtFee($, job);
        _open($, jobId, msg.sender, _bondFor($, job.escrow) + courtFee, bytes32(0), courtFee);
    }

    /// @inheritdoc IVerificationHub
    function reportAudit(uint256 jobId, bytes32 result) external whenNotPaused nonReentrant {
        if (result == bytes32(0)) revert HubZeroResult();
        VerificationHubStorage storage $ = _s();
        IJobMarket.Job memory job = _challengeable($, jobId);
        if (_recordDraw($, jobId) != AuditDraw.Sampled) revert HubNotSampledForAudit(jobId);
        // A pass closes nothing: an accomplice's early "pass" cannot keep an honest auditor from reporting.
        if ($.auditedBy[jobId][msg.sender]) revert HubAlreadyAudited(jobId, msg.sender);
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        _requireIndependentValidator($, jobId, job.requester, slots, msg.sender);
        $.auditedBy[jobId][msg.sender] = true;

        // A split job has no accepted computed result to match: any report is a claim that a committee must confirm.
        // An accepted `key-withheld` result was excused by the market (its claimer was denied the key): it is no
        // output to match, and a job with nothing else accepted but other results revealed is a split.
        bool computed;
        bool unaccepted;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (slots[i].status != IJobMarket.SlotStatus.Revealed) continue;
            if (slots[i].result == JobKeys.KEY_WITHHELD_RESULT) continue;
            if (job.acceptedSlots & (1 << i) != 0) computed = true;
            else unaccepted = true;
        }
        bool split = !computed && unaccepted;
        for (uint256 i = 0; i < slots.length; ++i) {
            bytes32 accepted = slots[i].result;
            if (
                split ||
                (job.acceptedSlots & (1 << i) != 0 && accepted != result && accepted != JobKeys.KEY_WITHHELD_RESULT)
            ) {
                emit AuditFailed(jobId, msg.sender, result);
                _open($, jobId, msg.sender, 0, result, _courtFee($, job));
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
        return DisputeCourt.drawCommittee(_s(), jobId);
    }

    /// @inheritdoc IVerificationHub
    function commitVote(uint256 jobId, bytes32 commitment) external whenNotPaused {
        DisputeCourt.commitVote(_s(), jobId, commitment);
    }

    /// @inheritdoc IVerificationHub
    function revealVote(uint256 jobId, bool uphold, bytes32 salt) external whenNotPaused {
        DisputeCourt.revealVote(_s(), jobId, uphold, salt);
    }

    /// @inheritdoc IVerificationHub
    function appeal(uint256 jobId) external whenNotPaused nonReentrant {
        DisputeCourt.appeal(_s(), jobId);
    }

    /// @inheritdoc IVerificationHub
    function resolveDispute(uint256 jobId) external whenNotPaused nonReentrant {
        DisputeCourt.resolve(_s(), jobId);
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
        dispute.commitEndsAt = uint40(DisputeCourt.wall($, dispute.commitEndsAt));
        dispute.votingEndsAt = uint40(DisputeCourt.wall($, dispute.votingEndsAt));
        dispute.appealEndsAt = uint40(DisputeCourt.wall($, dispute.appealEndsAt));
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
    function voteCommitment(uint256 jobId, address juror, bool uphold, bytes32 salt) external pure returns (bytes32) {
        return DisputeCourt.voteCommitment(jobId, juror, uphold, salt);
    }

    /// @inheritdoc IVerificationHub
    function appealOf(uint256 jobId, uint256 round) external view returns (Appeal memory) {
        return _s().appeals[jobId][round];
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
        IJobMarket.Job memory job = $.market.jobOf(jobId);
        return _bondFor($, job.escrow) + _courtFee($, job);
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
        bytes32 result,
        uint256 courtFee
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
            audit: result != bytes32(0),
            verdict: Verdict.Pending,
            drawBlock: uint64(drawBlock),
            jurors: 0,
            commits: 0,
            // Safe cast: the requester pays the bond in AGPU, whose supply is capped at 1e27 wei, under 2^96.
            bond: uint96(bond),
            round: 0,
            appealEndsAt: 0,
            result: result,
            // Safe cast: at most 21 shares of a 96-bit escrow, under 2^101.
            courtFee: uint128(courtFee)
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

    function _domainSeparator() private view returns (bytes32) {
        return
            keccak256(
                abi.encode(_DOMAIN_TYPEHASH, _DOMAIN_NAME_HASH, _DOMAIN_VERSION_HASH, block.chainid, address(this))
            );
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

    /// @dev A staked, active validator that neither requested the job nor holds one of its slots.
    function _requireIndependentValidator(
        VerificationHubStorage storage $,
        uint256 jobId,
        address requester,
        IJobMarket.Slot[] memory slots,
        address validator
    ) private view {
        if (!$.registry.isEligible(validator, NodeRoles.VALIDATOR)) revert HubNotValidator(validator);
        if (DisputeCourt.isParty(requester, slots, validator)) revert HubConflictedValidator(jobId, validator);
    }

    /// @dev What the losing side of a dispute on `job` pays the first committee: its seats times the juror fee.
    function _courtFee(VerificationHubStorage storage $, IJobMarket.Job memory job) private view returns (uint256) {
        HubParameters memory p = $.parameters;
        return (uint256(p.committeeSize) * (job.escrow / job.redundancy) * p.jurorFeeBps) / _BPS;
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
        _checkBounds("appealPeriod", p.appealPeriod, MIN_APPEAL_PERIOD, MAX_APPEAL_PERIOD);
        _checkBounds("jurorFeeBps", p.jurorFeeBps, 0, MAX_JUROR_FEE_BPS);
        _s().parameters = p;
        emit HubParametersSet(p);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert HubParameterOutOfBounds(parameter, value, min, max);
    }
}

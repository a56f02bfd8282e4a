// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {INodeRegistry} from "../../contracts/interfaces/INodeRegistry.sol";
import {IPricingEngine} from "../../contracts/interfaces/IPricingEngine.sol";
import {IReputation} from "../../contracts/interfaces/IReputation.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IVerificationHub} from "../../contracts/interfaces/IVerificationHub.sol";
import {IWorkloadVerifier} from "../../contracts/interfaces/IWorkloadVerifier.sol";
import {JobMarket} from "../../contracts/market/JobMarket.sol";
import {OracleHub} from "../../contracts/oracle/OracleHub.sol";
import {PricingEngine} from "../../contracts/pricing/PricingEngine.sol";
import {NodeRegistry} from "../../contracts/registry/NodeRegistry.sol";
import {NodeRoles} from "../../contracts/registry/NodeRoles.sol";
import {Reputation} from "../../contracts/reputation/Reputation.sol";
import {Staking} from "../../contracts/staking/Staking.sol";
import {AGPU} from "../../contracts/token/AGPU.sol";
import {Treasury} from "../../contracts/treasury/Treasury.sol";
import {CapabilityRegistrar} from "../../contracts/verification/CapabilityRegistrar.sol";
import {VerificationHub} from "../../contracts/verification/VerificationHub.sol";
import {CapabilityVerifier} from "../../contracts/verification/generated/CapabilityVerifier.sol";
import {TestBase} from "../support/TestBase.sol";

uint64 constant GOVERNOR = 2;
uint64 constant SLASHER = 4;
uint64 constant COLLATERAL_MANAGER = 5;
uint64 constant REPUTATION_WRITER = 6;
uint64 constant DEMAND_REPORTER = 7;
uint64 constant VERIFICATION_HUB = 10;
bytes32 constant ZONE = keccak256("eu-west");
uint256 constant REQUESTERS = 2;
uint256 constant PROVIDERS = 3;
uint256 constant VALIDATORS = 4;
uint256 constant REQUESTER_FUNDS = 1_000_000 ether;
uint256 constant PROVIDER_STAKE = 200_000 ether;
uint256 constant VALIDATOR_STAKE = 5_000 ether;
uint256 constant BPS = 10_000;
bytes32 constant MEASUREMENT = keccak256("enclave");
/// @dev The result an honest provider computes; dishonest ones return others.
bytes32 constant RIGHT = keccak256("A");
bytes32 constant WRONG = keccak256("B");
/// @dev A key that is no provider's enclave key: its signatures are forged evidence.
uint256 constant FORGER_KEY = 0xBAD;

/// @dev Stands in for a workload's Groth16 verifier (the circuits and their verifiers are tested with real proofs
/// elsewhere): it accepts exactly the proof of the right result by the job's provider, and nothing else, which is
/// what soundness promises the market.
contract StandInWorkloadVerifier is IWorkloadVerifier {
    function verifyResult(
        uint256 jobId,
        address provider,
        bytes32 specHash,
        bytes32 result,
        bytes calldata proof
    ) external pure returns (bool) {
        return result == RIGHT && keccak256(proof) == keccak256(proofOf(jobId, provider, specHash));
    }

    function proofOf(uint256 jobId, address provider, bytes32 specHash) public pure returns (bytes memory) {
        return abi.encode(keccak256(abi.encode(jobId, provider, specHash)));
    }
}

/// @dev The deployed protocol the handler drives: every contract a job touches, wired as in production.
struct Deployment {
    AGPU token;
    Treasury treasury;
    Staking staking;
    NodeRegistry registry;
    Reputation reputation;
    PricingEngine pricing;
    VerificationHub hub;
    JobMarket market;
}

/// @dev Drives random sequences of every market and hub operation, from the accounts of requesters, providers and
/// validators, and keeps ghost books of what each job was escrowed and what left the market for it.
contract JobMarketHandler is TestBase {
    /// @dev What must never happen, counted as it happens.
    struct Anomalies {
        /// Settlements whose payouts differed from the fee split in force.
        uint256 payoutMismatches;
        /// Disputes decided without a majority of the whole committee for the verdict.
        uint256 minorityVerdicts;
        /// Calls that reverted although everything they need held.
        uint256 unexpectedReverts;
        /// Calls that went through although they should have been refused (forged evidence, a time not yet up).
        uint256 unexpectedSuccesses;
        /// The handler action of the last unexpected outcome.
        bytes4 lastUnexpected;
    }

    AGPU public immutable token;
    JobMarket public immutable market;
    VerificationHub public immutable hub;
    Staking public immutable staking;
    address[REQUESTERS] public requesters;
    address[PROVIDERS] public providers;
    address[VALIDATORS] public validators;
    /// @dev Each provider's enclave key (its TEE attestation names the address).
    mapping(address provider => uint256) private _enclaveKey;
    StandInWorkloadVerifier private immutable _prover;

    uint256[] public jobs;
    mapping(uint256 jobId => uint256) public ghostEscrow;
    /// @dev AGPU that left the market (or became treasury fees) in actions on the job.
    mapping(uint256 jobId => uint256) public ghostReleased;
    /// @dev What the requester received from the market for the job.
    mapping(uint256 jobId => uint256) public ghostRefunded;
    /// @dev The terminal status a job first reached; it must never change.
    mapping(uint256 jobId => IJobMarket.JobStatus) public ghostTerminal;
    mapping(uint256 jobId => mapping(uint256 slot => bytes32)) private _intended;
    mapping(uint256 jobId => mapping(address juror => bool)) private _committed;
    bool public ghostTerminalChanged;
    uint256 public ghostSweptMismatch;
    Anomalies private _anomalies;
    mapping(bytes4 action => uint256 count) public calls;

    constructor(
        Deployment memory d,
        address[REQUESTERS] memory r,
        address[PROVIDERS] memory p,
        address[VALIDATORS] memory v,
        uint256[PROVIDERS] memory enclaveKeys,
        StandInWorkloadVerifier prover
    ) {
        token = d.token;
        market = d.market;
        hub = d.hub;
        staking = d.staking;
        requesters = r;
        providers = p;
        validators = v;
        for (uint256 i = 0; i < PROVIDERS; ++i) _enclaveKey[p[i]] = enclaveKeys[i];
        _prover = prover;
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    function submit(uint256 requesterSeed, uint256 modeSeed, uint256 redundancySeed, uint256 hours_) external {
        address requester = requesters[requesterSeed % REQUESTERS];
        // Consensus, Optimistic, TEE and ZK jobs.
        IJobMarket.VerificationMode mode = IJobMarket.VerificationMode(modeSeed % 4);
        uint8 redundancy = uint8(bound(redundancySeed, mode == IJobMarket.VerificationMode.Consensus ? 3 : 1, 3));
        IJobMarket.JobSpec memory spec = IJobMarket.JobSpec({
            modelCommitment: keccak256("model"),
            inputCommitment: keccak256(abi.encode(jobs.length)),
            zone: ZONE,
            tier: uint8(modeSeed % 2),
            spilloverAllowed: false,
            redundancy: redundancy,
            mode: mode,
            workloadClass: 0,
            gpuHours: uint32(bound(hours_, 1, 50)),
            minVramMiB: 0,
            minComputeCapability: 0,
            teeRequired: false,
            provenHardware: false,
            deadline: uint64(block.timestamp + 3 hours),
            deliveryWindow: 1 hours,
            modelCreator: modeSeed % 3 == 0 ? address(0) : address(0xC0FFEE),
            maxTotal: type(uint256).max
        });
        vm.prank(requester);
        try market.submitJob(spec) returns (uint256 jobId) {
            jobs.push(jobId);
            ghostEscrow[jobId] = market.jobOf(jobId).escrow;
            ++calls[this.submit.selector];
        } catch {}
    }

    /// @dev A provider not yet on the job (searching from a random one) claims a slot of an open job.
    function claim(uint256 jobSeed, uint256 providerSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
        address provider = providers[providerSeed % PROVIDERS];
        for (uint256 i = 0; i < PROVIDERS; ++i) {
            provider = providers[(providerSeed + i) % PROVIDERS];
            if (!_holdsSlot(slots, provider)) break;
        }
        vm.prank(provider);
        try market.claimSlot(jobId) {
            ++calls[this.claim.selector];
        } catch {}
    }

    /// @dev A provider claims an open job in a batch naming it twice and an unknown job. Unless the market is paused,
    /// the batch never reverts; it claims one slot of the job at most (the duplicate and the unknown id are skipped)
    /// and locks exactly that job's collateral; when it skips the job, it changes nothing, and {claimSlot} right
    /// after must be refused too.
    function claimInBatch(uint256 jobSeed, uint256 providerSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        address provider = providers[providerSeed % PROVIDERS];
        uint256 lockedBefore = staking.lockedOf(provider);
        bool heldBefore = _holdsSlot(market.slotsOf(jobId), provider);
        bool paused = market.paused();
        uint256[] memory batch = new uint256[](3);
        (batch[0], batch[1], batch[2]) = (jobId, type(uint256).max, jobId);
        vm.prank(provider);
        try market.claimMany(batch) returns (uint256[] memory slots) {
            bool claimed = slots[0] != type(uint256).max;
            uint256 locked = staking.lockedOf(provider);
            bool exact = slots[1] == type(uint256).max && slots[2] == type(uint256).max;
            if (claimed) {
                exact = exact && !heldBefore && _slotsHeld(jobId, provider) == 1;
                exact = exact && locked == lockedBefore + market.collateralOf(jobId);
            } else {
                exact = exact && locked == lockedBefore && _holdsSlot(market.slotsOf(jobId), provider) == heldBefore;
            }
            if (paused || !exact) return _unexpected(this.claimInBatch.selector, false);
            if (claimed) {
                ++calls[this.claimInBatch.selector];
                return;
            }
            vm.prank(provider);
            try market.claimSlot(jobId) {
                _unexpected(this.claimInBatch.selector, true);
            } catch {}
        } catch {
            if (!paused) _unexpected(this.claimInBatch.selector, true);
        }
    }

    /// @dev Commits one of three results (so Consensus jobs see agreement, dissent and three-way splits).
    function commit(uint256 jobSeed, uint256 slotSeed, uint8 answer) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        (uint256 slot, address provider, bool ok) = _slotIn(jobId, slotSeed, IJobMarket.SlotStatus.Claimed);
        if (!ok) return;
        uint8 pick = answer % 3;
        bytes32 result = pick == 0 ? RIGHT : (pick == 1 ? WRONG : keccak256("C"));
        // Computed before the prank: a prank applies to the next external call, and `commitmentOf` is one.
        bytes32 commitment = market.commitmentOf(jobId, slot, provider, result, bytes32(slot));
        vm.prank(provider);
        try market.commitResult(jobId, slot, commitment) {
            _intended[jobId][slot] = result;
            ++calls[this.commit.selector];
        } catch {}
    }

    function reveal(uint256 jobSeed, uint256 slotSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        (uint256 slot, address provider, bool ok) = _slotIn(jobId, slotSeed, IJobMarket.SlotStatus.Committed);
        if (!ok) return;
        bytes32 result = _intended[jobId][slot];
        // A TEE job's result comes with its enclave's signature (an enclave signs what it computed).
        bytes memory evidence =
            market.jobOf(jobId).mode == IJobMarket.VerificationMode.TEE
                ? _enclaveSignature(jobId, provider, result, _enclaveKey[provider])
                : bytes("");
        _tracked(jobId, abi.encodeCall(market.revealResult, (jobId, slot, result, bytes32(slot), evidence)), provider);
    }

    /// @dev A provider delivers directly (single-slot jobs, and every slot of a ZK job) with the evidence its
    /// mode asks for: honest, the right result with its enclave's signature or its proof; dishonest, a wrong result
    /// with forged evidence, which must never be accepted.
    function deliver(uint256 jobSeed, uint256 slotSeed, uint8 honesty) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        (uint256 slot, address provider, bool ok) = _slotIn(jobId, slotSeed, IJobMarket.SlotStatus.Claimed);
        if (!ok) return;
        IJobMarket.Job memory job = market.jobOf(jobId);
        // Mostly honest: a dishonest delivery ends nothing, so it should not crowd out the ones that do.
        bool honest = honesty % 4 != 0;
        bytes32 result = honest ? RIGHT : WRONG;
        bytes memory evidence;
        if (job.mode == IJobMarket.VerificationMode.TEE) {
            evidence = _enclaveSignature(jobId, provider, result, honest ? _enclaveKey[provider] : FORGER_KEY);
        } else if (job.mode == IJobMarket.VerificationMode.ZK) {
            evidence = _prover.proofOf(jobId, provider, honest ? job.specHash : bytes32(0));
        }
        bool forged =
            !honest && (job.mode == IJobMarket.VerificationMode.TEE || job.mode == IJobMarket.VerificationMode.ZK);
        bool delivered = _tracked(
            jobId,
            abi.encodeCall(market.submitResult, (jobId, slot, result, evidence)),
            provider
        );
        if (forged && delivered) _unexpected(this.deliver.selector, false);
    }

    /// @dev Anyone expires a slot; when the market is running and the slot's time is up, it must go through (a
    /// penalty that starts reverting would leave a dead provider's slot blocking the job).
    function expire(uint256 jobSeed, uint256 slotSeed, uint256 callerSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        uint256 slot = slotSeed % 3;
        bool expected = _expirable(jobId, slot);
        bool expired = _tracked(
            jobId,
            abi.encodeCall(market.expireSlot, (jobId, slot)),
            validators[callerSeed % VALIDATORS]
        );
        if (expected != expired) _unexpected(this.expire.selector, expected);
    }

    /// @dev A verified job whose challenge window is over must settle.
    function finalize(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Verified);
        if (!any) return;
        IJobMarket.Job memory job = market.jobOf(jobId);
        // The market's views give times on the wall clock (moved by every second the market was paused).
        bool expected = job.status == IJobMarket.JobStatus.Verified && block.timestamp > job.challengeEndsAt;
        bool settled = _tracked(jobId, abi.encodeCall(market.finalize, (jobId)), address(this));
        if (expected != settled) _unexpected(this.finalize.selector, expected);
    }

    /// @dev A batch naming a job twice and an unknown job never reverts, and settles the job exactly when
    /// {finalize} would: the duplicate and the unknown id are skipped, and move nothing.
    function finalizeInBatch(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Verified);
        if (!any) return;
        IJobMarket.Job memory job = market.jobOf(jobId);
        bool expected = job.status == IJobMarket.JobStatus.Verified && block.timestamp > job.challengeEndsAt;
        uint256[] memory batch = new uint256[](3);
        (batch[0], batch[1], batch[2]) = (jobId, type(uint256).max, jobId);
        bool ok = _tracked(jobId, abi.encodeCall(market.finalizeMany, (batch)), address(this));
        bool settled =
            job.status != IJobMarket.JobStatus.Settled && market.jobOf(jobId).status == IJobMarket.JobStatus.Settled;
        if (!ok) _unexpected(this.finalizeInBatch.selector, true);
        else if (expected != settled) _unexpected(this.finalizeInBatch.selector, expected);
    }

    /// @dev An attacker's first probe: acting exactly at a boundary. Moves the clock to exactly a claimed slot's
    /// `deliverBy` (or a verified job's `challengeEndsAt`) and tries to expire the slot (or finalize the job), which
    /// must be refused while delivery (or a dispute) is still allowed; then one second later, when it must go through.
    function probeBoundary(uint256 jobSeed, uint256 slotSeed, bool challengeWindow) external {
        // A pause moves the wall-clock times the views give as the clock moves: no boundary to aim at.
        if (market.paused() || hub.paused()) return;
        uint256 boundary;
        if (challengeWindow) {
            (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Verified);
            if (!any) return;
            IJobMarket.Job memory job = market.jobOf(jobId);
            if (job.status != IJobMarket.JobStatus.Verified) return;
            boundary = job.challengeEndsAt;
        } else {
            (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
            if (!any || market.jobOf(jobId).status != IJobMarket.JobStatus.Open) return;
            IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
            uint256 slot = slotSeed % 3;
            if (slot >= slots.length || slots[slot].status != IJobMarket.SlotStatus.Claimed) return;
            boundary = slots[slot].deliverBy;
        }
        if (boundary < block.timestamp) return;
        ++calls[this.probeBoundary.selector];
        for (uint256 late = 0; late < 2; ++late) {
            vm.warp(boundary + late);
            vm.roll(block.number + 1);
            if (challengeWindow) this.finalize(jobSeed);
            else this.expire(jobSeed, slotSeed, late);
        }
    }

    function cancel(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        _tracked(jobId, abi.encodeCall(market.cancelJob, (jobId)), market.jobOf(jobId).requester);
    }

    function dispute(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Verified);
        if (!any) return;
        vm.prank(market.jobOf(jobId).requester);
        try hub.openDispute(jobId) {
            ++calls[this.dispute.selector];
        } catch {}
    }

    function audit(uint256 jobSeed, uint256 validatorSeed, bool matching) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Verified);
        if (!any) return;
        vm.prank(validators[validatorSeed % VALIDATORS]);
        try hub.reportAudit(jobId, matching ? keccak256("A") : keccak256("C")) {
            ++calls[this.audit.selector];
        } catch {}
    }

    function drawCommittee(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Disputed);
        if (!any) return;
        try hub.drawCommittee(jobId) {
            ++calls[this.drawCommittee.selector];
        } catch {}
    }

    /// @dev A drawn juror commits a vote (salted by its address), or reveals the one it committed.
    function vote(uint256 jobSeed, uint256 validatorSeed, bool uphold) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Disputed);
        if (!any) return;
        (address juror, IVerificationHub.Juror memory record) = _jurorToAct(jobId, validatorSeed);
        bytes32 salt = keccak256(abi.encode(juror));
        // Computed before the prank: a prank applies to the next external call, and `voteCommitment` is one.
        bytes32 commitment = hub.voteCommitment(jobId, juror, uphold, salt);
        vm.prank(juror);
        if (record.commitment == bytes32(0)) {
            try hub.commitVote(jobId, commitment) {
                _committed[jobId][juror] = uphold;
                ++calls[this.vote.selector];
            } catch {}
        } else {
            try hub.revealVote(jobId, _committed[jobId][juror], salt) {
                ++calls[this.vote.selector];
            } catch {}
        }
    }

    /// @dev A requester appeals the current round's ruling (its bond held by the hub until the final verdict).
    function appeal(uint256 jobSeed, uint256 requesterSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Disputed);
        if (!any) return;
        vm.prank(requesters[requesterSeed % REQUESTERS]);
        try hub.appeal(jobId) {
            ++calls[this.appeal.selector];
        } catch {}
    }

    /// @dev Resolves a dispute, and checks the verdict against the votes: upheld or rejected only by a majority of
    /// the whole committee, no decision otherwise.
    function resolve(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Disputed);
        if (!any) return;
        IVerificationHub.Dispute memory votes = hub.disputeOf(jobId);
        if (!_tracked(jobId, abi.encodeCall(hub.resolveDispute, (jobId)), address(this))) return;
        IVerificationHub.Verdict verdict = hub.disputeOf(jobId).verdict;
        bool upheldByMajority = 2 * uint256(votes.upholdVotes) > votes.committeeSize;
        bool rejectedByMajority = 2 * uint256(votes.rejectVotes) > votes.committeeSize;
        bool lawful =
            verdict == IVerificationHub.Verdict.Upheld
                ? upheldByMajority
                : verdict == IVerificationHub.Verdict.Rejected
                    ? rejectedByMajority
                    : verdict == IVerificationHub.Verdict.NoDecision && !upheldByMajority && !rejectedByMajority;
        if (!lawful) ++_anomalies.minorityVerdicts;
    }

    /// @dev Governance changes the fee split between jobs and mid-job: settlement must still pay out exactly the
    /// escrow.
    function setFeeSplit(uint256 providerSeed, uint256 gasSeed, uint256 creatorSeed) external {
        uint256 gasSubsidy = bound(gasSeed, 0, 1_000);
        uint256 creator = bound(creatorSeed, 0, 2_000);
        // The treasury takes the rest, at most 3 000; the provider at least 5 000.
        uint256 least = 7_000 - gasSubsidy - creator;
        uint256 provider = bound(providerSeed, least > 5_000 ? least : 5_000, 10_000 - gasSubsidy - creator);
        uint256 treasury = 10_000 - provider - gasSubsidy - creator;
        market.setFeeSplit(
            IJobMarket.FeeSplit({
                providerBps: uint16(provider),
                gasSubsidyBps: uint16(gasSubsidy),
                treasuryBps: uint16(treasury),
                modelCreatorBps: uint16(creator)
            })
        );
        ++calls[this.setFeeSplit.selector];
    }

    function sweep() external {
        uint256 unswept = market.unsweptFees();
        uint256 before = token.balanceOf(address(market));
        try market.sweepFees() {
            if (before - token.balanceOf(address(market)) != unswept) ++ghostSweptMismatch;
        } catch {
            if (unswept != 0) _unexpected(this.sweep.selector, true);
        }
    }

    /// @dev Time and blocks move together, so that audit draws (from a later block's hash) become known. Steps of
    /// up to 40 minutes: every window (reveal 5 min, challenge 10 min, delivery and voting 1 h, deadline 3 h) can
    /// be hit inside it, at its end or after it.
    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 40 minutes));
        vm.roll(block.number + 1);
    }

    /// @dev The guardian pauses or unpauses the market or the hub: no deadline may pass while either is paused.
    function pause(bool hub_, bool on) external {
        address target = hub_ ? address(hub) : address(market);
        (bool ok, ) = target.call(abi.encodeWithSignature(on ? "pause()" : "unpause()"));
        if (ok) ++calls[this.pause.selector];
    }

    // ---------------------------------------------------------------------------------------------
    // Ghost books
    // ---------------------------------------------------------------------------------------------

    function anomalies() external view returns (Anomalies memory) {
        return _anomalies;
    }

    function jobCount() external view returns (uint256) {
        return jobs.length;
    }

    /// @dev Calls the market (or the hub) as `caller` and books what left the market for `jobId`: AGPU
    /// transferred out plus fees accrued to the treasury, and the requester's share of it. A call that settles the
    /// job has its payouts checked against the fee split. Returns whether the call went through.
    function _tracked(uint256 jobId, bytes memory call, address caller) private returns (bool) {
        address target = bytes4(call) == hub.resolveDispute.selector ? address(hub) : address(market);
        Balances memory before = _balances(jobId);
        IJobMarket.FeeSplit memory split = market.feeSplit();
        if (caller != address(this)) vm.prank(caller);
        (bool ok, ) = target.call(call);
        if (!ok) return false;
        ++calls[bytes4(call)];
        Balances memory after_ = _balances(jobId);

        ghostReleased[jobId] += before.market - after_.market + after_.fees - before.fees;
        // The requester may also get a bond back from the hub; only the market's part is a refund of escrow.
        uint256 received = after_.requester - before.requester;
        uint256 fromHub = before.hub - after_.hub;
        if (received > fromHub) ghostRefunded[jobId] += received - fromHub;

        if (isTerminal(before.status) && after_.status != before.status) ghostTerminalChanged = true;
        if (isTerminal(after_.status)) ghostTerminal[jobId] = after_.status;
        if (before.status != IJobMarket.JobStatus.Settled && after_.status == IJobMarket.JobStatus.Settled) {
            // Only finalize moves nothing but the job's own payouts; a court's ruling also pays bonds and fees.
            if (!_paidBySplit(jobId, split, before, after_, target == address(market))) ++_anomalies.payoutMismatches;
        }
        return true;
    }

    struct Balances {
        uint256 market;
        uint256 fees;
        uint256 requester;
        uint256 hub;
        uint256 creator;
        uint256[PROVIDERS] providers;
        IJobMarket.JobStatus status;
    }

    function _balances(uint256 jobId) private view returns (Balances memory b) {
        IJobMarket.Job memory job = market.jobOf(jobId);
        b.market = token.balanceOf(address(market));
        b.fees = market.unsweptFees();
        b.requester = token.balanceOf(job.requester);
        b.hub = token.balanceOf(address(hub));
        if (job.modelCreator != address(0)) b.creator = token.balanceOf(job.modelCreator);
        for (uint256 i = 0; i < PROVIDERS; ++i) b.providers[i] = token.balanceOf(providers[i]);
        b.status = job.status;
    }

    /// @dev Whether a settlement paid each accepted slot `escrow / redundancy` split as `split` says: provider
    /// (with the gas subsidy, and the creator's part when there is no creator), model creator, treasury fee, and
    /// the rest back to the requester. `exact`: nothing else moved in the call, so providers' and the requester's
    /// balances must match to the wei; otherwise (a ruling's bonds and court fees) the creator's must, and the
    /// providers' at least.
    function _paidBySplit(
        uint256 jobId,
        IJobMarket.FeeSplit memory split,
        Balances memory before,
        Balances memory after_,
        bool exact
    ) private view returns (bool) {
        IJobMarket.Job memory job = market.jobOf(jobId);
        IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
        uint256 share = uint256(job.escrow) / job.redundancy;
        uint256 toProvider = (share * (uint256(split.providerBps) + split.gasSubsidyBps)) / BPS;
        uint256 toCreator = (share * split.modelCreatorBps) / BPS;
        if (job.modelCreator == address(0)) (toProvider, toCreator) = (toProvider + toCreator, 0);
        uint256[PROVIDERS] memory expected;
        uint256 accepted;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (job.acceptedSlots & (1 << i) == 0) continue;
            ++accepted;
            for (uint256 j = 0; j < PROVIDERS; ++j) if (providers[j] == slots[i].provider) expected[j] += toProvider;
        }
        if (after_.creator - before.creator != accepted * toCreator) return false;
        for (uint256 j = 0; j < PROVIDERS; ++j) {
            uint256 got = after_.providers[j] - before.providers[j];
            if (exact ? got != expected[j] : got < expected[j]) return false;
        }
        if (!exact) return true;
        return
            after_.fees - before.fees == accepted * (share - toProvider - toCreator) &&
            after_.requester - before.requester == job.escrow - accepted * share;
    }

    /// @dev Whether expiring `slot` must go through now: the market runs, the job is open and the slot's time is up
    /// (never claimed past the deadline, claimed past its delivery, committed past the reveals).
    function _expirable(uint256 jobId, uint256 slot) private view returns (bool) {
        IJobMarket.Job memory job = market.jobOf(jobId);
        if (market.paused() || job.status != IJobMarket.JobStatus.Open || slot >= job.redundancy) return false;
        IJobMarket.Slot memory s = market.slotsOf(jobId)[slot];
        // The market's views give times on the wall clock (moved by every second the market was paused).
        uint256 now_ = block.timestamp;
        if (s.status == IJobMarket.SlotStatus.Open) return now_ >= job.deadline;
        if (s.status == IJobMarket.SlotStatus.Claimed) return now_ > s.deliverBy;
        if (s.status == IJobMarket.SlotStatus.Committed) return job.revealEndsAt != 0 && now_ > job.revealEndsAt;
        return false;
    }

    function _enclaveSignature(
        uint256 jobId,
        address provider,
        bytes32 result,
        uint256 key
    ) private view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(key, hub.teeResultDigest(jobId, provider, result));
        return abi.encodePacked(r, sig, v);
    }

    function _unexpected(bytes4 action, bool reverted) private {
        if (reverted) ++_anomalies.unexpectedReverts;
        else ++_anomalies.unexpectedSuccesses;
        _anomalies.lastUnexpected = action;
    }

    function _pick(uint256 seed) private view returns (bool, uint256) {
        if (jobs.length == 0) return (false, 0);
        return (true, jobs[seed % jobs.length]);
    }

    /// @dev A job in `status` if there is one (searching from a random place), else any job: steers the sequence
    /// towards calls that can succeed without making the others impossible.
    function _pickIn(uint256 seed, IJobMarket.JobStatus status) private view returns (bool, uint256) {
        uint256 count = jobs.length;
        for (uint256 i = 0; i < count; ++i) {
            uint256 jobId = jobs[(seed + i) % count];
            if (market.jobOf(jobId).status == status) return (true, jobId);
        }
        return _pick(seed);
    }

    /// @dev A slot of `jobId` in `status` (searching from a random one), and its provider.
    function _slotIn(
        uint256 jobId,
        uint256 seed,
        IJobMarket.SlotStatus status
    ) private view returns (uint256, address, bool) {
        IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
        for (uint256 i = 0; i < slots.length; ++i) {
            uint256 slot = (seed + i) % slots.length;
            if (slots[slot].status == status) return (slot, slots[slot].provider, true);
        }
        return (0, address(0), false);
    }

    /// @dev A drawn juror of `jobId` with a vote still to commit, else one with a vote to reveal (searching from a
    /// random validator); any validator when nobody has anything to do.
    function _jurorToAct(uint256 jobId, uint256 seed) private view returns (address, IVerificationHub.Juror memory) {
        for (uint256 pass = 0; pass < 2; ++pass) {
            for (uint256 i = 0; i < VALIDATORS; ++i) {
                address candidate = validators[(seed + i) % VALIDATORS];
                IVerificationHub.Juror memory r = hub.jurorOf(jobId, candidate);
                if (r.drawn && (pass == 0 ? r.commitment == bytes32(0) : !r.revealed)) return (candidate, r);
            }
        }
        address anyone = validators[seed % VALIDATORS];
        return (anyone, hub.jurorOf(jobId, anyone));
    }

    function _slotsHeld(uint256 jobId, address provider) private view returns (uint256 held) {
        IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
        for (uint256 i = 0; i < slots.length; ++i) if (slots[i].provider == provider) ++held;
    }

    function _holdsSlot(IJobMarket.Slot[] memory slots, address provider) private pure returns (bool) {
        for (uint256 i = 0; i < slots.length; ++i) if (slots[i].provider == provider) return true;
        return false;
    }

    function isTerminal(IJobMarket.JobStatus status) public pure returns (bool) {
        return
            status == IJobMarket.JobStatus.Settled ||
            status == IJobMarket.JobStatus.Refunded ||
            status == IJobMarket.JobStatus.Cancelled;
    }
}

/// @dev Invariants of the job market's money and lifecycle under random sequences of every operation, on
/// Consensus, Optimistic, TEE and ZK jobs. A job needs about a dozen calls to travel from submission to a terminal
/// state, and a dispute as many again, hence sequences of 96 calls; a thousand of them on every run, as the
/// accounting deserves. The `test_Handler...` tests show the handler reaching each end, so that the invariants
/// never hold of nothing.
/// forge-config: default.invariant.runs = 1000
/// forge-config: default.invariant.depth = 96
contract JobMarketInvariantTest is TestBase {
    Deployment private d;
    JobMarketHandler private handler;
    StandInWorkloadVerifier private prover;

    function setUp() public {
        AccessManager manager = new AccessManager(address(this));
        _deploy(address(manager));
        _deployMarket(address(manager));
        _permit(manager);
        _configure();
        _populate();
    }

    function _deploy(address authority) private {
        d.token = new AGPU(authority, address(this), 100_000_000 ether, 7 days, 0, 1);
        d.treasury = Treasury(_proxy(address(new Treasury()), abi.encodeCall(Treasury.initialize, (authority))));
        d.staking = Staking(
            _proxy(
                address(new Staking()),
                abi.encodeCall(Staking.initialize, (authority, address(d.token), address(d.treasury)))
            )
        );
        d.registry = NodeRegistry(
            _proxy(
                address(new NodeRegistry()),
                abi.encodeCall(NodeRegistry.initialize, (authority, address(d.staking)))
            )
        );
        d.registry.addZone(ZONE, "eu-west");
        d.reputation = Reputation(
            _proxy(address(new Reputation()), abi.encodeCall(Reputation.initialize, (authority)))
        );
        address oracles = _proxy(
            address(new OracleHub()),
            abi.encodeCall(OracleHub.initialize, (authority, address(d.registry)))
        );
        d.pricing = PricingEngine(
            _proxy(
                address(new PricingEngine()),
                abi.encodeCall(PricingEngine.initialize, (authority, address(d.registry), oracles))
            )
        );
    }

    function _deployMarket(address authority) private {
        address capabilities = _proxy(
            address(new CapabilityRegistrar()),
            abi.encodeCall(
                CapabilityRegistrar.initialize,
                (authority, address(d.registry), address(new CapabilityVerifier()))
            )
        );
        d.hub = VerificationHub(
            _proxy(
                address(new VerificationHub()),
                abi.encodeCall(
                    VerificationHub.initialize,
                    (authority, address(d.registry), address(d.staking), address(d.token))
                )
            )
        );
        d.market = JobMarket(
            _proxy(
                address(new JobMarket()),
                abi.encodeCall(
                    JobMarket.initialize,
                    (
                        authority,
                        [
                            address(d.token),
                            address(d.staking),
                            address(d.registry),
                            address(d.reputation),
                            address(d.pricing),
                            capabilities,
                            address(d.hub),
                            address(d.treasury)
                        ]
                    )
                )
            )
        );
        d.hub.setMarket(address(d.market));
        prover = new StandInWorkloadVerifier();
        d.hub.setWorkloadVerifier(0, address(prover));
        d.registry.setEnclaveMeasurementAllowed(MEASUREMENT, true);
    }

    function _configure() private {
        // Short windows so that a sequence of a few dozen calls reaches every state; neutral providers may take
        // Optimistic jobs, and half of all verified jobs are audited.
        IJobMarket.MarketParameters memory p = d.market.marketParameters();
        p.optimisticReputationFloor = 5_000;
        p.revealWindow = 5 minutes;
        p.challengeWindow = 10 minutes;
        d.market.setMarketParameters(p);
        d.hub.setParameters(
            IVerificationHub.HubParameters({
                auditRateBps: 5_000,
                disputeBondBps: 1_000,
                votingPeriod: 1 hours,
                committeeSize: 3,
                revealPeriod: 1 hours,
                jurorCollateral: 100 ether,
                appealPeriod: 1 hours,
                jurorFeeBps: 4_500
            })
        );
    }

    function _populate() private {
        address[REQUESTERS] memory requesters;
        address[PROVIDERS] memory providers;
        address[VALIDATORS] memory validators;
        for (uint256 i = 0; i < REQUESTERS; ++i) requesters[i] = address(uint160(0xA000 + i));
        for (uint256 i = 0; i < PROVIDERS; ++i) providers[i] = address(uint160(0xB000 + i));
        for (uint256 i = 0; i < VALIDATORS; ++i) validators[i] = address(uint160(0xD000 + i));
        uint256[PROVIDERS] memory enclaveKeys;
        for (uint256 i = 0; i < PROVIDERS; ++i) enclaveKeys[i] = 0xE000 + i;
        handler = new JobMarketHandler(d, requesters, providers, validators, enclaveKeys, prover);
        AccessManager(d.market.authority()).grantRole(GOVERNOR, address(handler), 0);
        for (uint256 i = 0; i < REQUESTERS; ++i) {
            d.token.transfer(requesters[i], REQUESTER_FUNDS);
            vm.startPrank(requesters[i]);
            d.token.approve(address(d.market), type(uint256).max);
            d.token.approve(address(d.hub), type(uint256).max);
            vm.stopPrank();
        }
        // Providers run attested TEEs, so that they can take TEE jobs as well as the others.
        for (uint256 i = 0; i < PROVIDERS; ++i) {
            _node(providers[i], NodeRoles.PROVIDER, PROVIDER_STAKE, INodeRegistry.TeeType.IntelTdx);
            d.registry.registerAttestation(
                providers[i],
                INodeRegistry.TeeType.IntelTdx,
                MEASUREMENT,
                keccak256(abi.encode("report", i)),
                vm.addr(enclaveKeys[i])
            );
        }
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            _node(validators[i], NodeRoles.VALIDATOR, VALIDATOR_STAKE, INodeRegistry.TeeType.None);
            vm.prank(validators[i]);
            d.hub.joinPool();
        }
        targetContract(address(handler));
        targetSelectors(address(handler), _actions());
    }

    function invariant_MarketHoldsExactlyOpenEscrowsAndUnsweptFees() public view {
        assertEq(
            d.token.balanceOf(address(d.market)),
            d.market.totalEscrowed() + d.market.unsweptFees(),
            "market balance == open escrows + unswept fees"
        );
        assertEq(d.token.balanceOf(address(d.hub)), d.hub.totalBonds(), "hub balance == open bonds");
    }

    function invariant_OpenEscrowsAreTheSumOfNonTerminalJobs() public view {
        uint256 open;
        for (uint256 i = 0; i < handler.jobCount(); ++i) {
            uint256 jobId = handler.jobs(i);
            if (!handler.isTerminal(d.market.jobOf(jobId).status)) open += handler.ghostEscrow(jobId);
        }
        assertEq(open, d.market.totalEscrowed(), "totalEscrowed == escrows of jobs not yet ended");
    }

    function invariant_EveryEscrowLeavesExactlyOnceAndOnlyAtTheEnd() public view {
        for (uint256 i = 0; i < handler.jobCount(); ++i) {
            uint256 jobId = handler.jobs(i);
            IJobMarket.JobStatus status = d.market.jobOf(jobId).status;
            uint256 expected = handler.isTerminal(status) ? handler.ghostEscrow(jobId) : 0;
            assertEq(handler.ghostReleased(jobId), expected, "released == escrow once ended, 0 before");
        }
    }

    function invariant_EveryJobEndsInOneTerminalStateForGood() public view {
        assertEq(handler.ghostTerminalChanged() ? 1 : 0, 0, "a terminal job changed state");
        for (uint256 i = 0; i < handler.jobCount(); ++i) {
            uint256 jobId = handler.jobs(i);
            IJobMarket.JobStatus terminal = handler.ghostTerminal(jobId);
            if (terminal == IJobMarket.JobStatus.None) continue;
            assertEq(uint256(d.market.jobOf(jobId).status), uint256(terminal), "terminal state is final");
        }
    }

    function invariant_RequestersWithoutAValidResultGetTheEscrowBack() public view {
        for (uint256 i = 0; i < handler.jobCount(); ++i) {
            uint256 jobId = handler.jobs(i);
            IJobMarket.JobStatus status = d.market.jobOf(jobId).status;
            if (status == IJobMarket.JobStatus.Refunded || status == IJobMarket.JobStatus.Cancelled) {
                assertEq(handler.ghostRefunded(jobId), handler.ghostEscrow(jobId), "refunded job: escrow back");
            }
        }
    }

    function invariant_FeeSweepsMoveExactlyWhatWasAccrued() public view {
        assertEq(handler.ghostSweptMismatch(), 0, "a sweep moved something else than the unswept fees");
    }

    // ---------------------------------------------------------------------------------------------
    // The handler reaches every end (else the invariants above would hold of nothing)
    // ---------------------------------------------------------------------------------------------

    /// @dev Single-slot Optimistic (with a model creator), TEE (with a creator) and ZK (without) jobs, each
    /// delivered with its evidence and settled after the challenge window, by the fee split.
    function test_HandlerSettlesOptimisticTeeAndZkJobs() public {
        uint256[3] memory modes = [uint256(1), 2, 3];
        for (uint256 i = 0; i < modes.length; ++i) {
            handler.submit(0, modes[i], 1, 1);
            handler.claim(i, 0);
            handler.deliver(i, 0, 1);
        }
        handler.warp(11 minutes);
        handler.finalize(0);
        handler.finalizeInBatch(1);
        handler.finalize(2);
        assertEq(handler.calls(JobMarket.finalize.selector), 2, "two jobs finalized one by one");
        assertEq(handler.calls(JobMarket.finalizeMany.selector), 1, "one in a batch");
        for (uint256 i = 0; i < modes.length; ++i) {
            assertEq(uint256(d.market.jobOf(handler.jobs(i)).status), uint256(IJobMarket.JobStatus.Settled), "settled");
        }
        assertEq(handler.anomalies().payoutMismatches, 0, "paid by the split");
        invariant_EveryCheckedCallEndsAsPredicted();
    }

    /// @dev A Consensus job claimed in batches: two providers get a slot each, a provider already on the job is
    /// skipped (and {claimSlot} refuses it too), and the job is then served to the end.
    function test_HandlerClaimsInBatches() public {
        handler.submit(0, 4, 3, 1);
        handler.claimInBatch(0, 0);
        handler.claimInBatch(0, 1);
        assertEq(handler.calls(JobMarketHandler.claimInBatch.selector), 2, "two providers claimed in batches");
        handler.claimInBatch(0, 1);
        assertEq(handler.calls(JobMarketHandler.claimInBatch.selector), 2, "a provider on the job skipped");
        handler.claim(0, 2);
        for (uint256 i = 0; i < 3; ++i) handler.commit(0, 0, 0);
        for (uint256 i = 0; i < 3; ++i) handler.reveal(0, 0);
        handler.warp(11 minutes);
        handler.finalizeInBatch(0);
        assertEq(uint256(d.market.jobOf(handler.jobs(0)).status), uint256(IJobMarket.JobStatus.Settled), "settled");
        invariant_EveryCheckedCallEndsAsPredicted();
    }

    /// @dev Forged enclave signatures and proofs are refused, and the slot can still be delivered honestly.
    function test_HandlerForgedEvidenceIsRefused() public {
        handler.submit(0, 2, 1, 1);
        handler.submit(0, 3, 1, 1);
        handler.claim(0, 0);
        handler.claim(1, 0);
        handler.deliver(0, 0, 0);
        handler.deliver(1, 0, 0);
        assertEq(handler.calls(JobMarket.submitResult.selector), 0, "forged evidence refused");
        invariant_EveryCheckedCallEndsAsPredicted();
        handler.deliver(0, 0, 1);
        handler.deliver(1, 0, 1);
        assertEq(handler.calls(JobMarket.submitResult.selector), 2, "honest evidence accepted");
    }

    /// @dev Probes exactly at the boundaries: a claimed slot is not expired at its `deliverBy`, only one second
    /// later; a verified job is not finalized at its `challengeEndsAt`, only one second later.
    function test_HandlerProbesTheBoundaries() public {
        handler.submit(0, 1, 1, 1);
        handler.submit(0, 1, 1, 1);
        handler.claim(0, 0);
        handler.claim(1, 0);
        // The second job is delivered and its ten-minute challenge window probed within the first's hour to deliver.
        handler.deliver(1, 0, 1);
        handler.probeBoundary(1, 0, true);
        assertEq(
            handler.calls(JobMarket.finalize.selector),
            1,
            "finalized one second after challengeEndsAt, not at it"
        );
        handler.probeBoundary(0, 0, false);
        assertEq(handler.calls(JobMarket.expireSlot.selector), 1, "expired one second after deliverBy, not at it");
        assertEq(handler.calls(JobMarketHandler.probeBoundary.selector), 2, "both boundaries probed");
        invariant_EveryCheckedCallEndsAsPredicted();
    }

    /// @dev A three-provider Consensus job: three claims, commits of `answers` (see the handler's `commit`) and
    /// their reveals, each of which must go through.
    function _revealConsensusJob(uint8[3] memory answers) private {
        handler.submit(0, 4, 3, 1);
        for (uint256 i = 0; i < 3; ++i) handler.claim(0, i);
        assertEq(handler.calls(JobMarketHandler.claim.selector), 3, "three claims");
        for (uint256 i = 0; i < 3; ++i) handler.commit(0, 0, answers[i]);
        assertEq(handler.calls(JobMarketHandler.commit.selector), 3, "three commits");
        for (uint256 i = 0; i < 3; ++i) handler.reveal(0, 0);
        assertEq(handler.calls(JobMarket.revealResult.selector), 3, "three reveals");
    }

    /// @dev A three-provider Consensus job: claims, commits, reveals, and settlement after the challenge window.
    function test_HandlerSettlesAConsensusJob() public {
        _revealConsensusJob([0, 0, 0]);
        handler.warp(11 minutes);
        handler.finalize(0);
        assertEq(uint256(d.market.jobOf(handler.jobs(0)).status), uint256(IJobMarket.JobStatus.Settled), "settled");
        assertEq(handler.anomalies().payoutMismatches, 0, "paid by the split");
    }

    /// @dev A three-way split on a Consensus job: nothing is accepted, the job settles after the challenge window
    /// and every revealer's collateral comes back. Random sequences seldom get this far, so it is scripted here.
    function test_HandlerSettlesAThreeWaySplit() public {
        _revealConsensusJob([0, 1, 2]);
        uint256 jobId = handler.jobs(0);
        assertEq(uint256(d.market.jobOf(jobId).status), uint256(IJobMarket.JobStatus.Verified), "verified");
        assertEq(d.market.jobOf(jobId).acceptedSlots, 0, "no result accepted");
        handler.warp(11 minutes);
        handler.finalize(0);
        assertEq(uint256(d.market.jobOf(jobId).status), uint256(IJobMarket.JobStatus.Settled), "settled");
        invariant_LockedIsTheCollateralOfLiveClaims();
        invariant_RequestersWithoutAValidResultGetTheEscrowBack();
        invariant_EveryCheckedCallEndsAsPredicted();
    }

    /// @dev A requester disputes a delivered job; a committee is drawn, commits and reveals, and the dispute is
    /// resolved by its majority once the appeal period is over.
    function test_HandlerDrivesADisputeToAVerdict() public {
        uint256 jobId = _disputedBeforeACommittee();
        for (uint256 i = 0; i < 6; ++i) handler.vote(0, 0, true);
        assertEq(handler.calls(JobMarketHandler.vote.selector), 6, "three commits, three reveals");
        _resolveAfterTheAppealPeriod();
        assertEq(uint256(d.hub.disputeOf(jobId).verdict), uint256(IVerificationHub.Verdict.Upheld), "upheld");
        assertEq(handler.anomalies().minorityVerdicts, 0, "by a majority");
    }

    /// @dev One juror upholds a requester's dispute of a correct result and two reject it: the dispute is rejected.
    function test_HandlerDisputeRejectedByTwoOfThree() public {
        uint256 jobId = _disputedBeforeACommittee();
        bool[3] memory votes = [true, false, false];
        for (uint256 i = 0; i < 3; ++i) handler.vote(0, 0, votes[i]);
        for (uint256 i = 0; i < 3; ++i) handler.vote(0, 0, false);
        assertEq(handler.calls(JobMarketHandler.vote.selector), 6, "three commits, three reveals");
        _resolveAfterTheAppealPeriod();
        assertEq(uint256(d.hub.disputeOf(jobId).verdict), uint256(IVerificationHub.Verdict.Rejected), "rejected");
        assertEq(handler.anomalies().minorityVerdicts, 0, "by a majority");
    }

    /// @dev An Optimistic job delivered and disputed by its requester, its committee drawn.
    function _disputedBeforeACommittee() private returns (uint256 jobId) {
        handler.submit(0, 1, 1, 1);
        handler.claim(0, 0);
        handler.deliver(0, 0, 1);
        handler.dispute(0);
        jobId = handler.jobs(0);
        assertEq(uint256(d.market.jobOf(jobId).status), uint256(IJobMarket.JobStatus.Disputed), "disputed");
        // The committee is drawn from the hash of a block after the dispute's.
        handler.warp(1);
        handler.warp(1);
        handler.drawCommittee(0);
        assertEq(handler.calls(JobMarketHandler.drawCommittee.selector), 1, "drawn");
    }

    function _resolveAfterTheAppealPeriod() private {
        handler.warp(40 minutes);
        handler.warp(40 minutes);
        handler.resolve(0);
        assertEq(handler.calls(VerificationHub.resolveDispute.selector), 1, "resolved");
    }

    function invariant_SettlementsPayExactlyTheFeeSplit() public view {
        assertEq(handler.anomalies().payoutMismatches, 0, "a settlement paid other than the fee split");
    }

    function invariant_VerdictsOnlyByAMajorityOfTheCommittee() public view {
        assertEq(handler.anomalies().minorityVerdicts, 0, "a verdict without a majority of the committee");
    }

    /// @dev Expiring a slot whose time is up, finalizing after the challenge window and sweeping accrued fees always
    /// go through; forged enclave signatures and proofs never do.
    function invariant_EveryCheckedCallEndsAsPredicted() public view {
        JobMarketHandler.Anomalies memory anomalies = handler.anomalies();
        string memory last = _hex(anomalies.lastUnexpected);
        assertEq(anomalies.unexpectedReverts, 0, string.concat("unexpected revert, last in ", last));
        assertEq(anomalies.unexpectedSuccesses, 0, string.concat("unexpected success, last in ", last));
    }

    function invariant_CollateralNeverExceedsStake() public view {
        for (uint256 i = 0; i < PROVIDERS; ++i) {
            address provider = handler.providers(i);
            assertLe(d.staking.lockedOf(provider), d.staking.stakeOf(provider), "locked <= staked");
        }
    }

    /// @dev Every node's locked stake is exactly the collateral of its live claims: slots it holds in Open jobs,
    /// revealed slots of jobs not yet paid (accepted, or dissenting until settlement), the audits it stands behind and the committees it sits on. A slash
    /// consumes a claim's collateral and nothing else.
    function invariant_LockedIsTheCollateralOfLiveClaims() public view {
        address[PROVIDERS + VALIDATORS] memory nodes;
        uint256[PROVIDERS + VALIDATORS] memory expected;
        for (uint256 i = 0; i < PROVIDERS; ++i) nodes[i] = handler.providers(i);
        for (uint256 i = 0; i < VALIDATORS; ++i) nodes[PROVIDERS + i] = handler.validators(i);
        for (uint256 j = 0; j < handler.jobCount(); ++j) {
            uint256 jobId = handler.jobs(j);
            IJobMarket.Job memory job = d.market.jobOf(jobId);
            uint256 collateral = d.market.collateralOf(jobId);
            IJobMarket.Slot[] memory slots = d.market.slotsOf(jobId);
            for (uint256 i = 0; i < slots.length; ++i) {
                if (_holdsCollateral(job, slots[i], i)) _add(nodes, expected, slots[i].provider, collateral);
            }
            IVerificationHub.Dispute memory dispute = d.hub.disputeOf(jobId);
            if (dispute.challenger == address(0) || dispute.verdict != IVerificationHub.Verdict.Pending) continue;
            if (dispute.audit) _add(nodes, expected, dispute.challenger, collateral);
            // Each juror of a pending dispute stands behind its vote with the juror collateral.
            address[] memory jurors = d.hub.jurorsOf(jobId);
            uint256 jurorCollateral = d.hub.parameters().jurorCollateral;
            for (uint256 i = 0; i < jurors.length; ++i) _add(nodes, expected, jurors[i], jurorCollateral);
        }
        for (uint256 i = 0; i < nodes.length; ++i) {
            assertEq(d.staking.lockedOf(nodes[i]), expected[i], "locked == collateral of live claims");
        }
    }

    function _holdsCollateral(
        IJobMarket.Job memory job,
        IJobMarket.Slot memory slot,
        uint256 index
    ) private pure returns (bool) {
        if (job.status == IJobMarket.JobStatus.Open) {
            return
                slot.status == IJobMarket.SlotStatus.Claimed ||
                slot.status == IJobMarket.SlotStatus.Committed ||
                slot.status == IJobMarket.SlotStatus.Revealed;
        }
        if (job.status == IJobMarket.JobStatus.Verified || job.status == IJobMarket.JobStatus.Disputed) {
            // Accepted slots, and consensus dissenters awaiting the end of the challenge window.
            return job.acceptedSlots & (1 << index) != 0 || slot.status == IJobMarket.SlotStatus.Revealed;
        }
        return false;
    }

    function _add(
        address[PROVIDERS + VALIDATORS] memory nodes,
        uint256[PROVIDERS + VALIDATORS] memory expected,
        address node,
        uint256 amount
    ) private pure {
        for (uint256 i = 0; i < nodes.length; ++i) {
            if (nodes[i] == node) {
                expected[i] += amount;
                return;
            }
        }
        revert AssertionFailed("collateral held by an unknown node", uint256(uint160(node)), 0);
    }

    function _node(address node, uint8 role, uint256 stake, INodeRegistry.TeeType tee) private {
        d.token.transfer(node, stake);
        vm.startPrank(node);
        d.token.approve(address(d.staking), stake);
        d.staking.stake(stake);
        d.registry.register(
            role,
            INodeRegistry.NodeMetadata({
                zone: ZONE,
                endpoint: "https://node.example",
                gpuModel: "NVIDIA H100 80GB",
                vramMiB: 81_920,
                computeCapability: 90,
                tflopsCenti: 6_700,
                teeType: tee
            })
        );
        vm.stopPrank();
    }

    function _permit(AccessManager manager) private {
        bytes4[] memory collateral = new bytes4[](2);
        collateral[0] = IStaking.lockCollateral.selector;
        collateral[1] = IStaking.unlockCollateral.selector;
        bytes4[] memory slashing = new bytes4[](2);
        slashing[0] = IStaking.slashCollateral.selector;
        slashing[1] = IStaking.forfeitCollateral.selector;
        bytes4[] memory outcomes = new bytes4[](1);
        outcomes[0] = IReputation.recordOutcome.selector;
        bytes4[] memory demand = new bytes4[](1);
        demand[0] = IPricingEngine.recordDemand.selector;
        bytes4[] memory governance = new bytes4[](1);
        governance[0] = IJobMarket.setFeeSplit.selector;
        manager.setTargetFunctionRole(address(d.market), governance, GOVERNOR);
        bytes4[] memory pausing = new bytes4[](2);
        pausing[0] = bytes4(keccak256("pause()"));
        pausing[1] = bytes4(keccak256("unpause()"));
        manager.setTargetFunctionRole(address(d.market), pausing, GOVERNOR);
        manager.setTargetFunctionRole(address(d.hub), pausing, GOVERNOR);
        bytes4[] memory disputes = new bytes4[](3);
        disputes[0] = IJobMarket.startDispute.selector;
        disputes[1] = IJobMarket.closeDispute.selector;
        disputes[2] = IJobMarket.holdClock.selector;

        manager.setTargetFunctionRole(address(d.staking), collateral, COLLATERAL_MANAGER);
        manager.setTargetFunctionRole(address(d.staking), slashing, SLASHER);
        manager.setTargetFunctionRole(address(d.reputation), outcomes, REPUTATION_WRITER);
        manager.setTargetFunctionRole(address(d.pricing), demand, DEMAND_REPORTER);
        manager.setTargetFunctionRole(address(d.market), disputes, VERIFICATION_HUB);
        address market = address(d.market);
        manager.grantRole(COLLATERAL_MANAGER, market, 0);
        manager.grantRole(SLASHER, market, 0);
        manager.grantRole(REPUTATION_WRITER, market, 0);
        manager.grantRole(DEMAND_REPORTER, market, 0);
        manager.grantRole(SLASHER, address(d.hub), 0);
        manager.grantRole(COLLATERAL_MANAGER, address(d.hub), 0);
        manager.grantRole(VERIFICATION_HUB, address(d.hub), 0);
    }

    /// @dev The handler's actions: what the invariant runner calls, in random order.
    function _actions() private pure returns (bytes4[] memory) {
        bytes4[] memory actions = new bytes4[](21);
        actions[0] = JobMarketHandler.submit.selector;
        actions[1] = JobMarketHandler.claim.selector;
        actions[2] = JobMarketHandler.commit.selector;
        actions[3] = JobMarketHandler.reveal.selector;
        actions[4] = JobMarketHandler.deliver.selector;
        actions[5] = JobMarketHandler.expire.selector;
        actions[6] = JobMarketHandler.finalize.selector;
        actions[7] = JobMarketHandler.cancel.selector;
        actions[8] = JobMarketHandler.dispute.selector;
        actions[9] = JobMarketHandler.audit.selector;
        actions[10] = JobMarketHandler.drawCommittee.selector;
        actions[11] = JobMarketHandler.vote.selector;
        actions[12] = JobMarketHandler.appeal.selector;
        actions[13] = JobMarketHandler.resolve.selector;
        actions[14] = JobMarketHandler.setFeeSplit.selector;
        actions[15] = JobMarketHandler.sweep.selector;
        actions[16] = JobMarketHandler.warp.selector;
        actions[17] = JobMarketHandler.pause.selector;
        actions[18] = JobMarketHandler.probeBoundary.selector;
        actions[19] = JobMarketHandler.finalizeInBatch.selector;
        actions[20] = JobMarketHandler.claimInBatch.selector;
        return actions;
    }

    function _hex(bytes4 selector) private pure returns (string memory text) {
        bytes memory digits = "0123456789abcdef";
        bytes memory out = new bytes(10);
        out[0] = "0";
        out[1] = "x";
        for (uint256 i = 0; i < 4; ++i) {
            out[2 + 2 * i] = digits[uint8(selector[i]) >> 4];
            out[3 + 2 * i] = digits[uint8(selector[i]) & 0x0f];
        }
        return string(out);
    }

    function _proxy(address implementation, bytes memory initialize) private returns (address) {
        return address(new ERC1967Proxy(implementation, initialize));
    }
}

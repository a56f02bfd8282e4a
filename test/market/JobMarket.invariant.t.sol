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
    AGPU public immutable token;
    JobMarket public immutable market;
    VerificationHub public immutable hub;
    address[REQUESTERS] public requesters;
    address[PROVIDERS] public providers;
    address[VALIDATORS] public validators;

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
    mapping(bytes4 action => uint256 count) public calls;

    constructor(
        Deployment memory d,
        address[REQUESTERS] memory r,
        address[PROVIDERS] memory p,
        address[VALIDATORS] memory v
    ) {
        token = d.token;
        market = d.market;
        hub = d.hub;
        requesters = r;
        providers = p;
        validators = v;
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    function submit(uint256 requesterSeed, uint256 modeSeed, uint256 redundancySeed, uint256 hours_) external {
        address requester = requesters[requesterSeed % REQUESTERS];
        IJobMarket.VerificationMode mode =
            modeSeed % 2 == 0 ? IJobMarket.VerificationMode.Consensus : IJobMarket.VerificationMode.Optimistic;
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

    function claim(uint256 jobSeed, uint256 providerSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Open);
        if (!any) return;
        vm.prank(providers[providerSeed % PROVIDERS]);
        try market.claimSlot(jobId) {
            ++calls[this.claim.selector];
        } catch {}
    }

    /// @dev Commits one of three results (so Consensus jobs see agreement, dissent and three-way splits).
    function commit(uint256 jobSeed, uint256 slotSeed, uint8 answer) external {
        (bool any, uint256 jobId) = _pick(jobSeed);
        if (!any) return;
        uint256 slot = slotSeed % 3;
        (address provider, bool ok) = _slotProvider(jobId, slot);
        if (!ok) return;
        uint8 pick = answer % 3;
        bytes32 result = pick == 0 ? keccak256("A") : (pick == 1 ? keccak256("B") : keccak256("C"));
        vm.prank(provider);
        try market.commitResult(jobId, slot, market.commitmentOf(jobId, slot, provider, result, bytes32(slot))) {
            _intended[jobId][slot] = result;
            ++calls[this.commit.selector];
        } catch {}
    }

    function reveal(uint256 jobSeed, uint256 slotSeed) external {
        (bool any, uint256 jobId) = _pick(jobSeed);
        if (!any) return;
        uint256 slot = slotSeed % 3;
        (address provider, bool ok) = _slotProvider(jobId, slot);
        if (!ok) return;
        _tracked(
            jobId,
            abi.encodeCall(market.revealResult, (jobId, slot, _intended[jobId][slot], bytes32(slot), "")),
            provider
        );
    }

    function deliver(uint256 jobSeed, bool honest) external {
        (bool any, uint256 jobId) = _pick(jobSeed);
        if (!any) return;
        (address provider, bool ok) = _slotProvider(jobId, 0);
        if (!ok) return;
        bytes32 result = honest ? keccak256("A") : keccak256("B");
        _tracked(jobId, abi.encodeCall(market.submitResult, (jobId, 0, result, "")), provider);
    }

    function expire(uint256 jobSeed, uint256 slotSeed, uint256 callerSeed) external {
        (bool any, uint256 jobId) = _pick(jobSeed);
        if (!any) return;
        _tracked(jobId, abi.encodeCall(market.expireSlot, (jobId, slotSeed % 3)), validators[callerSeed % VALIDATORS]);
    }

    function finalize(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Verified);
        if (!any) return;
        _tracked(jobId, abi.encodeCall(market.finalize, (jobId)), address(this));
    }

    function cancel(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pick(jobSeed);
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
        address juror = validators[validatorSeed % VALIDATORS];
        bytes32 salt = keccak256(abi.encode(juror));
        IVerificationHub.Juror memory record = hub.jurorOf(jobId, juror);
        vm.prank(juror);
        if (record.commitment == bytes32(0)) {
            try hub.commitVote(jobId, hub.voteCommitment(jobId, juror, uphold, salt)) {
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

    function resolve(uint256 jobSeed) external {
        (bool any, uint256 jobId) = _pickIn(jobSeed, IJobMarket.JobStatus.Disputed);
        if (!any) return;
        _tracked(jobId, abi.encodeCall(hub.resolveDispute, (jobId)), address(this));
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
        } catch {}
    }

    /// @dev Time and blocks move together, so that audit draws (from a later block's hash) become known.
    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 hours));
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

    function jobCount() external view returns (uint256) {
        return jobs.length;
    }

    /// @dev Calls the market (or the hub) as `caller` and books what left the market for `jobId`: AGPU
    /// transferred out plus fees accrued to the treasury, and the requester's share of it.
    function _tracked(uint256 jobId, bytes memory call, address caller) private {
        address target = bytes4(call) == hub.resolveDispute.selector ? address(hub) : address(market);
        Balances memory before = _balances(jobId);
        if (caller != address(this)) vm.prank(caller);
        (bool ok, ) = target.call(call);
        if (!ok) return;
        ++calls[bytes4(call)];
        Balances memory after_ = _balances(jobId);

        ghostReleased[jobId] += before.market - after_.market + after_.fees - before.fees;
        // The requester may also get a bond back from the hub; only the market's part is a refund of escrow.
        uint256 received = after_.requester - before.requester;
        uint256 fromHub = before.hub - after_.hub;
        if (received > fromHub) ghostRefunded[jobId] += received - fromHub;

        if (isTerminal(before.status) && after_.status != before.status) ghostTerminalChanged = true;
        if (isTerminal(after_.status)) ghostTerminal[jobId] = after_.status;
    }

    struct Balances {
        uint256 market;
        uint256 fees;
        uint256 requester;
        uint256 hub;
        IJobMarket.JobStatus status;
    }

    function _balances(uint256 jobId) private view returns (Balances memory b) {
        IJobMarket.Job memory job = market.jobOf(jobId);
        b.market = token.balanceOf(address(market));
        b.fees = market.unsweptFees();
        b.requester = token.balanceOf(job.requester);
        b.hub = token.balanceOf(address(hub));
        b.status = job.status;
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

    function _slotProvider(uint256 jobId, uint256 slot) private view returns (address, bool) {
        IJobMarket.Slot[] memory slots = market.slotsOf(jobId);
        if (slot >= slots.length || slots[slot].provider == address(0)) return (address(0), false);
        return (slots[slot].provider, true);
    }

    function isTerminal(IJobMarket.JobStatus status) public pure returns (bool) {
        return
            status == IJobMarket.JobStatus.Settled ||
            status == IJobMarket.JobStatus.Refunded ||
            status == IJobMarket.JobStatus.Cancelled;
    }
}

/// @dev Invariants of the job market's money and lifecycle under random sequences of every operation. A job needs
/// about a dozen calls to travel from submission to a terminal state, hence sequences of 64 calls; a thousand of
/// them on every run, as the accounting deserves.
/// forge-config: default.invariant.runs = 1000
/// forge-config: default.invariant.depth = 64
contract JobMarketInvariantTest is TestBase {
    Deployment private d;
    JobMarketHandler private handler;

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
        handler = new JobMarketHandler(d, requesters, providers, validators);
        AccessManager(d.market.authority()).grantRole(GOVERNOR, address(handler), 0);
        for (uint256 i = 0; i < REQUESTERS; ++i) {
            d.token.transfer(requesters[i], REQUESTER_FUNDS);
            vm.startPrank(requesters[i]);
            d.token.approve(address(d.market), type(uint256).max);
            d.token.approve(address(d.hub), type(uint256).max);
            vm.stopPrank();
        }
        for (uint256 i = 0; i < PROVIDERS; ++i) _node(providers[i], NodeRoles.PROVIDER, PROVIDER_STAKE);
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            _node(validators[i], NodeRoles.VALIDATOR, VALIDATOR_STAKE);
            vm.prank(validators[i]);
            d.hub.joinPool();
        }
        targetContract(address(handler));
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

    function _node(address node, uint8 role, uint256 stake) private {
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
                teeType: INodeRegistry.TeeType.None
            })
        );
        vm.stopPrank();
    }

    function _permit(AccessManager manager) private {
        bytes4[] memory collateral = new bytes4[](2);
        collateral[0] = IStaking.lockCollateral.selector;
        collateral[1] = IStaking.unlockCollateral.selector;
        bytes4[] memory slashing = new bytes4[](1);
        slashing[0] = IStaking.slashCollateral.selector;
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

    function _proxy(address implementation, bytes memory initialize) private returns (address) {
        return address(new ERC1967Proxy(implementation, initialize));
    }
}

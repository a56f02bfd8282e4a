// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {Staking} from "../../contracts/staking/Staking.sol";
import {AGPU} from "../../contracts/token/AGPU.sol";
import {Treasury} from "../../contracts/treasury/Treasury.sol";
import {TestBase} from "../support/TestBase.sol";

uint64 constant SLASHER = 4;
uint64 constant COLLATERAL_MANAGER = 5;
uint256 constant ACTORS = 4;
uint256 constant FUNDS_PER_ACTOR = 1_000_000 ether;

/// @dev Drives random sequences of staking, unbonding, collateral and slashing for the invariant runner, and keeps
/// the ghost accounting the invariants compare against.
contract StakingHandler is TestBase {
    AGPU public immutable token;
    Staking public immutable staking;
    Treasury public immutable treasury;
    address[ACTORS] public actors;

    mapping(address node => uint256 amount) public ghostLocked;
    /// @dev The free stake (staked - locked) a slash left different: a slash may only ever take locked collateral.
    bool public ghostSlashTouchedFreeStake;
    bool public ghostSlashedMoreThanCollateral;
    bool public ghostBountyAboveCap;
    uint256 public slashes;

    constructor(AGPU token_, Staking staking_, Treasury treasury_) {
        token = token_;
        staking = staking_;
        treasury = treasury_;
        for (uint256 i = 0; i < ACTORS; ++i) {
            actors[i] = address(uint160(0xA000 + i));
        }
    }

    function stake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 balance = token.balanceOf(actor);
        if (balance == 0) return;
        vm.prank(actor);
        staking.stake(bound(amount, 1, balance));
    }

    function requestUnbond(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 available = staking.availableOf(actor);
        if (available == 0 || staking.unbondingsOf(actor).length >= staking.MAX_PENDING_UNBONDINGS()) return;
        vm.prank(actor);
        staking.requestUnbond(bound(amount, 1, available));
    }

    function withdraw(uint256 actorSeed) external {
        vm.prank(_actor(actorSeed));
        try staking.withdraw() {} catch {}
    }

    function lockCollateral(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 available = staking.availableOf(actor);
        if (available == 0) return;
        amount = bound(amount, 1, available);
        staking.lockCollateral(actor, amount);
        ghostLocked[actor] += amount;
    }

    function unlockCollateral(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 locked = staking.lockedOf(actor);
        if (locked == 0) return;
        amount = bound(amount, 1, locked);
        staking.unlockCollateral(actor, amount);
        ghostLocked[actor] -= amount;
    }

    function slashCollateral(uint256 actorSeed, uint256 collateral, uint256 proverSeed) external {
        address actor = _actor(actorSeed);
        uint256 locked = staking.lockedOf(actor);
        if (locked == 0) return;
        collateral = bound(collateral, 1, locked);
        uint256 freeBefore = staking.availableOf(actor);
        address prover = _actor(proverSeed);
        uint256 bountyBefore = staking.unpaidBountyOf(prover);
        uint256 amount = staking.slashCollateral(actor, collateral, keccak256("fault"), prover, false);
        if (amount > collateral) ghostSlashedMoreThanCollateral = true;
        if (staking.availableOf(actor) != freeBefore + collateral - amount) ghostSlashTouchedFreeStake = true;
        if (staking.unpaidBountyOf(prover) - bountyBefore > staking.slashPolicy().maxBounty) ghostBountyAboveCap = true;
        ghostLocked[actor] -= collateral;
        ++slashes;
    }

    function claimBounty(uint256 actorSeed) external {
        vm.prank(_actor(actorSeed));
        try staking.claimBounty() {} catch {}
    }

    function sweepToTreasury() external {
        try staking.sweepToTreasury() {} catch {}
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 20 days));
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % ACTORS];
    }
}

/// @dev Invariants of the Staking contract's accounting under random sequences of every operation: a thousand
/// sequences of 50 calls on every run.
/// forge-config: default.invariant.runs = 1000
/// forge-config: default.invariant.depth = 50
contract StakingInvariantTest is TestBase {
    AGPU private token;
    Staking private staking;
    Treasury private treasury;
    StakingHandler private handler;

    function setUp() public {
        AccessManager manager = new AccessManager(address(this));
        token = new AGPU(address(manager), address(this), ACTORS * FUNDS_PER_ACTOR, 7 days, 0, 1);
        treasury = Treasury(
            address(new ERC1967Proxy(address(new Treasury()), abi.encodeCall(Treasury.initialize, (address(manager)))))
        );
        staking = Staking(
            address(
                new ERC1967Proxy(
                    address(new Staking()),
                    abi.encodeCall(Staking.initialize, (address(manager), address(token), address(treasury)))
                )
            )
        );
        handler = new StakingHandler(token, staking, treasury);
        for (uint256 i = 0; i < ACTORS; ++i) {
            address actor = handler.actors(i);
            token.transfer(actor, FUNDS_PER_ACTOR);
            vm.prank(actor);
            token.approve(address(staking), type(uint256).max);
        }

        bytes4[] memory collateral = new bytes4[](2);
        collateral[0] = IStaking.lockCollateral.selector;
        collateral[1] = IStaking.unlockCollateral.selector;
        bytes4[] memory slashing = new bytes4[](1);
        slashing[0] = IStaking.slashCollateral.selector;
        manager.setTargetFunctionRole(address(staking), collateral, COLLATERAL_MANAGER);
        manager.setTargetFunctionRole(address(staking), slashing, SLASHER);
        manager.grantRole(COLLATERAL_MANAGER, address(handler), 0);
        manager.grantRole(SLASHER, address(handler), 0);
        targetContract(address(handler));
    }

    function invariant_BalanceEqualsStakesUnbondingsAndUnpaidSlashes() public view {
        assertEq(
            token.balanceOf(address(staking)),
            staking.totalStaked() + staking.totalUnbonding() + staking.totalUnpaidBounties() + staking.unpaidTreasury(),
            "balance == staked + unbonding + unpaid bounties + unpaid treasury"
        );
    }

    function invariant_TotalsEqualTheSumOfNodes() public view {
        uint256 staked;
        uint256 unbonding;
        uint256 bounties;
        for (uint256 i = 0; i < ACTORS; ++i) {
            address actor = handler.actors(i);
            staked += staking.stakeOf(actor);
            unbonding += staking.unbondingOf(actor);
            bounties += staking.unpaidBountyOf(actor);
            IStaking.Unbonding[] memory queue = staking.unbondingsOf(actor);
            uint256 queued;
            for (uint256 j = 0; j < queue.length; ++j) queued += queue[j].amount;
            assertEq(queued, staking.unbondingOf(actor), "unbondingOf == sum of queue entries");
        }
        assertEq(staked, staking.totalStaked(), "totalStaked == sum of stakes");
        assertEq(unbonding, staking.totalUnbonding(), "totalUnbonding == sum of unbondings");
        assertEq(bounties, staking.totalUnpaidBounties(), "totalUnpaidBounties == sum of bounties");
    }

    function invariant_LockedCollateralNeverLeavesBeforeUnlock() public view {
        for (uint256 i = 0; i < ACTORS; ++i) {
            address actor = handler.actors(i);
            assertLe(staking.lockedOf(actor), staking.stakeOf(actor), "locked <= staked");
            assertEq(staking.lockedOf(actor), handler.ghostLocked(actor), "locked == locks - unlocks - slashed");
        }
    }

    function invariant_SlashingTakesOnlyTheJobsCollateral() public view {
        assertFalse(handler.ghostSlashedMoreThanCollateral(), "a slash took more than the collateral it consumed");
        assertFalse(handler.ghostSlashTouchedFreeStake(), "a slash took free stake or kept collateral locked");
        assertFalse(handler.ghostBountyAboveCap(), "a bounty exceeded the policy's cap");
    }

    function invariant_NoAGPUIsCreatedOrLost() public view {
        uint256 total = token.balanceOf(address(staking)) + token.balanceOf(address(treasury));
        for (uint256 i = 0; i < ACTORS; ++i) total += token.balanceOf(handler.actors(i));
        assertEq(total, ACTORS * FUNDS_PER_ACTOR, "AGPU is conserved");
    }
}

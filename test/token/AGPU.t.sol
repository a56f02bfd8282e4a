// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {AGPU} from "../../contracts/token/AGPU.sol";
import {IAGPU} from "../../contracts/interfaces/IAGPU.sol";
import {TestBase} from "../support/TestBase.sol";

uint64 constant EMISSIONS_MINTER = 3;
uint256 constant WEEK = 7 days;

function deployAGPU(
    address authority,
    uint256 genesis,
    uint256 epochDuration,
    uint256 initial,
    uint256 halving
) returns (AGPU token) {
    token = new AGPU(authority, address(0xBEEF), genesis, epochDuration, initial, halving);
    bytes4[] memory selectors = new bytes4[](1);
    selectors[0] = IAGPU.mintEmission.selector;
    AccessManager(authority).setTargetFunctionRole(address(token), selectors, EMISSIONS_MINTER);
}

/// @dev Fuzz tests of AGPU's cap and emissions budget.
contract AGPUEmissionsFuzzTest is TestBase {
    AccessManager private manager;
    AGPU private token;

    function setUp() public {
        manager = new AccessManager(address(this));
        manager.grantRole(EMISSIONS_MINTER, address(this), 0);
        token = deployAGPU(address(manager), 400_000_000 ether, WEEK, 2_800_000 ether, 104);
    }

    function testFuzz_BudgetNeverIncreasesFromOneEpochToTheNext(uint256 epoch) public view {
        epoch = bound(epoch, 0, 104 * 300);
        assertLe(token.emissionBudget(epoch + 1), token.emissionBudget(epoch), "budget(epoch + 1) <= budget(epoch)");
    }

    function testFuzz_BudgetHalvesEveryHalvingPeriod(uint256 period) public view {
        period = bound(period, 0, 255);
        assertEq(token.emissionBudget(period * 104), token.initialEpochEmission() >> period, "budget at period start");
    }

    /// Sums the real budget of every epoch until it reaches zero, for random schedules that pass the constructor.
    function testFuzz_WholeScheduleFitsUnderTheCap(uint256 genesis, uint256 initial, uint256 halving) public {
        halving = bound(halving, 1, 6);
        genesis = bound(genesis, 0, token.MAX_SUPPLY());
        uint256 room = token.MAX_SUPPLY() - genesis;
        initial = bound(initial, 0, room / (2 * halving));
        AGPU schedule = deployAGPU(address(manager), genesis, WEEK, initial, halving);

        uint256 total;
        for (uint256 epoch = 0; ; ++epoch) {
            uint256 budget = schedule.emissionBudget(epoch);
            if (budget == 0) break;
            total += budget;
        }
        assertLe(total + genesis, schedule.maxTotalSupply(), "schedule total <= maxTotalSupply");
        assertLe(schedule.maxTotalSupply(), schedule.cap(), "maxTotalSupply <= cap");
    }

    function testFuzz_ConstructorRefusesSchedulesOverTheCap(uint256 genesis, uint256 initial, uint256 halving) public {
        halving = bound(halving, 1, 1_000);
        genesis = bound(genesis, 0, token.MAX_SUPPLY());
        uint256 room = token.MAX_SUPPLY() - genesis;
        initial = bound(initial, room / (2 * halving) + 1, room + 1);
        uint256 bound_ = genesis + 2 * halving * initial;
        vm.expectRevert(abi.encodeWithSelector(IAGPU.AGPUScheduleExceedsCap.selector, bound_, token.MAX_SUPPLY()));
        new AGPU(address(manager), address(0xBEEF), genesis, WEEK, initial, halving);
    }

    function testFuzz_MintsUpToTheBudgetAndNotAWeiMore(uint256 elapsed, uint256 first) public {
        elapsed = bound(elapsed, 0, 600 * WEEK);
        vm.warp(block.timestamp + elapsed);
        uint256 epoch = token.currentEpoch();
        uint256 budget = token.emissionBudget(epoch);
        vm.assume(budget > 0);
        first = bound(first, 1, budget);

        token.mintEmission(address(0xCAFE), first);
        assertEq(token.remainingEmission(), budget - first, "remaining after the first mint");

        uint256 over = budget - first + 1;
        vm.expectRevert(abi.encodeWithSelector(IAGPU.AGPUEmissionBudgetExceeded.selector, epoch, over, budget - first));
        token.mintEmission(address(0xCAFE), over);
        assertEq(token.emittedInEpoch(epoch), first, "emitted in epoch");
    }
}

/// @dev Drives random mints and time jumps against AGPU for the invariant runner.
contract AGPUEmissionsHandler is TestBase {
    AGPU public immutable token;
    mapping(uint256 epoch => uint256 minted) public ghostMinted;
    uint256[] public epochsTouched;
    uint256 public ghostTotalMinted;
    bool public ghostMintedPastBudget;

    constructor(AGPU token_) {
        token = token_;
    }

    /// @dev Mints to this handler so that `burn` has something to burn.
    function mint(uint256 amount) external {
        uint256 remaining = token.remainingEmission();
        if (remaining == 0) return;
        amount = bound(amount, 1, remaining);
        uint256 epoch = token.currentEpoch();
        token.mintEmission(address(this), amount);
        if (ghostMinted[epoch] == 0) epochsTouched.push(epoch);
        ghostMinted[epoch] += amount;
        ghostTotalMinted += amount;
    }

    function mintTooMuch(uint256 extra) external {
        uint256 remaining = token.remainingEmission();
        extra = bound(extra, 1, type(uint128).max);
        try token.mintEmission(address(1), remaining + extra) {
            ghostMintedPastBudget = true;
        } catch {}
    }

    function burn(uint256 amount) external {
        uint256 balance = token.balanceOf(address(this));
        if (balance == 0) return;
        token.burn(bound(amount, 1, balance));
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 30 * WEEK));
    }

    function epochsTouchedCount() external view returns (uint256) {
        return epochsTouched.length;
    }
}

/// @dev Invariants of AGPU's supply under random sequences of mints, burns and time.
contract AGPUSupplyInvariantTest is TestBase {
    AccessManager private manager;
    AGPU private token;
    AGPUEmissionsHandler private handler;

    function setUp() public {
        manager = new AccessManager(address(this));
        token = deployAGPU(address(manager), 400_000_000 ether, WEEK, 2_800_000 ether, 4);
        handler = new AGPUEmissionsHandler(token);
        manager.grantRole(EMISSIONS_MINTER, address(handler), 0);
        targetContract(address(handler));
    }

    function invariant_TotalSupplyNeverExceedsTheCap() public view {
        assertLe(token.totalSupply(), token.cap(), "totalSupply <= cap");
    }

    function invariant_EveryMintIsCountedAgainstItsEpoch() public view {
        assertEq(token.totalEmitted(), handler.ghostTotalMinted(), "totalEmitted == sum of mints");
        uint256 count = handler.epochsTouchedCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 epoch = handler.epochsTouched(i);
            assertEq(token.emittedInEpoch(epoch), handler.ghostMinted(epoch), "emittedInEpoch == mints of that epoch");
            assertLe(token.emittedInEpoch(epoch), token.emissionBudget(epoch), "emittedInEpoch <= budget");
        }
    }

    function invariant_NoMintPastTheBudgetEverSucceeds() public view {
        assertEq(handler.ghostMintedPastBudget() ? 1 : 0, 0, "a mint past the budget succeeded");
    }

    function invariant_SupplyIsGenesisPlusEmissionsLessBurns() public view {
        assertLe(token.totalSupply(), token.genesisSupply() + token.totalEmitted(), "supply <= genesis + emitted");
        assertLe(token.genesisSupply() + token.totalEmitted(), token.maxTotalSupply(), "minted <= schedule bound");
    }
}

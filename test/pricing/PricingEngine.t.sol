// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IPricingEngine} from "../../contracts/interfaces/IPricingEngine.sol";
import {PricingEngine} from "../../contracts/pricing/PricingEngine.sol";
import {TestBase} from "../support/TestBase.sol";

/// @dev The two registry views the pricing engine reads: every zone enabled, a settable provider count.
contract FixedZoneRegistry {
    uint256 public providers;

    function setProviders(uint256 providers_) external {
        providers = providers_;
    }

    function isZoneEnabled(bytes32) external pure returns (bool) {
        return true;
    }

    function activeProviders(bytes32) external view returns (uint256) {
        return providers;
    }
}

/// @dev An oracle hub without fresh answers: no energy floor, so only the governed bounds apply.
contract NoEnergyFeedOracle {
    function tryLatest(bytes32) external pure returns (bool, uint256) {
        return (false, 0);
    }
}

/// @dev Fuzz tests: a zone's price never leaves its bounds and never moves more than one step per epoch, and demand
/// split within an epoch ends where the same demand recorded at once does.
contract PricingEngineFuzzTest is TestBase {
    bytes32 private constant ZONE = "eu-west";
    uint256 private constant BPS = 10_000;

    PricingEngine private engine;
    FixedZoneRegistry private registry;

    function setUp() public {
        registry = new FixedZoneRegistry();
        engine = _newEngine();
    }

    function testFuzz_OneEpochMovesThePriceByAtMostOneStep(uint256 providers, uint256 demand, uint256 start) public {
        registry.setProviders(bound(providers, 0, 1_000));
        _startFrom(bound(start, 0, 40));
        uint256 before = engine.basePriceOf(ZONE);

        demand = bound(demand, 0, 100_000);
        if (demand != 0) engine.recordDemand(ZONE, demand);
        vm.warp(block.timestamp + engine.marketParameters().epochDuration);
        engine.poke(ZONE);
        uint256 after_ = engine.basePriceOf(ZONE);

        uint256 maxMove = (before * engine.marketParameters().maxStepBps) / BPS;
        uint256 move = after_ > before ? after_ - before : before - after_;
        assertLe(move, maxMove, "|price change| <= one step");
        _assertWithinBounds(after_);
    }

    function testFuzz_PriceNeverLeavesItsBounds(uint256 seed, uint8 steps) public {
        registry.setProviders(bound(seed, 1, 50));
        uint256 epochDuration = engine.marketParameters().epochDuration;
        for (uint256 i = 0; i < bound(steps, 1, 30); ++i) {
            uint256 entropy = uint256(keccak256(abi.encode(seed, i)));
            uint256 demand = bound(entropy, 0, 500);
            if (demand != 0) engine.recordDemand(ZONE, demand);
            // Sometimes within the epoch, sometimes many epochs later.
            vm.warp(block.timestamp + bound(entropy >> 64, 0, 5_000 * epochDuration));
            _assertWithinBounds(engine.basePriceOf(ZONE));
            for (uint8 tier = 0; tier < 3; ++tier) {
                (uint16 multiplier, ) = engine.tierOf(tier);
                assertEq(engine.priceOf(ZONE, tier), (engine.basePriceOf(ZONE) * multiplier) / BPS, "tier price");
            }
        }
    }

    /// Catching up on idle epochs in closed form lands between two step-by-step computations: one rounding every
    /// step down (below the exact value) and one rounding every step up, as single epochs do.
    function testFuzz_CatchUpNeverFallsMoreThanOneStepPerEpoch(uint256 idleEpochs) public {
        idleEpochs = bound(idleEpochs, 1, 200);
        engine.poke(ZONE);
        uint256 price = engine.basePriceOf(ZONE);
        uint256 step = engine.marketParameters().maxStepBps;
        uint256 roundedDown = price;
        uint256 roundedUp = price;
        for (uint256 i = 0; i < idleEpochs; ++i) {
            roundedDown -= (roundedDown * step + BPS - 1) / BPS;
            roundedUp -= (roundedUp * step) / BPS;
        }

        vm.warp(block.timestamp + idleEpochs * engine.marketParameters().epochDuration);
        uint256 caughtUp = engine.basePriceOf(ZONE);
        uint256 floor = engine.marketParameters().minPrice;
        assertLe(caughtUp, price, "idle epochs never raise the price");
        assertLe(roundedDown > floor ? roundedDown : floor, caughtUp, "never below the exact decline");
        assertLe(caughtUp, (roundedUp > floor ? roundedUp : floor) + 1, "never above step-by-step");
    }

    /// Demand recorded in several parts within an epoch ends where the same demand recorded at once does: each
    /// part adds to the epoch's demand without repricing, and the next epoch steps from the sum.
    function testFuzz_DemandSplitWithinAnEpochEndsAsIfRecordedAtOnce(
        uint256 providers,
        uint256 start,
        uint256[4] memory parts,
        uint256 later
    ) public {
        registry.setProviders(bound(providers, 0, 200));
        PricingEngine atOnce = _newEngine();
        uint256 epochDuration = engine.marketParameters().epochDuration;
        vm.warp(block.timestamp + bound(start, 0, 40) * epochDuration);
        uint256 total;
        for (uint256 i = 0; i < parts.length; ++i) {
            parts[i] = bound(parts[i], 1, 1_000);
            total += parts[i];
            engine.recordDemand(ZONE, parts[i]);
        }
        atOnce.recordDemand(ZONE, total);
        assertEq(
            uint256(keccak256(abi.encode(engine.zoneState(ZONE)))),
            uint256(keccak256(abi.encode(atOnce.zoneState(ZONE)))),
            "same state in the epoch"
        );

        vm.warp(block.timestamp + bound(later, 1, 10) * epochDuration);
        engine.poke(ZONE);
        atOnce.poke(ZONE);
        assertEq(
            uint256(keccak256(abi.encode(engine.zoneState(ZONE)))),
            uint256(keccak256(abi.encode(atOnce.zoneState(ZONE)))),
            "same state after it"
        );
    }

    function _newEngine() private returns (PricingEngine) {
        return
            PricingEngine(
                address(
                    new ERC1967Proxy(
                        address(new PricingEngine()),
                        abi.encodeCall(
                            PricingEngine.initialize,
                            (
                                address(new AccessManager(address(this))),
                                address(registry),
                                address(new NoEnergyFeedOracle())
                            )
                        )
                    )
                )
            );
    }

    function _startFrom(uint256 epochs) private {
        vm.warp(block.timestamp + epochs * engine.marketParameters().epochDuration);
        engine.poke(ZONE);
    }

    function _assertWithinBounds(uint256 price) private view {
        IPricingEngine.MarketParameters memory p = engine.marketParameters();
        assertLe(p.minPrice, price, "price >= minPrice");
        assertLe(price, p.maxPrice, "price <= maxPrice");
    }
}

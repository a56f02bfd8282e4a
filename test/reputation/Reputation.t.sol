// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IReputation} from "../../contracts/interfaces/IReputation.sol";
import {Reputation} from "../../contracts/reputation/Reputation.sol";
import {TestBase} from "../support/TestBase.sol";

/// @dev Fuzz tests of the reputation math: scores stay in range and decay never moves away from neutral.
contract ReputationFuzzTest is TestBase {
    Reputation private reputation;
    address private constant PROVIDER = address(0xBEEF);

    function setUp() public {
        AccessManager manager = new AccessManager(address(this));
        reputation = Reputation(
            address(
                new ERC1967Proxy(address(new Reputation()), abi.encodeCall(Reputation.initialize, (address(manager))))
            )
        );
        // This test is the manager's admin, and `recordOutcome` is unmapped here, so the admin may call it.
    }

    function testFuzz_ScoresStayWithinZeroAndTenThousand(uint256 seed, uint8 steps) public {
        for (uint256 i = 0; i < bound(steps, 1, 40); ++i) {
            uint256 entropy = uint256(keccak256(abi.encode(seed, i)));
            IReputation.Outcome outcome = IReputation.Outcome(entropy % 3);
            reputation.recordOutcome(
                PROVIDER,
                outcome,
                uint16(bound(entropy >> 8, 0, 10_000)),
                bytes32(i),
                10 ether,
                address(uint160(i + 1))
            );
            vm.warp(block.timestamp + bound(entropy >> 32, 0, 60 days));
            (uint16 reliability, uint16 accuracy, uint16 speed) = reputation.scoresOf(PROVIDER);
            assertLe(reliability, 10_000, "reliability <= 10 000");
            assertLe(accuracy, 10_000, "accuracy <= 10 000");
            assertLe(speed, 10_000, "speed <= 10 000");
            assertLe(reputation.compositeOf(PROVIDER), 10_000, "composite <= 10 000");
        }
    }

    function testFuzz_DecayOnlyEverMovesTowardNeutral(uint256 seed, uint256 first, uint256 second) public {
        for (uint256 i = 0; i < 8; ++i) {
            IReputation.Outcome outcome = IReputation.Outcome(uint256(keccak256(abi.encode(seed, i))) % 3);
            reputation.recordOutcome(PROVIDER, outcome, uint16(seed % 10_001), bytes32(i), 10 ether, address(1));
        }
        (uint16 before, , ) = reputation.scoresOf(PROVIDER);
        vm.warp(block.timestamp + bound(first, 0, 800 days));
        (uint16 later, , ) = reputation.scoresOf(PROVIDER);
        vm.warp(block.timestamp + bound(second, 0, 800 days));
        (uint16 latest, , ) = reputation.scoresOf(PROVIDER);
        assertLe(_distance(later), _distance(before), "distance after some time <= distance at first");
        assertLe(_distance(latest), _distance(later), "distance after more time <= distance after some time");
        bool sameSide = (before >= 5_000) == (latest >= 5_000) || latest == 5_000;
        assertEq(sameSide ? 1 : 0, 1, "decay never crosses neutral");
    }

    function _distance(uint16 score) private pure returns (uint256) {
        return score >= 5_000 ? score - 5_000 : 5_000 - score;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "./Vm.sol";

/// @dev A small base for StarMiner's Solidity tests: the cheatcodes, `bound` for fuzzed inputs, assertions that
/// report both sides, and the target list the invariant runner reads.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev The functions of a target contract the invariant runner may call (its getters excluded).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;

    error AssertionFailed(string what, uint256 left, uint256 right);

    /// @dev Maps any `value` into [min, max] without discarding runs.
    function bound(uint256 value, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (value >= min && value <= max) return value;
        // Not the whole uint256 range here (that would have returned above), so `max - min + 1` cannot overflow.
        return min + (value % (max - min + 1));
    }

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailed(what, left, right);
    }

    function assertLt(uint256 left, uint256 right, string memory what) internal pure {
        if (left >= right) revert AssertionFailed(what, left, right);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailed(what, 1, 0);
    }

    /// @dev Restricts the invariant runner to calling `target`.
    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    /// @dev Restricts the invariant runner to calling `selectors` of `target`: a handler's actions, not the getters
    /// its invariants read, which would otherwise take most of every sequence's calls.
    function targetSelectors(address target, bytes4[] memory selectors) internal {
        _targetSelectors.push(FuzzSelector({addr: target, selectors: selectors}));
    }

    /// @dev Read by the invariant runner.
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @dev Read by the invariant runner.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }
}

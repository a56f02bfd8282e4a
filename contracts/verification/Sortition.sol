// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Sortition
/// @notice Stake-weighted drawing without replacement: each draw picks a member with probability proportional to
/// its weight among the members not drawn yet.
/// @dev Preconditions: `weights.length` is small enough to walk in one transaction (the hub bounds its pool); a
/// zero weight is never drawn. Splitting a weight across several members changes nothing about how much of a
/// committee that weight expects to hold, which is what makes the draw sybil-neutral. The seed must be unknown to
/// every party when the draw is fixed (the hub uses the hash of a block after the dispute was opened).
library Sortition {
    /// @notice Draws up to `count` distinct members; fewer when fewer have a non-zero weight.
    /// @param weights Each member's weight; drawn members' weights are zeroed (the array is consumed).
    /// @return drawn The indices of the drawn members, in draw order.
    function draw(
        uint256[] memory weights,
        bytes32 seed,
        uint256 count
    ) internal pure returns (uint256[] memory drawn) {
        uint256 total;
        for (uint256 i = 0; i < weights.length; ++i) total += weights[i];
        drawn = new uint256[](count);
        uint256 found;
        while (found < count && total != 0) {
            uint256 ticket = uint256(keccak256(abi.encode(seed, found))) % total;
            uint256 index;
            // The member whose cumulative weight first exceeds the ticket.
            while (ticket >= weights[index]) {
                ticket -= weights[index];
                ++index;
            }
            drawn[found] = index;
            total -= weights[index];
            weights[index] = 0;
            ++found;
        }
        // Trim the unused tail: fewer members with weight than seats.
        assembly {
            mstore(drawn, found)
        }
    }
}

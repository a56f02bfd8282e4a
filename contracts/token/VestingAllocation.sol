// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {VestingWalletCliff} from "@openzeppelin/contracts/finance/VestingWalletCliff.sol";

/// @title VestingAllocation
/// @notice Holds one genesis allocation (AMAX, AGPU or both) and releases it to its beneficiary linearly from
/// `start` over `duration`, nothing before the cliff: OpenZeppelin's VestingWallet with a cliff. A production
/// deployment creates one per vested allocation and funds it in the same deployment.
/// @dev AMAX held here cannot vote: it votes once released to the beneficiary and delegated. The beneficiary is the
/// wallet's owner and may hand the allocation to another account (`transferOwnership`); anyone may trigger
/// `release(token)`, which always pays the owner.
contract VestingAllocation is VestingWalletCliff {
    /// @param beneficiary Receives the released tokens (the owner).
    /// @param start When vesting starts (unix seconds).
    /// @param duration Seconds over which the allocation vests linearly.
    /// @param cliff Seconds after `start` before anything can be released (at most `duration`).
    constructor(
        address beneficiary,
        uint64 start,
        uint64 duration,
        uint64 cliff
    ) VestingWallet(beneficiary, start, duration) VestingWalletCliff(cliff) {}
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAMAX
/// @notice StarMiner's governance token. Its whole, fixed supply is minted once at deployment; holders
/// delegate voting power (to themselves or to others) and the Governor reads it on a timestamp clock
/// (ERC-6372 `mode=timestamp`).
interface IAMAX {
    /// @notice The initial holder given at deployment was the zero address.
    error AMAXZeroAddress();
}

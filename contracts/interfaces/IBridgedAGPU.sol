// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBridgedAGPU
/// @notice AGPU on a chain other than its home: minted when AGPU is locked at home and burnt when it goes back,
/// by the bridge gateway alone (BRIDGE_MINTER). Its supply always equals what the home gateway holds locked for
/// this chain.
interface IBridgedAGPU {
    /// @notice Mints `amount` to `to` for a transfer in from the home chain. Restricted (BRIDGE_MINTER).
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` of `from`'s tokens for a transfer back home. Restricted (BRIDGE_MINTER): the gateway
    /// burns only for the holder who asked it to send.
    function burn(address from, uint256 amount) external;
}

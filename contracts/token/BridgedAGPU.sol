// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {IBridgedAGPU} from "../interfaces/IBridgedAGPU.sol";

/// @title BridgedAGPU
/// @notice AGPU on a remote chain (ERC-20 + permit). Only the bridge gateway mints and burns it.
contract BridgedAGPU is ERC20, ERC20Permit, AccessManaged, IBridgedAGPU {
    /// @param authority The remote chain's AccessManager (it grants BRIDGE_MINTER to the gateway).
    constructor(address authority) ERC20("Bridged AGPU", "AGPU") ERC20Permit("Bridged AGPU") AccessManaged(authority) {}

    /// @inheritdoc IBridgedAGPU
    function mint(address to, uint256 amount) external restricted {
        _mint(to, amount);
    }

    /// @inheritdoc IBridgedAGPU
    function burn(address from, uint256 amount) external restricted {
        _burn(from, amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IAMAX} from "../interfaces/IAMAX.sol";

/// @title AMAX
/// @notice StarMiner's governance token: ERC-20 with EIP-2612 permits and ERC-5805 votes, checkpointed on
/// block timestamps. Fixed supply, no minting after deployment, not upgradeable.
contract AMAX is ERC20, ERC20Permit, ERC20Votes, IAMAX {
    /// @notice The fixed supply: one hundred million AMAX.
    uint256 public constant TOTAL_SUPPLY = 100_000_000 ether;

    /// @param initialHolder Receives the whole supply (typically a distribution contract or the Timelock).
    constructor(address initialHolder) ERC20("StarMiner Governance", "AMAX") ERC20Permit("StarMiner Governance") {
        if (initialHolder == address(0)) revert AMAXZeroAddress();
        _mint(initialHolder, TOTAL_SUPPLY);
    }

    /// @notice The clock votes are checkpointed on: the block timestamp (ERC-6372).
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice Describes the clock (ERC-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    // ---------------------------------------------------------------------------------------------
    // Required overrides
    // ---------------------------------------------------------------------------------------------

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}

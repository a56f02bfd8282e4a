// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ICapabilityRegistrar} from "../interfaces/ICapabilityRegistrar.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IPricingEngine} from "../interfaces/IPricingEngine.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";
import {IVerificationHub} from "../interfaces/IVerificationHub.sol";

/// @dev The JobMarket's storage, shared with the Settlement library that runs in its context. Fields are only ever
/// appended.
/// @custom:storage-location erc7201:starminer.storage.JobMarket
struct JobMarketStorage {
    IERC20 token;
    IStaking staking;
    INodeRegistry registry;
    IReputation reputation;
    IPricingEngine pricing;
    ICapabilityRegistrar capabilities;
    IVerificationHub hub;
    ITreasury treasury;
    uint256 jobCount;
    mapping(uint256 jobId => IJobMarket.Job) jobs;
    mapping(uint256 jobId => mapping(uint256 slot => IJobMarket.Slot)) slots;
    IJobMarket.FeeSplit feeSplit;
    IJobMarket.MarketParameters parameters;
    uint256 totalEscrowed;
    uint256 unsweptFees;
    // The market's clock: wall-clock time less every second it was stopped.
    uint40 clockOffset;
    uint40 clockStoppedAt;
    uint8 clockHolds;
    mapping(uint256 jobId => mapping(address provider => bool)) barred;
}

/// @dev Where the market's storage lives.
library MarketStorage {
    // keccak256(abi.encode(uint256(keccak256("starminer.storage.JobMarket")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _SLOT = 0x83b452c7cedfc323198a4b76a2069f8e00c76efcd8f62e9a88a644b08f883100;

    function layout() internal pure returns (JobMarketStorage storage $) {
        assembly {
            $.slot := _SLOT
        }
    }
}

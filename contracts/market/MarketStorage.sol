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

/// @title MarketStorage
/// @notice Where the JobMarket keeps its state: one ERC-7201 namespace, declared here so that the market inherits it
/// (and OpenZeppelin's upgrade validator checks it as the market's) and the Settlement library, which runs in the
/// market's context, names the same struct.
abstract contract MarketStorage {
    /// @dev The JobMarket's storage. Fields are only ever appended.
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
        mapping(uint256 jobId => mapping(uint256 slot => IJobMarket.KeyExchange)) keyExchanges;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.JobMarket")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _JOB_MARKET_STORAGE_SLOT =
        0x83b452c7cedfc323198a4b76a2069f8e00c76efcd8f62e9a88a644b08f883100;

    function _marketStorage() internal pure returns (JobMarketStorage storage $) {
        assembly {
            $.slot := _JOB_MARKET_STORAGE_SLOT
        }
    }
}

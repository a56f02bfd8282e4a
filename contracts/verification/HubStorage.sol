// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IVerificationHub} from "../interfaces/IVerificationHub.sol";

/// @title HubStorage
/// @notice Where the VerificationHub keeps its state: one ERC-7201 namespace, declared here so that the hub inherits
/// it (and OpenZeppelin's upgrade validator checks it as the hub's) and the DisputeCourt library, which runs in the
/// hub's context, names the same structs.
abstract contract HubStorage {
    /// @dev The VerificationHub's storage. Fields are only ever appended.
    /// @custom:storage-location erc7201:starminer.storage.VerificationHub
    struct VerificationHubStorage {
        IJobMarket market;
        INodeRegistry registry;
        mapping(uint8 workloadClass => address verifier) workloadVerifiers;
        mapping(uint256 jobId => IVerificationHub.Dispute) disputes;
        mapping(uint256 jobId => mapping(address validator => bool)) voted; // unused since committees commit-reveal
        mapping(uint256 jobId => bool) audited; // unused since audits are per validator
        IVerificationHub.HubParameters parameters;
        IERC20 token;
        IStaking staking;
        uint256 totalBonds;
        mapping(uint256 jobId => AuditSchedule) audits;
        mapping(uint256 jobId => mapping(address validator => bool)) auditedBy;
        address[] pool;
        mapping(address validator => uint256 position) poolPosition;
        mapping(uint256 jobId => address[]) jurors;
        mapping(uint256 jobId => mapping(address juror => IVerificationHub.Juror)) votes;
        mapping(uint256 jobId => mapping(uint256 round => IVerificationHub.Appeal)) appeals;
    }

    /// @dev A job's audit draw: the block whose hash decides it, and the outcome once recorded.
    struct AuditSchedule {
        uint64 seedBlock;
        IVerificationHub.AuditDraw recorded;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.VerificationHub")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _VERIFICATION_HUB_STORAGE_SLOT =
        0xb883355a2bf9fe0d93fec3754ec734ac7c89b43523a9445fa8cc8f9aae0e0c00;

    function _hubStorage() internal pure returns (VerificationHubStorage storage $) {
        assembly {
            $.slot := _VERIFICATION_HUB_STORAGE_SLOT
        }
    }
}

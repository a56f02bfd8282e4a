// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {ICapabilityRegistrar} from "../interfaces/ICapabilityRegistrar.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IGroth16Verifier4} from "./IGroth16Verifier.sol";

/// @title CapabilityRegistrar
/// @notice Verifies capability proofs and records them in the NodeRegistry (it holds CAPABILITY_VERIFIER).
contract CapabilityRegistrar is ProtocolUpgradeable, ICapabilityRegistrar {
    /// @custom:storage-location erc7201:starminer.storage.CapabilityRegistrar
    struct CapabilityRegistrarStorage {
        INodeRegistry registry;
        IGroth16Verifier4 verifier;
        mapping(address node => ProvenCapability) proven;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.CapabilityRegistrar")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE = 0x3cec87310ab32897016b53001f1b21be548b4356d17e3730f6932442b561e600;

    function _s() private pure returns (CapabilityRegistrarStorage storage $) {
        assembly {
            $.slot := _STORAGE
        }
    }

    /// @param authority The protocol's AccessManager.
    /// @param registry_ The node registry.
    /// @param verifier_ The generated Groth16 verifier of circuits/capability.circom.
    function initialize(address authority, address registry_, address verifier_) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (registry_ == address(0) || verifier_ == address(0)) revert CapabilityZeroAddress();
        CapabilityRegistrarStorage storage $ = _s();
        $.registry = INodeRegistry(registry_);
        $.verifier = IGroth16Verifier4(verifier_);
    }

    /// @inheritdoc ICapabilityRegistrar
    function proveCapability(
        address node,
        uint32 minVramMiB,
        uint16 minComputeCapability,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c
    ) external whenNotPaused {
        CapabilityRegistrarStorage storage $ = _s();
        bytes32 commitment = $.registry.getNode(node).capability.commitment;
        if (commitment == bytes32(0)) revert CapabilityNoCommitment(node);
        uint256[4] memory publicSignals = [
            uint256(uint160(node)),
            uint256(commitment),
            uint256(minVramMiB),
            uint256(minComputeCapability)
        ];
        if (!$.verifier.verifyProof(a, b, c, publicSignals)) revert CapabilityInvalidProof(node);
        ProvenCapability storage proven = $.proven[node];
        if (
            msg.sender != node &&
            proven.commitment == commitment &&
            (minVramMiB < proven.minVramMiB || minComputeCapability < proven.minComputeCapability)
        ) revert CapabilityWeakerProof(node, proven.minVramMiB, proven.minComputeCapability);

        $.proven[node] = ProvenCapability({
            commitment: commitment,
            minVramMiB: minVramMiB,
            minComputeCapability: minComputeCapability,
            provenAt: uint64(block.timestamp)
        });
        emit CapabilityProven(node, commitment, minVramMiB, minComputeCapability);
        $.registry.recordCapabilityProof(node, commitment);
    }

    /// @inheritdoc ICapabilityRegistrar
    function provenCapabilityOf(address node) external view returns (ProvenCapability memory) {
        return _s().proven[node];
    }

    /// @inheritdoc ICapabilityRegistrar
    function meetsThresholds(
        address node,
        uint32 minVramMiB,
        uint16 minComputeCapability
    ) external view returns (bool) {
        CapabilityRegistrarStorage storage $ = _s();
        ProvenCapability storage proven = $.proven[node];
        INodeRegistry.Capability memory current = $.registry.getNode(node).capability;
        return
            proven.provenAt != 0 &&
            current.status == INodeRegistry.CapabilityStatus.Verified &&
            current.commitment == proven.commitment &&
            proven.minVramMiB >= minVramMiB &&
            proven.minComputeCapability >= minComputeCapability;
    }

    /// @inheritdoc ICapabilityRegistrar
    function verifier() external view returns (address) {
        return address(_s().verifier);
    }

    /// @inheritdoc ICapabilityRegistrar
    function registry() external view returns (address) {
        return address(_s().registry);
    }
}

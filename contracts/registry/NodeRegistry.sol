// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {NodeRoles} from "./NodeRoles.sol";

/// @title NodeRegistry
/// @notice Identities, roles, hardware, zones, TEE attestations and capability-proof status of StarMiner nodes.
contract NodeRegistry is ProtocolUpgradeable, INodeRegistry {
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;
    uint256 public constant MAX_GPU_MODEL_LENGTH = 64;
    uint256 public constant MAX_ZONE_LABEL_LENGTH = 64;
    /// @notice Every runtime bit the protocol knows: the dense layer (1), ONNX (2), WebAssembly (4).
    uint8 public constant ALL_RUNTIMES = 0x07;

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    struct ZoneState {
        bool listed;
        bool enabled;
    }

    /// @custom:storage-location erc7201:starminer.storage.NodeRegistry
    struct NodeRegistryStorage {
        IStaking staking;
        mapping(address node => Node) nodes;
        uint256 nodeCount;
        mapping(bytes32 zone => ZoneState) zoneState;
        bytes32[] zones;
        mapping(bytes32 measurement => bool allowed) allowedMeasurements;
        mapping(bytes32 zone => uint256 count) activeProviders;
        mapping(address node => bool) countedAsCapacity;
        mapping(address node => uint8 runtimes) runtimes;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.NodeRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _REGISTRY_STORAGE = 0x8b361b608b1cb131cbac4f9aad971a58d4d61591c2639f9f6f6c6958189ec500;

    function _s() private pure returns (NodeRegistryStorage storage $) {
        assembly {
            $.slot := _REGISTRY_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    /// @param staking_ The staking contract whose minimums gate eligibility.
    function initialize(address authority, address staking_) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (staking_ == address(0)) revert RegistryZeroValue("staking");
        _s().staking = IStaking(staking_);
    }

    // ---------------------------------------------------------------------------------------------
    // Nodes
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function register(uint8 roles, NodeMetadata calldata metadata) external whenNotPaused {
        NodeRegistryStorage storage $ = _s();
        Node storage node = $.nodes[msg.sender];
        if (node.registeredAt != 0) revert RegistryAlreadyRegistered(msg.sender);
        _validate(roles, metadata);

        node.roles = roles;
        node.active = true;
        node.registeredAt = uint64(block.timestamp);
        node.updatedAt = uint64(block.timestamp);
        node.metadata = metadata;
        ++$.nodeCount;
        _countProvider(msg.sender, node, true);
        emit NodeRegistered(msg.sender, roles, metadata);
    }

    /// @inheritdoc INodeRegistry
    function updateMetadata(NodeMetadata calldata metadata) external whenNotPaused {
        Node storage node = _registered(msg.sender);
        _validate(node.roles, metadata);

        if (node.capability.status != CapabilityStatus.None && _hardwareChanged(node.metadata, metadata)) {
            delete node.capability;
            emit CapabilityVoided(msg.sender);
        }
        if (node.attestation.registeredAt != 0 && node.metadata.teeType != metadata.teeType) {
            delete node.attestation;
            emit AttestationCleared(msg.sender);
        }
        _countProvider(msg.sender, node, false);
        node.metadata = metadata;
        _countProvider(msg.sender, node, true);
        node.updatedAt = uint64(block.timestamp);
        emit NodeMetadataUpdated(msg.sender, metadata);
    }

    /// @inheritdoc INodeRegistry
    function setRuntimes(uint8 runtimes) external whenNotPaused {
        Node storage node = _registered(msg.sender);
        if (node.roles & NodeRoles.PROVIDER == 0) revert RegistryNotProvider(msg.sender);
        if (runtimes & ~ALL_RUNTIMES != 0) revert RegistryUnknownRuntimes(runtimes);
        _s().runtimes[msg.sender] = runtimes;
        emit RuntimesSet(msg.sender, runtimes);
    }

    /// @inheritdoc INodeRegistry
    function updateRoles(uint8 roles) external whenNotPaused {
        Node storage node = _registered(msg.sender);
        _validate(roles, node.metadata);
        _countProvider(msg.sender, node, false);
        node.roles = roles;
        _countProvider(msg.sender, node, true);
        node.updatedAt = uint64(block.timestamp);
        emit NodeRolesUpdated(msg.sender, roles);
    }

    /// @inheritdoc INodeRegistry
    function syncCapacity(address account) external {
        Node storage node = _registered(account);
        _countProvider(account, node, false);
        _countProvider(account, node, true);
    }

    /// @inheritdoc INodeRegistry
    function isCountedAsCapacity(address account) external view returns (bool) {
        return _s().countedAsCapacity[account];
    }

    /// @inheritdoc INodeRegistry
    function deactivate() external {
        Node storage node = _registered(msg.sender);
        if (!node.active) revert RegistryAlreadyInState(msg.sender, false);
        _countProvider(msg.sender, node, false);
        node.active = false;
        node.updatedAt = uint64(block.timestamp);
        emit NodeDeactivated(msg.sender);
    }

    /// @inheritdoc INodeRegistry
    function reactivate() external whenNotPaused {
        Node storage node = _registered(msg.sender);
        if (node.active) revert RegistryAlreadyInState(msg.sender, true);
        node.active = true;
        _countProvider(msg.sender, node, true);
        node.updatedAt = uint64(block.timestamp);
        emit NodeReactivated(msg.sender);
    }

    /// @inheritdoc INodeRegistry
    function commitCapability(bytes32 commitment) external whenNotPaused {
        if (commitment == bytes32(0)) revert RegistryZeroValue("commitment");
        Node storage node = _registered(msg.sender);
        node.capability = Capability({commitment: commitment, status: CapabilityStatus.Committed, verifiedAt: 0});
        emit CapabilityCommitted(msg.sender, commitment);
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function registerAttestation(
        address node,
        TeeType teeType,
        bytes32 measurement,
        bytes32 reportHash,
        address enclaveSigner
    ) external restricted {
        Node storage n = _registered(node);
        if (teeType == TeeType.None || n.metadata.teeType != teeType) {
            revert RegistryTeeMismatch(node, n.metadata.teeType, teeType);
        }
        if (!_s().allowedMeasurements[measurement]) revert RegistryMeasurementNotAllowed(measurement);
        if (reportHash == bytes32(0)) revert RegistryZeroValue("reportHash");
        if (enclaveSigner == address(0)) revert RegistryZeroValue("enclaveSigner");
        n.attestation = Attestation({
            measurement: measurement,
            reportHash: reportHash,
            enclaveSigner: enclaveSigner,
            registeredAt: uint64(block.timestamp)
        });
        emit AttestationRegistered(node, teeType, measurement, reportHash, enclaveSigner, msg.sender);
    }

    /// @inheritdoc INodeRegistry
    function clearAttestation(address node) external restricted {
        Node storage n = _registered(node);
        delete n.attestation;
        emit AttestationCleared(node);
    }

    /// @inheritdoc INodeRegistry
    function recordCapabilityProof(address node, bytes32 commitment) external restricted {
        Node storage n = _registered(node);
        if (n.capability.status == CapabilityStatus.None || n.capability.commitment != commitment) {
            revert RegistryCapabilityCommitmentMismatch(node, n.capability.commitment, commitment);
        }
        n.capability.status = CapabilityStatus.Verified;
        n.capability.verifiedAt = uint64(block.timestamp);
        emit CapabilityVerified(node, commitment, msg.sender);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function addZone(bytes32 zone, string calldata label) external restricted {
        if (zone == bytes32(0)) revert RegistryZeroValue("zone");
        if (bytes(label).length == 0) revert RegistryEmptyMetadata("label");
        if (bytes(label).length > MAX_ZONE_LABEL_LENGTH) {
            revert RegistryMetadataTooLong("label", bytes(label).length, MAX_ZONE_LABEL_LENGTH);
        }
        NodeRegistryStorage storage $ = _s();
        if ($.zoneState[zone].listed) revert RegistryZoneExists(zone);
        $.zoneState[zone] = ZoneState({listed: true, enabled: true});
        $.zones.push(zone);
        emit ZoneAdded(zone, label);
    }

    /// @inheritdoc INodeRegistry
    function setZoneEnabled(bytes32 zone, bool enabled) external restricted {
        ZoneState storage state = _s().zoneState[zone];
        if (!state.listed) revert RegistryUnknownZone(zone);
        state.enabled = enabled;
        emit ZoneEnabledSet(zone, enabled);
    }

    /// @inheritdoc INodeRegistry
    function setEnclaveMeasurementAllowed(bytes32 measurement, bool allowed) external restricted {
        if (measurement == bytes32(0)) revert RegistryZeroValue("measurement");
        _s().allowedMeasurements[measurement] = allowed;
        emit EnclaveMeasurementAllowedSet(measurement, allowed);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function staking() external view returns (address) {
        return address(_s().staking);
    }

    /// @inheritdoc INodeRegistry
    function runtimesOf(address node) external view returns (uint8) {
        return _s().runtimes[node];
    }

    /// @inheritdoc INodeRegistry
    function getNode(address node) external view returns (Node memory) {
        return _s().nodes[node];
    }

    /// @inheritdoc INodeRegistry
    function isRegistered(address node) external view returns (bool) {
        return _s().nodes[node].registeredAt != 0;
    }

    /// @inheritdoc INodeRegistry
    function isEligible(address node, uint8 role) external view returns (bool) {
        if (!NodeRoles.isSingleRole(role)) revert RegistryInvalidRoles(role);
        NodeRegistryStorage storage $ = _s();
        Node storage n = $.nodes[node];
        return n.registeredAt != 0 && n.active && n.roles & role != 0 && $.staking.meetsMinimum(node, role);
    }

    /// @inheritdoc INodeRegistry
    function hasValidAttestation(address node) public view returns (bool) {
        NodeRegistryStorage storage $ = _s();
        Attestation storage attestation = $.nodes[node].attestation;
        return attestation.registeredAt != 0 && $.allowedMeasurements[attestation.measurement];
    }

    /// @inheritdoc INodeRegistry
    function enclaveSignerOf(address node) external view returns (address) {
        return hasValidAttestation(node) ? _s().nodes[node].attestation.enclaveSigner : address(0);
    }

    /// @inheritdoc INodeRegistry
    function isZoneEnabled(bytes32 zone) public view returns (bool) {
        return _s().zoneState[zone].enabled;
    }

    /// @inheritdoc INodeRegistry
    function zones() external view returns (bytes32[] memory) {
        return _s().zones;
    }

    /// @inheritdoc INodeRegistry
    function isMeasurementAllowed(bytes32 measurement) external view returns (bool) {
        return _s().allowedMeasurements[measurement];
    }

    /// @inheritdoc INodeRegistry
    function nodeCount() external view returns (uint256) {
        return _s().nodeCount;
    }

    /// @inheritdoc INodeRegistry
    function activeProviders(bytes32 zone) external view returns (uint256) {
        return _s().activeProviders[zone];
    }

    /// @inheritdoc INodeRegistry
    function providerProfile(address node) external view returns (ProviderProfile memory profile) {
        NodeRegistryStorage storage $ = _s();
        Node storage n = $.nodes[node];
        NodeMetadata storage metadata = n.metadata;
        profile.eligible =
            n.registeredAt != 0 &&
            n.active &&
            n.roles & NodeRoles.PROVIDER != 0 &&
            $.staking.meetsMinimum(node, NodeRoles.PROVIDER);
        profile.attested = hasValidAttestation(node);
        profile.vramMiB = metadata.vramMiB;
        profile.computeCapability = metadata.computeCapability;
        profile.zone = metadata.zone;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _registered(address node) private view returns (Node storage n) {
        n = _s().nodes[node];
        if (n.registeredAt == 0) revert RegistryNotRegistered(node);
    }

    /// @dev Adds `node` to (or removes it from) its zone's count of active providers: only an active provider with
    /// the provider minimum staked counts, so that registrations that cost nothing add no capacity. Every change of
    /// roles, zone or activity calls this with `false` before and `true` after; {syncCapacity} after stake moves.
    function _countProvider(address account, Node storage node, bool add) private {
        NodeRegistryStorage storage $ = _s();
        bool counted = $.countedAsCapacity[account];
        if (!add) {
            if (!counted) return;
            $.countedAsCapacity[account] = false;
            --$.activeProviders[node.metadata.zone];
            emit CapacityCounted(account, node.metadata.zone, false);
            return;
        }
        if (counted || !node.active || node.roles & NodeRoles.PROVIDER == 0) return;
        if (!$.staking.meetsMinimum(account, NodeRoles.PROVIDER)) return;
        $.countedAsCapacity[account] = true;
        ++$.activeProviders[node.metadata.zone];
        emit CapacityCounted(account, node.metadata.zone, true);
    }

    function _validate(uint8 roles, NodeMetadata memory metadata) private view {
        if (!NodeRoles.isValidMask(roles)) revert RegistryInvalidRoles(roles);
        if (!isZoneEnabled(metadata.zone)) revert RegistryUnknownZone(metadata.zone);
        _checkText("endpoint", metadata.endpoint, MAX_ENDPOINT_LENGTH);
        if (roles & NodeRoles.PROVIDER != 0) {
            _checkText("gpuModel", metadata.gpuModel, MAX_GPU_MODEL_LENGTH);
            if (metadata.vramMiB == 0) revert RegistryEmptyMetadata("vramMiB");
            if (metadata.computeCapability == 0) revert RegistryEmptyMetadata("computeCapability");
            if (metadata.tflopsCenti == 0) revert RegistryEmptyMetadata("tflopsCenti");
        } else if (bytes(metadata.gpuModel).length > MAX_GPU_MODEL_LENGTH) {
            revert RegistryMetadataTooLong("gpuModel", bytes(metadata.gpuModel).length, MAX_GPU_MODEL_LENGTH);
        }
    }

    function _checkText(string memory field, string memory value, uint256 max) private pure {
        uint256 length = bytes(value).length;
        if (length == 0) revert RegistryEmptyMetadata(field);
        if (length > max) revert RegistryMetadataTooLong(field, length, max);
    }

    function _hardwareChanged(NodeMetadata storage current, NodeMetadata calldata next) private view returns (bool) {
        return
            current.vramMiB != next.vramMiB ||
            current.computeCapability != next.computeCapability ||
            current.tflopsCenti != next.tflopsCenti ||
            keccak256(bytes(current.gpuModel)) != keccak256(bytes(next.gpuModel));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INodeRegistry
/// @notice Who takes part in StarMiner and with what: each node's roles (Provider, Validator, Oracle,
/// Requester, as bits of {NodeRoles}), zone, endpoint and hardware, its TEE attestation, and the status of its
/// capability proof. Zones and the allowlist of enclave measurements are governed.
interface INodeRegistry {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice The trusted execution environment a node runs its jobs in, if any.
    enum TeeType {
        None,
        IntelSgx,
        IntelTdx,
        AmdSevSnp,
        NvidiaCc
    }

    /// @notice What a node says about itself. Providers must fill in the hardware; every node needs a zone and
    /// an endpoint.
    struct NodeMetadata {
        /// A zone id from the governed list (e.g. the bytes of "eu-west").
        bytes32 zone;
        /// Where the node can be reached (URL); at most 256 bytes.
        string endpoint;
        /// The GPU model (e.g. "NVIDIA H100 80GB"); at most 64 bytes. Providers only.
        string gpuModel;
        /// GPU memory in MiB. Providers only.
        uint32 vramMiB;
        /// CUDA compute capability as major * 10 + minor (8.9 is 89). Providers only.
        uint16 computeCapability;
        /// FP32 throughput in hundredths of a TFLOPS. Providers only.
        uint32 tflopsCenti;
        /// The TEE the node claims; it counts only once an attester registers a matching attestation.
        TeeType teeType;
    }

    /// @notice A TEE attestation as registered by an authorized attester.
    struct Attestation {
        /// The enclave measurement (e.g. MRENCLAVE); counts only while it is on the governed allowlist.
        bytes32 measurement;
        /// The hash of the attestation report the attester checked.
        bytes32 reportHash;
        /// The key inside the enclave that signs results.
        address enclaveSigner;
        /// When it was registered (0: never).
        uint64 registeredAt;
    }

    /// @notice Where a node's capability proof stands.
    enum CapabilityStatus {
        None,
        Committed,
        Verified
    }

    /// @notice A node's commitment to its hardware specs and what became of it.
    struct Capability {
        /// The Poseidon commitment of the node's hardware specs the proof is checked against.
        bytes32 commitment;
        CapabilityStatus status;
        /// When a proof was verified against `commitment` (0: never).
        uint64 verifiedAt;
    }

    /// @notice What the job market checks when a provider claims a slot, read in one call.
    /// @param eligible Registered, active, holding the Provider role and staked at least the Provider minimum.
    /// @param attested Whether the node's attestation is registered with a currently allowed measurement.
    struct ProviderProfile {
        bool eligible;
        bool attested;
        uint32 vramMiB;
        uint16 computeCapability;
        bytes32 zone;
    }

    /// @notice Everything the registry knows about a node.
    struct Node {
        uint8 roles;
        bool active;
        uint64 registeredAt;
        uint64 updatedAt;
        NodeMetadata metadata;
        Attestation attestation;
        Capability capability;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice The node is registered already.
    error RegistryAlreadyRegistered(address node);
    /// @notice The node is not registered.
    error RegistryNotRegistered(address node);
    /// @notice The role mask is empty or has unknown bits.
    error RegistryInvalidRoles(uint8 roles);
    /// @notice The runtime mask has bits for runtimes the protocol does not know (see {setRuntimes}).
    error RegistryUnknownRuntimes(uint8 runtimes);
    /// @notice Only a provider advertises runtimes.
    error RegistryNotProvider(address node);
    /// @notice The zone is not on the governed list, or is disabled.
    error RegistryUnknownZone(bytes32 zone);
    /// @notice The zone is on the list already.
    error RegistryZoneExists(bytes32 zone);
    /// @notice A required metadata field is empty.
    error RegistryEmptyMetadata(string field);
    /// @notice A metadata field is longer than allowed.
    error RegistryMetadataTooLong(string field, uint256 length, uint256 max);
    /// @notice The node is already in the requested active state.
    error RegistryAlreadyInState(address node, bool active);
    /// @notice The enclave measurement is not on the allowlist.
    error RegistryMeasurementNotAllowed(bytes32 measurement);
    /// @notice The node claims no TEE, or another TEE type than the attestation's.
    error RegistryTeeMismatch(address node, TeeType claimed, TeeType attested);
    /// @notice A capability proof was recorded for a commitment that is not the node's current one.
    error RegistryCapabilityCommitmentMismatch(address node, bytes32 expected, bytes32 proven);
    /// @notice A bytes32 argument that must not be zero was zero.
    error RegistryZeroValue(string field);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A node registered.
    event NodeRegistered(address indexed node, uint8 roles, NodeMetadata metadata);
    /// @notice A node changed its metadata.
    event NodeMetadataUpdated(address indexed node, NodeMetadata metadata);
    /// @notice A node changed its roles.
    event NodeRolesUpdated(address indexed node, uint8 roles);
    /// @notice A provider advertised the workload runtimes it serves (see {setRuntimes}).
    event RuntimesSet(address indexed node, uint8 runtimes);
    /// @notice A node stopped taking part (it keeps its identity and stake).
    event NodeDeactivated(address indexed node);
    /// @notice A deactivated node took part again.
    event NodeReactivated(address indexed node);
    /// @notice `node` now counts (or no longer counts) as provider capacity in `zone`.
    event CapacityCounted(address indexed node, bytes32 indexed zone, bool counted);
    /// @notice Governance added a zone.
    event ZoneAdded(bytes32 indexed zone, string label);
    /// @notice Governance enabled or disabled a zone; nodes cannot register into or move to a disabled zone.
    event ZoneEnabledSet(bytes32 indexed zone, bool enabled);
    /// @notice Governance added or removed an enclave measurement from the allowlist.
    event EnclaveMeasurementAllowedSet(bytes32 indexed measurement, bool allowed);
    /// @notice An attester registered a node's TEE attestation.
    event AttestationRegistered(
        address indexed node,
        TeeType teeType,
        bytes32 indexed measurement,
        bytes32 reportHash,
        address enclaveSigner,
        address indexed attester
    );
    /// @notice A node's attestation was cleared (by an attester, or because the node changed its TEE claim).
    event AttestationCleared(address indexed node);
    /// @notice A node committed to its hardware specs for a capability proof.
    event CapabilityCommitted(address indexed node, bytes32 commitment);
    /// @notice A node's hardware changed, so its capability commitment and any proof of it no longer count.
    event CapabilityVoided(address indexed node);
    /// @notice A capability proof was verified against the node's commitment.
    event CapabilityVerified(address indexed node, bytes32 commitment, address indexed verifier);

    // ---------------------------------------------------------------------------------------------
    // Nodes
    // ---------------------------------------------------------------------------------------------

    /// @notice Registers the caller with `roles` and `metadata`.
    function register(uint8 roles, NodeMetadata calldata metadata) external;

    /// @notice Replaces the caller's metadata. A hardware change voids its capability proof; a TEE claim change
    /// voids its attestation.
    function updateMetadata(NodeMetadata calldata metadata) external;

    /// @notice Replaces the caller's roles.
    function updateRoles(uint8 roles) external;

    /// @notice Advertises the workload runtimes the caller (a provider) serves, one bit each: 1 the dense layer, 2
    /// ONNX, 4 WebAssembly. The market does not enforce it (a job's runtime is in its manifest, off chain): the
    /// matcher ranks only providers that serve a job's runtime, and a provider's daemon claims only what it serves.
    function setRuntimes(uint8 runtimes) external;

    /// @notice Stops the caller from being eligible for anything, without leaving.
    function deactivate() external;

    /// @notice Re-evaluates whether `node` counts as provider capacity after its stake moved: anyone may call it,
    /// so a provider that unbonded below the minimum stops counting, and one that staked after registering starts.
    function syncCapacity(address node) external;

    /// @notice Makes a deactivated caller eligible again.
    function reactivate() external;

    /// @notice Commits the caller to its hardware specs (a Poseidon commitment) for a capability proof.
    function commitCapability(bytes32 commitment) external;

    // ---------------------------------------------------------------------------------------------
    // Protocol (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Registers `node`'s TEE attestation after checking the report off-chain.
    /// @dev Restricted (ATTESTER). The measurement must be allowlisted and the TEE type the node's claim.
    function registerAttestation(
        address node,
        TeeType teeType,
        bytes32 measurement,
        bytes32 reportHash,
        address enclaveSigner
    ) external;

    /// @notice Clears `node`'s attestation (for instance when its report was revoked).
    /// @dev Restricted (ATTESTER).
    function clearAttestation(address node) external;

    /// @notice Records that a capability proof against `commitment` verified for `node`.
    /// @dev Restricted (CAPABILITY_VERIFIER).
    function recordCapabilityProof(address node, bytes32 commitment) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Adds an enabled zone.
    function addZone(bytes32 zone, string calldata label) external;

    /// @notice Enables or disables a zone.
    function setZoneEnabled(bytes32 zone, bool enabled) external;

    /// @notice Adds or removes an enclave measurement from the allowlist.
    function setEnclaveMeasurementAllowed(bytes32 measurement, bool allowed) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The staking contract eligibility reads.
    function staking() external view returns (address);
    /// @notice Everything known about `node` (all zero when unregistered).
    function getNode(address node) external view returns (Node memory);
    /// @notice The workload runtimes `node` advertises (zero: none advertised).
    function runtimesOf(address node) external view returns (uint8);
    /// @notice Whether `node` is registered.
    function isRegistered(address node) external view returns (bool);
    /// @notice Whether `node` is registered, active, holds `role` (one bit) and meets the role's stake minimum.
    function isEligible(address node, uint8 role) external view returns (bool);
    /// @notice Whether `node` has an attestation whose measurement is still allowlisted.
    function hasValidAttestation(address node) external view returns (bool);
    /// @notice The key that signs `node`'s TEE results, or zero without a valid attestation.
    function enclaveSignerOf(address node) external view returns (address);
    /// @notice Whether `zone` is listed and enabled.
    function isZoneEnabled(bytes32 zone) external view returns (bool);
    /// @notice Every zone ever added, enabled or not, in order of addition.
    function zones() external view returns (bytes32[] memory);
    /// @notice Whether `measurement` is allowlisted.
    function isMeasurementAllowed(bytes32 measurement) external view returns (bool);
    /// @notice How many nodes have registered.
    function nodeCount() external view returns (uint256);
    /// @notice How many active nodes with the Provider role and the provider minimum staked are in `zone`: the
    /// zone's capacity in GPUs. A registration that stakes nothing adds no capacity.
    function activeProviders(bytes32 zone) external view returns (uint256);

    /// @notice Whether `node` counts as provider capacity in its zone (active, a provider, the minimum staked).
    function isCountedAsCapacity(address node) external view returns (bool);
    /// @notice A provider's eligibility, zone, declared hardware and attestation status.
    function providerProfile(address node) external view returns (ProviderProfile memory);
}

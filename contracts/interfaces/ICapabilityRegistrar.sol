// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICapabilityRegistrar
/// @notice Accepts zero-knowledge proofs that a node's committed hardware meets thresholds (circuits/capability)
/// and records them in the NodeRegistry. The proof is the authority: anyone may submit it, but only the node
/// itself may replace a proof of its current commitment with one that proves a lower threshold (an older, weaker
/// proof replayed by someone else would otherwise downgrade it).
interface ICapabilityRegistrar {
    /// @notice The thresholds a node has proven its committed hardware to meet.
    struct ProvenCapability {
        bytes32 commitment;
        uint32 minVramMiB;
        uint16 minComputeCapability;
        uint64 provenAt;
    }

    /// @notice An address given at initialization was zero.
    error CapabilityZeroAddress();
    /// @notice The node has no capability commitment in the registry.
    error CapabilityNoCommitment(address node);
    /// @notice The proof does not verify for this node, its commitment and these thresholds.
    error CapabilityInvalidProof(address node);
    /// @notice Someone other than the node submitted a proof that lowers a threshold already proven for the
    /// node's current commitment.
    error CapabilityWeakerProof(address node, uint32 provenMinVramMiB, uint16 provenMinComputeCapability);

    /// @notice `node` proved its committed hardware meets the thresholds.
    event CapabilityProven(
        address indexed node,
        bytes32 indexed commitment,
        uint32 minVramMiB,
        uint16 minComputeCapability
    );

    /// @notice Verifies a capability proof against `node`'s current registry commitment and records it.
    /// @dev The public inputs are taken from the registry and the arguments, never from the proof.
    function proveCapability(
        address node,
        uint32 minVramMiB,
        uint16 minComputeCapability,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c
    ) external;

    /// @notice What `node` last proved (zero when nothing).
    function provenCapabilityOf(address node) external view returns (ProvenCapability memory);

    /// @notice Whether `node` has proven thresholds at least as high as these, for the commitment it still holds.
    function meetsThresholds(address node, uint32 minVramMiB, uint16 minComputeCapability) external view returns (bool);

    /// @notice The Groth16 verifier of the capability circuit.
    function verifier() external view returns (address);

    /// @notice The node registry.
    function registry() external view returns (address);
}

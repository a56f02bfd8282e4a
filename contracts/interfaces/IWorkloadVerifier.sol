// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IWorkloadVerifier
/// @notice Checks a ZK proof for one workload class. The VerificationHub calls it with public inputs taken from
/// the job (its id, the slot's provider, its spec hash) and the result the provider submits; `proof` carries the
/// proof and whatever openings of the spec hash the class needs.
interface IWorkloadVerifier {
    /// @return valid Whether `proof` proves `result` for this job and this provider.
    function verifyResult(
        uint256 jobId,
        address provider,
        bytes32 specHash,
        bytes32 result,
        bytes calldata proof
    ) external view returns (bool valid);
}

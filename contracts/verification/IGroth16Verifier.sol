// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IGroth16Verifier4
/// @notice The call shape of a generated Groth16 verifier with four public signals. Verifiers end in an assembly
/// `return`, so they are always called as separate contracts.
interface IGroth16Verifier4 {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata publicSignals
    ) external view returns (bool);
}

/// @title IGroth16Verifier3
/// @notice The call shape of a generated Groth16 verifier with three public signals.
interface IGroth16Verifier3 {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[3] calldata publicSignals
    ) external view returns (bool);
}

/// @title IGroth16Verifier5
/// @notice The call shape of a generated Groth16 verifier with five public signals.
interface IGroth16Verifier5 {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[5] calldata publicSignals
    ) external view returns (bool);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWorkloadVerifier} from "../../interfaces/IWorkloadVerifier.sol";
import {IGroth16Verifier5} from "../IGroth16Verifier.sol";

/// @title ModelInferenceWorkload
/// @notice A ZKML workload class: the result is the Poseidon hash of a model's output for the job's model and input,
/// proven by a circuit whose public signals are (modelHash, inputHash, outputHash, jobId, provider). The job's model
/// and input commitments are the circuit's model and input hashes; the proof carries them, and they count only if
/// they hash to the job's spec hash. The job id and the provider come from the hub. Each circuit gets its own
/// concrete class (a deployment names its contracts apart).
abstract contract ModelInferenceWorkload is IWorkloadVerifier {
    /// @notice The generated verifier of the class's circuit.
    IGroth16Verifier5 public immutable verifier;

    /// @dev A Groth16 proof's points and the model and input hashes it opens.
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
        uint256 modelHash;
        uint256 inputHash;
    }

    error WorkloadZeroAddress();

    constructor(IGroth16Verifier5 verifier_) {
        if (address(verifier_) == address(0)) revert WorkloadZeroAddress();
        verifier = verifier_;
    }

    /// @inheritdoc IWorkloadVerifier
    /// @dev `proof` is abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256 modelHash, uint256 inputHash).
    function verifyResult(
        uint256 jobId,
        address provider,
        bytes32 specHash,
        bytes32 result,
        bytes calldata proof
    ) external view returns (bool) {
        Proof memory p = abi.decode(proof, (Proof));
        if (keccak256(abi.encode(p.modelHash, p.inputHash)) != specHash) return false;
        uint256[5] memory publicSignals = [
            p.modelHash,
            p.inputHash,
            uint256(result),
            jobId,
            uint256(uint160(provider))
        ];
        return verifier.verifyProof(p.a, p.b, p.c, publicSignals);
    }
}

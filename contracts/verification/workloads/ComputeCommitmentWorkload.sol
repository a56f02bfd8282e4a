// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWorkloadVerifier} from "../../interfaces/IWorkloadVerifier.sol";
import {IGroth16Verifier3} from "../IGroth16Verifier.sol";

/// @title ComputeCommitmentWorkload
/// @notice Workload class 1: the result is a Poseidon commitment to the result's digest, bound to the job and the
/// provider. The public signals are the job id, the provider and the result, all from the hub, so a proof made
/// for one job or one provider verifies for no other.
contract ComputeCommitmentWorkload is IWorkloadVerifier {
    /// @notice The generated verifier of circuits/compute_commitment.circom.
    IGroth16Verifier3 public immutable verifier;

    /// @dev A Groth16 proof's points, in the order the generated verifier takes them.
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    error WorkloadZeroAddress();

    constructor(IGroth16Verifier3 verifier_) {
        if (address(verifier_) == address(0)) revert WorkloadZeroAddress();
        verifier = verifier_;
    }

    /// @inheritdoc IWorkloadVerifier
    /// @dev `proof` is abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c).
    function verifyResult(
        uint256 jobId,
        address provider,
        bytes32,
        bytes32 result,
        bytes calldata proof
    ) external view returns (bool) {
        Proof memory p = abi.decode(proof, (Proof));
        uint256[3] memory publicSignals = [jobId, uint256(uint160(provider)), uint256(result)];
        return verifier.verifyProof(p.a, p.b, p.c, publicSignals);
    }
}

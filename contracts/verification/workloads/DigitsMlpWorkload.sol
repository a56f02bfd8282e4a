// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGroth16Verifier5} from "../IGroth16Verifier.sol";
import {ModelInferenceWorkload} from "./ModelInferenceWorkload.sol";

/// @title DigitsMlpWorkload
/// @notice Workload class 3 (ZKML): the result is the Poseidon hash of the ten class scores the digits MLP
/// (64 → 64 → 10, int8) gives the job's input image. The model is the circuit's own (circuits/digits_mlp.circom,
/// its weights constants): a job names its commitment, and a proof exists for no other.
contract DigitsMlpWorkload is ModelInferenceWorkload {
    constructor(IGroth16Verifier5 verifier_) ModelInferenceWorkload(verifier_) {}
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGroth16Verifier5} from "../IGroth16Verifier.sol";
import {ModelInferenceWorkload} from "./ModelInferenceWorkload.sol";

/// @title DenseLayerWorkload
/// @notice Workload class 2 (ZKML): the result is the Poseidon hash of y = ReLU(W·x + b) for the job's model and
/// input, any 16×16 int8 layer (circuits/dense_layer.circom, where the weights are private inputs).
contract DenseLayerWorkload is ModelInferenceWorkload {
    constructor(IGroth16Verifier5 verifier_) ModelInferenceWorkload(verifier_) {}
}

import { type Hex, encodeAbiParameters } from "viem";

import type { Groth16Proof } from "./groth16.js";

const PROOF_POINTS = [{ type: "uint256[2]" }, { type: "uint256[2][2]" }, { type: "uint256[2]" }] as const;

/** The evidence `submitResult` takes for a compute-commitment result. */
export function commitmentEvidence(proof: Groth16Proof): Hex {
  return encodeAbiParameters(PROOF_POINTS, [proof.a, proof.b, proof.c]);
}

/**
 * The evidence `submitResult` takes for a model-inference result (a dense layer, the digits MLP): the proof and the
 * model and input hashes it opens.
 */
export function inferenceEvidence(proof: Groth16Proof, hashes: { modelHash: bigint; inputHash: bigint }): Hex {
  return encodeAbiParameters(
    [...PROOF_POINTS, { type: "uint256" }, { type: "uint256" }],
    [proof.a, proof.b, proof.c, hashes.modelHash, hashes.inputHash],
  );
}

import { type Hex, encodeAbiParameters, toHex } from "viem";

import type { Groth16Proof } from "./groth16.js";

/**
 * The ZK workload classes a deployment registers with the VerificationHub, by id. A job in ZK mode names one; its
 * results must come with a proof the class's verifier accepts.
 */
export const WorkloadClass = {
  /** The result is a commitment bound to the job and the provider (circuits/compute_commitment). */
  ComputeCommitment: 1,
  /** The result is the output hash of a dense layer over the job's model and input (circuits/dense_layer). */
  DenseLayer: 2,
  /** The result is the output hash of the digits MLP on the job's input image (circuits/digits_mlp). */
  DigitsMlp: 3,
} as const;

export type WorkloadClassId = (typeof WorkloadClass)[keyof typeof WorkloadClass];

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

/** A field element as the bytes32 a job spec or a result carries. */
export function fieldToBytes32(value: bigint): Hex {
  return toHex(value, { size: 32 });
}

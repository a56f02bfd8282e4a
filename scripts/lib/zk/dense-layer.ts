import type { Address } from "viem";
import {
  type DenseLayerHashes,
  type DenseLayerModel,
  SNARK_FIELD,
  denseLayer,
  inputHash,
  modelHash,
  outputHash,
  signedToField,
} from "@starminer/sdk";

import { type Groth16Proof, prove } from "./groth16.js";

/** The job and the provider a dense-layer proof is made for: it verifies for no other. */
export interface ProofBinding {
  readonly jobId: bigint;
  readonly provider: Address;
}

/** Computes the layer and proves the result correct for the committed model and input, for `binding`'s job and
 * provider. */
export async function proveDenseLayer(
  model: DenseLayerModel,
  input: readonly number[],
  binding: ProofBinding,
): Promise<{ output: number[]; hashes: DenseLayerHashes; proof: Groth16Proof }> {
  const output = denseLayer(model, input);
  const hashes = { modelHash: modelHash(model), inputHash: inputHash(input), outputHash: outputHash(output) };
  const proof = await prove("dense_layer", denseLayerWitnessInput(model, input, hashes, binding));
  return { output, hashes, proof };
}

/** The circuit input for `model`, `input` and the claimed `hashes`, without any check (for negative tests). */
export function denseLayerWitnessInput(
  model: DenseLayerModel,
  input: readonly number[],
  hashes: DenseLayerHashes,
  binding: ProofBinding,
) {
  if (binding.jobId < 0n || binding.jobId >= SNARK_FIELD) throw new Error("jobId must be a field element");
  return {
    modelHash: hashes.modelHash,
    inputHash: hashes.inputHash,
    outputHash: hashes.outputHash,
    jobId: binding.jobId,
    provider: BigInt(binding.provider),
    weights: model.weights.map((row) => row.map(signedToField)),
    biases: model.biases.map(signedToField),
    x: input.map(signedToField),
  };
}

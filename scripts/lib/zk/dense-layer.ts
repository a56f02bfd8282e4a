import type { Address } from "viem";

import { SNARK_FIELD, checkRange, pack, signedToField } from "./field.js";
import { type Groth16Proof, prove } from "./groth16.js";
import { int8VectorHash, poseidon } from "./poseidon.js";

/** The dense layer's fixed shape: 16 inputs, 16 outputs. */
export const DENSE_INPUTS = 16;
export const DENSE_OUTPUTS = 16;

/** A dense layer's parameters: int8 weights (`weights[output][input]`) and int16 biases. */
export interface DenseLayerModel {
  readonly weights: readonly (readonly number[])[];
  readonly biases: readonly number[];
}

/** The public commitments of a dense-layer job. */
export interface DenseLayerHashes {
  readonly modelHash: bigint;
  readonly inputHash: bigint;
  readonly outputHash: bigint;
}

/** y = ReLU(W·x + b), exactly as the circuit computes it. Throws on a shape or range violation. */
export function denseLayer(model: DenseLayerModel, input: readonly number[]): number[] {
  checkModel(model);
  checkInput(input);
  return model.weights.map((row, j) => {
    const accumulator = row.reduce((sum, weight, i) => sum + weight * (input[i] as number), model.biases[j] as number);
    return Math.max(accumulator, 0);
  });
}

/** The commitment of a model, as the circuit's public `modelHash` (and a job spec's model commitment). */
export function modelHash(model: DenseLayerModel): bigint {
  checkModel(model);
  const weights = model.weights.flat().map((w) => BigInt(w + 128));
  const biases = model.biases.map((b) => BigInt(b + 32_768));
  return poseidon([...pack(weights, 8), ...pack(biases, 16)]);
}

/** The commitment of an input vector, as the circuit's public `inputHash`. */
export function inputHash(input: readonly number[]): bigint {
  checkInput(input);
  return int8VectorHash(input);
}

/** The commitment of an output vector, as the circuit's public `outputHash`. */
export function outputHash(output: readonly number[]): bigint {
  if (output.length !== DENSE_OUTPUTS) throw new Error(`the output must have ${DENSE_OUTPUTS} values`);
  output.forEach((y, j) => checkRange(`output[${j}]`, y, 0, 2 ** 19 - 1));
  return poseidon(pack(output.map(BigInt), 20));
}

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

function checkModel(model: DenseLayerModel): void {
  if (model.weights.length !== DENSE_OUTPUTS || model.weights.some((row) => row.length !== DENSE_INPUTS)) {
    throw new Error(`the weights must be ${DENSE_OUTPUTS} rows of ${DENSE_INPUTS} values`);
  }
  if (model.biases.length !== DENSE_OUTPUTS) throw new Error(`the biases must have ${DENSE_OUTPUTS} values`);
  model.weights.forEach((row, j) => row.forEach((w, i) => checkRange(`weights[${j}][${i}]`, w, -128, 127)));
  model.biases.forEach((b, j) => checkRange(`biases[${j}]`, b, -32_768, 32_767));
}

function checkInput(input: readonly number[]): void {
  if (input.length !== DENSE_INPUTS) throw new Error(`the input must have ${DENSE_INPUTS} values`);
  input.forEach((x, i) => checkRange(`input[${i}]`, x, -128, 127));
}

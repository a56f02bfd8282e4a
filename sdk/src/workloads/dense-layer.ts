import type { Hex } from "viem";

import { specHash } from "../market.js";
import { checkRange, fieldToBytes32, pack } from "./field.js";
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

/**
 * The workload every StarMiner job runs today: a dense layer y = ReLU(W·x + b) over int8 weights and inputs. A job
 * commits to its model and input by their Poseidon hashes (the same the dense-layer circuit opens), and its result is
 * the Poseidon hash of the output: so a result is checkable by recomputation, by k-of-n agreement, by an enclave's
 * signature, or by a proof, and all four rungs agree on what a correct answer is.
 */
export interface DenseLayerJob {
  readonly model: DenseLayerModel;
  readonly input: readonly number[];
}

/** The commitments a job spec carries for `job`, and the spec hash the market derives from them. */
export function jobCommitments(job: DenseLayerJob): { modelCommitment: Hex; inputCommitment: Hex; specHash: Hex } {
  const modelCommitment = fieldToBytes32(modelHash(job.model));
  const inputCommitment = fieldToBytes32(inputHash(job.input));
  return { modelCommitment, inputCommitment, specHash: specHash({ modelCommitment, inputCommitment }) };
}

/** Runs the layer: the output vector and the result a provider reports (the output's hash as bytes32). */
export function runDenseLayer(job: DenseLayerJob): { output: number[]; result: Hex } {
  const output = denseLayer(job.model, job.input);
  return { output, result: resultOf(output) };
}

/**
 * Whether `result` (a job's accepted result) is the right answer to `job`: a requester holding the model and input
 * checks a provider's work by recomputing it, which for a dense layer costs microseconds.
 */
export function verifyDenseLayerResult(job: DenseLayerJob, result: Hex): boolean {
  return runDenseLayer(job).result.toLowerCase() === result.toLowerCase();
}

/** The result a provider reports for `output`. */
export function resultOf(output: readonly number[]): Hex {
  return fieldToBytes32(outputHash(output));
}

/** Reads a dense-layer job from untrusted JSON (a file, the content store), or throws saying what is wrong. */
export function parseDenseLayerJob(value: unknown): DenseLayerJob {
  const object = value as { model?: { weights?: unknown; biases?: unknown }; input?: unknown } | null;
  if (typeof object !== "object" || object === null) throw new Error("a workload must be a JSON object");
  const { model, input } = object;
  if (typeof model !== "object" || model === null) throw new Error('a workload needs "model": { weights, biases }');
  const integers = (name: string, list: unknown, length: number): number[] => {
    if (!Array.isArray(list) || list.length !== length || !list.every(Number.isInteger)) {
      throw new Error(`"${name}" must be a list of ${length} integers`);
    }
    return list as number[];
  };
  if (!Array.isArray(model.weights) || model.weights.length !== DENSE_OUTPUTS) {
    throw new Error(`"model.weights" must be ${DENSE_OUTPUTS} rows of ${DENSE_INPUTS} integers`);
  }
  const job: DenseLayerJob = {
    model: {
      weights: model.weights.map((row, j) => integers(`model.weights[${j}]`, row, DENSE_INPUTS)),
      biases: integers("model.biases", model.biases, DENSE_OUTPUTS),
    },
    input: integers("input", input, DENSE_INPUTS),
  };
  // The range checks (int8 weights and inputs, int16 biases) live with the layer itself.
  jobCommitments(job);
  return job;
}

/** A deterministic pseudo-random job from `seed`, for simulations and examples (xorshift32; not for secrets). */
export function sampleDenseLayerJob(seed: number): DenseLayerJob {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = (min: number, max: number) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return min + (state % (max - min + 1));
  };
  const row = (length: number, min: number, max: number) => Array.from({ length }, () => next(min, max));
  return {
    model: {
      weights: Array.from({ length: DENSE_OUTPUTS }, () => row(DENSE_INPUTS, -128, 127)),
      biases: row(DENSE_OUTPUTS, -2_000, 2_000),
    },
    input: row(DENSE_INPUTS, -128, 127),
  };
}

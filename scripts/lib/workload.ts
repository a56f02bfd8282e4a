import type { Hex } from "viem";

import { specHash } from "./market.js";
import {
  DENSE_INPUTS,
  DENSE_OUTPUTS,
  type DenseLayerModel,
  denseLayer,
  inputHash,
  modelHash,
  outputHash,
} from "./zk/dense-layer.js";
import { fieldToBytes32 } from "./zk/workloads.js";

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

import type { Hex } from "viem";
import {
  type Artifacts,
  type JobManifest,
  type RuntimeName,
  WorkloadError,
  encodeOutputs,
  failureResult,
  resultOfOutputs,
} from "@starminer/sdk";

import type { RuntimeDevice, WorkloadRuntime } from "./runtime.js";
import { DenseLayerRuntime } from "./runtimes/dense-layer.js";
import { OnnxRuntime } from "./runtimes/onnx.js";
import { WasmRuntime } from "./runtimes/wasm.js";

/** The runtimes a provider serves, by name. */
export type Runtimes = ReadonlyMap<RuntimeName, WorkloadRuntime>;

/** Every runtime this build has, with their defaults. */
export function allRuntimes(): Runtimes {
  return new Map<RuntimeName, WorkloadRuntime>([
    ["onnx", new OnnxRuntime() as WorkloadRuntime],
    ["wasm", new WasmRuntime() as WorkloadRuntime],
    ["dense-layer", new DenseLayerRuntime() as WorkloadRuntime],
  ]);
}

/** How a run ended: outputs and their result, or a failure by the job's own fault and the result that says so. */
export type RunOutcome =
  | {
      readonly status: "completed";
      readonly result: Hex;
      readonly output: Uint8Array;
      readonly device: RuntimeDevice;
      readonly elapsedMs: number;
    }
  | {
      readonly status: "failed";
      readonly result: Hex;
      readonly error: WorkloadError;
      readonly device: RuntimeDevice;
      readonly elapsedMs: number;
    };

/**
 * Runs a job whose artifacts were fetched and checked. A failure by the job's own fault (`requester`) is an
 * outcome, with `failureResult` as its result; any other failure (`content`, `provider`) is thrown, since it says
 * nothing about the job. Outputs larger than the job's `outputBytes` fail with `output-limit`.
 */
export async function executeJob(manifest: JobManifest, artifacts: Artifacts, runtimes: Runtimes): Promise<RunOutcome> {
  const runtime = runtimes.get(manifest.runtime);
  if (runtime === undefined) {
    throw new WorkloadError("runtime-unavailable", `this provider does not serve the ${manifest.runtime} runtime`);
  }
  const device = await runtime.device();
  const started = performance.now();
  try {
    const outputs = await runtime.run(manifest, artifacts);
    const output = encodeOutputs(outputs);
    if (output.length > manifest.limits.outputBytes) {
      throw new WorkloadError(
        "output-limit",
        `the outputs take ${output.length} bytes; the job's limit is ${manifest.limits.outputBytes}`,
      );
    }
    const result = resultOfOutputs(manifest, outputs, output);
    return { status: "completed", result, output, device, elapsedMs: performance.now() - started };
  } catch (error) {
    if (!(error instanceof WorkloadError) || error.fault !== "requester") throw error;
    return {
      status: "failed",
      result: failureResult(error.code),
      error,
      device,
      elapsedMs: performance.now() - started,
    };
  }
}

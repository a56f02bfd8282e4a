import type { Hex } from "viem";

import { type CanonicalOutput, decodeOutputs, resultOfOutput } from "./canonical.js";
import { resultOf as denseLayerResultOf } from "./dense-layer.js";
import { WorkloadError } from "./errors.js";
import type { JobManifest } from "./manifest.js";

/**
 * The result a provider reports for a manifest job's outputs (`bytes`, their canonical encoding): for the dense-layer
 * runtime the Poseidon hash of its output vector (what a ZK proof of the layer speaks of), for every other runtime
 * the sha2-256 of the canonical bytes.
 */
export function resultOfOutputs(
  manifest: Pick<JobManifest, "runtime">,
  outputs: readonly CanonicalOutput[],
  bytes: Uint8Array,
): Hex {
  if (manifest.runtime !== "dense-layer") return resultOfOutput(bytes);
  const [output] = outputs;
  if (outputs.length !== 1 || output?.kind !== "fixed") {
    throw new WorkloadError("output-invalid", "a dense-layer run has one fixed output");
  }
  return denseLayerResultOf(output.values);
}

/** Whether `output` (canonical output bytes, as downloaded) is what `result` commits to for `manifest`'s runtime. */
export function outputMatchesResult(manifest: Pick<JobManifest, "runtime">, output: Uint8Array, result: Hex): boolean {
  try {
    return resultOfOutputs(manifest, decodeOutputs(output), output).toLowerCase() === result.toLowerCase();
  } catch {
    return false;
  }
}

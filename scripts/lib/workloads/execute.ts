import type { Hex } from "viem";

import type { ArtifactSource } from "./artifact-store.js";
import { encodeOutputs, failureResult, resultOfOutput } from "./canonical.js";
import { verifyContent } from "./cid.js";
import { openArtifact } from "./encryption.js";
import { WorkloadError } from "./errors.js";
import { type JobManifest, type RuntimeName, artifactsOf } from "./manifest.js";
import type { Artifacts, RuntimeDevice, WorkloadRuntime } from "./runtime.js";
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

export interface FetchOptions {
  /** Largest artifact this provider takes, in bytes. */
  readonly maxArtifactBytes?: number;
  /** The job key, released to this provider, that opens the manifest's encrypted artifacts. */
  readonly jobKey?: Uint8Array;
}

/**
 * Fetches every artifact a manifest names from `source` and checks each against its CID and declared size, then
 * opens the encrypted ones with the job key (`fetchSealedArtifacts`, then `openArtifacts`). The artifacts come back
 * by CID, in plaintext, in memory only.
 */
export async function fetchArtifacts(
  manifest: JobManifest,
  source: ArtifactSource,
  options: FetchOptions = {},
): Promise<Artifacts> {
  return openArtifacts(manifest, await fetchSealedArtifacts(manifest, source, options), options.jobKey);
}

/**
 * Fetches every artifact a manifest names from `source`, as stored (encrypted ones still sealed), and checks each
 * against its CID and declared size:
 * - not found: `artifact-missing`; bytes that do not hash to the CID: `content-mismatch` (both the source's fault:
 *   fetch again elsewhere);
 * - bytes that hash to the CID but are not the size the manifest declares: `artifact-size` (the manifest's fault);
 * - an artifact larger than `maxArtifactBytes`: `artifact-size`, refused before it is read.
 *
 * A provider does this before it claims a job, so that it claims only jobs whose bytes it holds.
 */
export async function fetchSealedArtifacts(
  manifest: JobManifest,
  source: ArtifactSource,
  options: Pick<FetchOptions, "maxArtifactBytes"> = {},
): Promise<Artifacts> {
  const maxArtifactBytes = options.maxArtifactBytes ?? Number.MAX_SAFE_INTEGER;
  const artifacts = new Map<string, Uint8Array>();
  for (const ref of artifactsOf(manifest)) {
    if (artifacts.has(ref.cid)) continue;
    if (ref.bytes > maxArtifactBytes) {
      throw new WorkloadError(
        "artifact-size",
        `artifact ${ref.cid} declares ${ref.bytes} bytes; this provider takes at most ${maxArtifactBytes}`,
      );
    }
    const bytes = await source.get(ref);
    if (bytes === undefined) throw new WorkloadError("artifact-missing", `artifact ${ref.cid} was not found`);
    verifyContent(ref.cid, bytes);
    if (bytes.length !== ref.bytes) {
      throw new WorkloadError(
        "artifact-size",
        `artifact ${ref.cid} holds ${bytes.length} bytes; the manifest declares ${ref.bytes}`,
      );
    }
    artifacts.set(ref.cid, bytes);
  }
  return artifacts;
}

/**
 * Opens the encrypted artifacts of `fetched` with the job key: `decryption-failed` when the key is missing or an
 * artifact does not open under it. Artifacts not marked encrypted are passed through.
 */
export function openArtifacts(manifest: JobManifest, fetched: Artifacts, jobKey: Uint8Array | undefined): Artifacts {
  const artifacts = new Map<string, Uint8Array>();
  for (const ref of artifactsOf(manifest)) {
    const bytes = fetched.get(ref.cid);
    if (bytes === undefined) throw new WorkloadError("artifact-missing", `artifact ${ref.cid} was not fetched`);
    if (ref.encrypted && jobKey === undefined) {
      throw new WorkloadError("decryption-failed", `artifact ${ref.cid} is encrypted and the job key was not given`);
    }
    artifacts.set(ref.cid, ref.encrypted ? openArtifact(bytes, jobKey!) : bytes);
  }
  return artifacts;
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
    const result = runtime.resultOf ? runtime.resultOf(outputs) : resultOfOutput(output);
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

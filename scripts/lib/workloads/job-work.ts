import { type Hash, type Hex, hexToBytes } from "viem";
import { type DenseLayerJob, type JobCommitments, runDenseLayer } from "@starminer/sdk";

import type { ProtocolClient } from "../client.js";
import type { ContentStore } from "../content.js";
import { decodeOutputs, failureResult, resultOfOutput } from "./canonical.js";
import { artifactCidFromDigest, verifyContent } from "./cid.js";
import { WorkloadError } from "./errors.js";
import { type Runtimes, executeJob, fetchSealedArtifacts, openArtifacts } from "./execute.js";
import type { GatewayClient } from "./gateway.js";
import {
  type JobManifest,
  MANIFEST_INPUT_COMMITMENT,
  artifactsOf,
  canonicalManifestBytes,
  parseJobManifest,
} from "./manifest.js";
import type { Artifacts } from "./runtime.js";

/** Largest manifest a reader fetches, in bytes: a manifest names its data, it does not hold it. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/**
 * A job's work, as its spec names it: a dense-layer job (its Poseidon commitments, content from the content store),
 * or a manifest job (its `modelCommitment` is the manifest's digest) with every artifact fetched and checked, the
 * encrypted ones still sealed.
 */
export type JobWork =
  | { readonly kind: "dense-layer"; readonly job: DenseLayerJob }
  | {
      readonly kind: "manifest";
      readonly manifest: JobManifest;
      /** The artifacts by CID as fetched: checked against their CIDs and sizes, encrypted ones sealed. */
      readonly sealed: Artifacts;
      readonly encrypted: boolean;
    };

/** Where a job's content comes from. */
export interface WorkSources {
  /** Dense-layer jobs' model and input, filed under their spec hash. */
  readonly store?: ContentStore;
  /** Manifests and artifacts, by CID. */
  readonly gateway?: GatewayClient;
  readonly maxArtifactBytes?: number;
}

/** Whether a job's spec names a manifest (rather than the dense layer's two Poseidon commitments). */
export function isManifestJob(commitments: Pick<JobCommitments, "inputCommitment">): boolean {
  return commitments.inputCommitment.toLowerCase() === MANIFEST_INPUT_COMMITMENT.toLowerCase();
}

/**
 * Loads a job's work from its commitments, or throws saying why it cannot: a dense-layer job absent from the store
 * (`artifact-missing`), a manifest that is not there, does not hash to the commitment, does not validate or is not in
 * canonical form (`manifest-invalid`), an artifact missing, altered or not its declared size. A provider calls this
 * before it claims, so that it claims only a job it can run.
 */
export async function loadJobWork(commitments: JobCommitments, sources: WorkSources): Promise<JobWork> {
  if (!isManifestJob(commitments)) {
    if (sources.store === undefined) {
      throw new WorkloadError("artifact-missing", "a dense-layer job needs a content store, and none is configured");
    }
    const job = await sources.store.getJob(commitments.specHash);
    if (job === undefined) {
      throw new WorkloadError("artifact-missing", `no content for spec hash ${commitments.specHash} in the store`);
    }
    return { kind: "dense-layer", job };
  }
  if (sources.gateway === undefined) {
    throw new WorkloadError("artifact-missing", "a manifest job needs a content gateway, and none is configured");
  }
  const manifest = await fetchManifest(sources.gateway, commitments.modelCommitment);
  const sealed = await fetchSealedArtifacts(manifest, sources.gateway, {
    ...(sources.maxArtifactBytes === undefined ? {} : { maxArtifactBytes: sources.maxArtifactBytes }),
  });
  return { kind: "manifest", manifest, sealed, encrypted: artifactsOf(manifest).some((ref) => ref.encrypted) };
}

/** The manifest whose sha2-256 digest is `digest`, fetched as a raw block and checked. */
export async function fetchManifest(gateway: GatewayClient, digest: Hex): Promise<JobManifest> {
  const cid = artifactCidFromDigest(hexToBytes(digest));
  const bytes = await gateway.get({ cid, bytes: MAX_MANIFEST_BYTES });
  if (bytes === undefined) throw new WorkloadError("artifact-missing", `the manifest ${cid} was not found`);
  verifyContent(cid, bytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new WorkloadError("manifest-invalid", `the manifest ${cid} is not JSON: ${(error as Error).message}`);
  }
  const manifest = parseJobManifest(value);
  if (Buffer.compare(Buffer.from(canonicalManifestBytes(manifest)), Buffer.from(bytes)) !== 0) {
    throw new WorkloadError(
      "manifest-invalid",
      `the manifest ${cid} is not in canonical form (sorted keys, no spaces)`,
    );
  }
  return manifest;
}

/**
 * Whether `output` (canonical output bytes) is what `result` commits to: its sha2-256, or for the dense-layer
 * runtime the Poseidon hash of its output vector.
 */
export function outputMatchesResult(manifest: JobManifest, output: Uint8Array, result: Hex, runtimes: Runtimes) {
  const runtime = runtimes.get(manifest.runtime);
  const expected = runtime?.resultOf ? runtime.resultOf(decodeOutputs(output)) : resultOfOutput(output);
  return expected.toLowerCase() === result.toLowerCase();
}

/**
 * The result an honest provider (or an auditor re-executing the job) reports for `work`: the dense layer's, or the
 * manifest job's run, where a failure by the job's own fault (an artifact that does not open under the released
 * key, a model that does not load, a limit exceeded) is the failure's result.
 */
export async function recomputeResult(work: JobWork, runtimes: Runtimes, jobKey?: Uint8Array): Promise<Hex> {
  if (work.kind === "dense-layer") return runDenseLayer(work.job).result;
  let artifacts: Artifacts;
  try {
    artifacts = openArtifacts(work.manifest, work.sealed, jobKey);
  } catch (error) {
    if (error instanceof WorkloadError && error.fault === "requester") return failureResult(error.code);
    throw error;
  }
  return (await executeJob(work.manifest, artifacts, runtimes)).result;
}

import type { Hex } from "viem";
import {
  type Artifacts,
  type DenseLayerJob,
  type GatewayClient,
  type JobCommitments,
  type JobManifest,
  WorkloadError,
  artifactsOf,
  failureResult,
  fetchManifest,
  fetchSealedArtifacts,
  isManifestJob,
  openArtifacts,
  runDenseLayer,
} from "@starminer/sdk";

import type { ContentStore } from "../content.js";
import { type Runtimes, executeJob } from "./execute.js";

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

import { type CanonicalOutput, type JobManifest, type RuntimeName } from "@starminer/sdk";

/** A manifest's artifacts, by CID, each already checked against its address and declared size. */
export type Artifacts = ReadonlyMap<string, Uint8Array>;

/** Where a runtime executes jobs on this machine, and why, when it is not the best place it knows. */
export interface RuntimeDevice {
  /** `cpu`, `cuda:0`, …: named in results, logs and benchmarks. */
  readonly device: string;
  /** Why the runtime chose this device (a GPU absent, a provider library not installed). */
  readonly reason: string;
}

/**
 * One way of running a job: it turns a manifest and its verified artifacts into canonical outputs, within the
 * manifest's limits, or throws a `WorkloadError` saying what failed and whose fault that is.
 */
export interface WorkloadRuntime<M extends JobManifest = JobManifest> {
  readonly name: RuntimeName;
  device(): Promise<RuntimeDevice>;
  run(manifest: M, artifacts: Artifacts): Promise<CanonicalOutput[]>;
}

/** The artifact `cid` from `artifacts`: the caller fetched and checked every artifact the manifest names. */
export function artifactBytes(artifacts: Artifacts, cid: string): Uint8Array {
  const bytes = artifacts.get(cid);
  if (bytes === undefined) throw new Error(`artifact ${cid} was not fetched before the run`);
  return bytes;
}

import { type Hex, hexToBytes } from "viem";

import { equalBytes } from "./bytes.js";
import { artifactCidFromDigest, verifyContent } from "./cid.js";
import { openArtifact } from "./encryption.js";
import { WorkloadError } from "./errors.js";
import {
  type ArtifactRef,
  type JobManifest,
  artifactsOf,
  canonicalManifestBytes,
  parseJobManifest,
} from "./manifest.js";

/** A manifest's artifacts, by CID, each already checked against its address and declared size. */
export type Artifacts = ReadonlyMap<string, Uint8Array>;

/** Where artifacts are read from: a content gateway, a directory of files named by CID, a test's map. */
export interface ArtifactSource {
  /** The bytes filed under `ref.cid`, unchecked (the reader checks them), or undefined when there are none. */
  get(ref: ArtifactRef): Promise<Uint8Array | undefined>;
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

/** Largest manifest a reader fetches, in bytes: a manifest names its data, it does not hold it. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/** The manifest whose sha2-256 digest is `digest`, fetched as a raw block and checked. */
export async function fetchManifest(source: ArtifactSource, digest: Hex): Promise<JobManifest> {
  const cid = artifactCidFromDigest(hexToBytes(digest));
  const bytes = await source.get({ cid, bytes: MAX_MANIFEST_BYTES });
  if (bytes === undefined) throw new WorkloadError("artifact-missing", `the manifest ${cid} was not found`);
  verifyContent(cid, bytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new WorkloadError("manifest-invalid", `the manifest ${cid} is not JSON: ${(error as Error).message}`);
  }
  const manifest = parseJobManifest(value);
  if (!equalBytes(canonicalManifestBytes(manifest), bytes)) {
    throw new WorkloadError(
      "manifest-invalid",
      `the manifest ${cid} is not in canonical form (sorted keys, no spaces)`,
    );
  }
  return manifest;
}

import { CID } from "multiformats/cid";
import * as json from "multiformats/codecs/json";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 as sha256Hasher } from "multiformats/hashes/sha2";
import { type Hex, bytesToHex } from "viem";

import { equalBytes } from "./bytes.js";
import { WorkloadError } from "./errors.js";
import { sha256 } from "./sha256.js";

/**
 * Content addresses of job artifacts: IPFS CIDs, version 1, sha2-256. An artifact (a model, a module, an input
 * tensor, a ciphertext) is addressed as one raw block (codec `raw`, `bafk…`), a job manifest as JSON (codec
 * `json`, `bagaaiera…`), so an address says what it holds and IPFS tooling reads it. Whoever receives bytes for an
 * address hashes them and refuses a mismatch: no store, gateway or peer is trusted.
 */

/** The CID of an artifact's bytes (codec raw). */
export function artifactCid(bytes: Uint8Array): string {
  return cidOf(raw.code, bytes);
}

/** The raw CID whose digest is `digest` (a sha2-256 computed while streaming). */
export function artifactCidFromDigest(digest: Uint8Array): string {
  return CID.createV1(raw.code, Digest.create(sha256Hasher.code, digest)).toString();
}

/** The CID of a manifest's canonical JSON bytes (codec json). */
export function manifestCid(bytes: Uint8Array): string {
  return cidOf(json.code, bytes);
}

/** The sha2-256 digest inside `cid`, as the bytes32 a job spec carries. */
export function cidDigest(cid: string): Hex {
  return bytesToHex(parseCid(cid).multihash.digest);
}

/** Parses a CID this protocol accepts (v1, sha2-256, raw or json), or throws saying what is wrong with it. */
export function parseCid(text: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (error) {
    throw new WorkloadError("manifest-invalid", `"${text}" is not a CID: ${(error as Error).message}`);
  }
  if (cid.version !== 1) throw new WorkloadError("manifest-invalid", `${text}: only CIDv1 is accepted`);
  if (cid.multihash.code !== sha256Hasher.code) {
    throw new WorkloadError("manifest-invalid", `${text}: only sha2-256 addresses are accepted`);
  }
  if (cid.code !== raw.code && cid.code !== json.code) {
    throw new WorkloadError("manifest-invalid", `${text}: only raw and json CIDs are accepted`);
  }
  return cid;
}

/** Throws `content-mismatch` unless `bytes` hash to `cid`. */
export function verifyContent(cid: string, bytes: Uint8Array): void {
  if (!equalBytes(parseCid(cid).multihash.digest, sha256(bytes))) {
    throw new WorkloadError("content-mismatch", `the bytes given for ${cid} do not hash to it: refused`);
  }
}

function cidOf(codec: number, bytes: Uint8Array): string {
  return CID.createV1(codec, Digest.create(sha256Hasher.code, sha256(bytes))).toString();
}

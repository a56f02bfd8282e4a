import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { type Address, bytesToHex, hexToBytes, isHex } from "viem";

/**
 * Where a requester keeps its jobs' keys between the submission and the last release: one file per job under
 * `<home>/keys/`, readable by its owner only. A key lost before it was released leaves the job's claimers without
 * the inputs (they report `key-withheld` and the job ends as the requester's failure); a key leaked lets anyone who
 * downloads the sealed artifacts read them.
 */
export function jobKeyPath(home: string, chainId: number, market: Address, jobId: bigint): string {
  return join(home, "keys", `job-${chainId}-${market.toLowerCase()}-${jobId}.key`);
}

/** Saves a job's key (refusing to overwrite one: a job has one key). */
export async function saveJobKey(path: string, key: Uint8Array): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  await writeFile(path, `${bytesToHex(key)}\n`, { mode: 0o600, flag: "wx" });
}

/** Reads a job's key, or throws a one-line error saying where it was looked for. */
export async function loadJobKey(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = (await readFile(path, "utf8")).trim();
  } catch {
    throw new Error(`no key for this job at ${path}: was it submitted from this machine with --manifest?`);
  }
  if (!isHex(text) || text.length !== 66) throw new Error(`${path} does not hold a 32-byte job key`);
  return hexToBytes(text);
}

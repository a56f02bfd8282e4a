import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Abi, type Address, isAddress } from "viem";

import { writeFileAtomically } from "./files.js";
import { PROJECT_ROOT } from "./project-root.js";

/**
 * The deployment manifest: one JSON file per chain id listing every protocol contract's name, address, the
 * block it was deployed in, where its ABI comes from and the ABI itself. The CLI, the indexer and the benchmarks
 * read only this file to find the protocol.
 */
export interface DeploymentManifest {
  /** Bumped when the file's shape changes incompatibly. */
  readonly version: typeof MANIFEST_VERSION;
  readonly chainId: number;
  /** The account that sent the deployment transactions. */
  readonly deployer: Address;
  /** When the deployment finished (ISO 8601). */
  readonly deployedAt: string;
  /** The Ignition deployment this manifest was built from. */
  readonly ignitionDeploymentId: string;
  readonly contracts: Readonly<Record<string, ManifestContract>>;
  /**
   * A production deployment's genesis vesting wallets (`VestingAllocation`), by the label the distribution gave
   * each. Absent on development and remote chains.
   */
  readonly vesting?: Readonly<Record<string, Address>>;
}

export interface ManifestContract {
  readonly name: string;
  /** The address to call: for a proxied contract, the proxy. */
  readonly address: Address;
  /** The block holding the transaction that created `address`: nothing of this contract happened before it. */
  readonly startBlock: number;
  /** The fully qualified name of the artifact the ABI comes from (`source.sol:Contract`). */
  readonly artifact: string;
  /** For a proxied contract, the implementation behind the proxy at deployment time. */
  readonly implementation?: Address;
  readonly abi: Abi;
}

export const MANIFEST_VERSION = 1;

/** Where manifests live unless `STARMINER_MANIFEST_DIR` says otherwise. */
export function defaultManifestDir(): string {
  return process.env.STARMINER_MANIFEST_DIR ?? join(PROJECT_ROOT, "ignition", "manifests");
}

export function manifestPath(chainId: number, dir: string = defaultManifestDir()): string {
  return join(dir, `${chainId}.json`);
}

/** Writes the manifest atomically (a reader never sees half a file) and returns its path. */
export async function writeManifest(manifest: DeploymentManifest, dir: string = defaultManifestDir()): Promise<string> {
  const path = manifestPath(manifest.chainId, dir);
  await writeFileAtomically(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}

/** Reads and checks the manifest of `chainId`; throws a one-line error saying what to do when it is unusable. */
export async function readManifest(chainId: number, dir: string = defaultManifestDir()): Promise<DeploymentManifest> {
  const path = manifestPath(chainId, dir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`no deployment manifest for chain ${chainId} at ${path}: deploy the protocol first`);
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`deployment manifest ${path} is not valid JSON`);
  }
  return validateManifest(parsed, path, chainId);
}

/** The entry for `name`, or a one-line error naming what the manifest does hold. */
export function manifestContract(manifest: DeploymentManifest, name: string): ManifestContract {
  const entry = manifest.contracts[name];
  if (entry === undefined) {
    const known = Object.keys(manifest.contracts).join(", ");
    throw new Error(`contract ${name} is not in the manifest of chain ${manifest.chainId} (it has: ${known})`);
  }
  return entry;
}

function validateManifest(value: unknown, path: string, chainId: number): DeploymentManifest {
  const fail = (what: string): never => {
    throw new Error(`deployment manifest ${path} is malformed: ${what}`);
  };
  if (typeof value !== "object" || value === null) return fail("not an object");
  const manifest = value as Partial<DeploymentManifest>;
  if (manifest.version !== MANIFEST_VERSION) return fail(`version ${manifest.version}, expected ${MANIFEST_VERSION}`);
  if (manifest.chainId !== chainId) return fail(`it is for chain ${manifest.chainId}, not ${chainId}`);
  if (typeof manifest.contracts !== "object" || manifest.contracts === null) return fail("no contracts");
  for (const [name, entry] of Object.entries(manifest.contracts)) {
    if (entry.name !== name) fail(`entry ${name} is named ${entry.name}`);
    if (!isAddress(entry.address)) fail(`${name} has no valid address`);
    if (!Number.isSafeInteger(entry.startBlock) || entry.startBlock < 0) fail(`${name} has no valid start block`);
    if (!Array.isArray(entry.abi)) fail(`${name} has no ABI`);
    if (entry.implementation !== undefined && !isAddress(entry.implementation)) {
      fail(`${name} has an invalid implementation address`);
    }
  }
  if (manifest.vesting !== undefined) {
    if (typeof manifest.vesting !== "object" || manifest.vesting === null) fail("vesting is not an object");
    for (const [label, address] of Object.entries(manifest.vesting)) {
      if (!isAddress(address)) fail(`vesting wallet ${label} has no valid address`);
    }
  }
  return manifest as DeploymentManifest;
}

import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import pg from "pg";
import type { PublicClient } from "viem";

import { reachChain } from "../client.js";
import { type DeploymentManifest, readManifest } from "../manifest.js";
import { PROJECT_ROOT } from "../project-root.js";
import { UsageError } from "../usage-error.js";

export const INDEXER_ROOT = join(PROJECT_ROOT, "indexer");
export const PONDER_CLI = join(PROJECT_ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");

/** Where the indexer keeps its embedded database unless STARMINER_INDEXER_PGLITE_DIR says otherwise. */
export function pgliteDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.STARMINER_INDEXER_PGLITE_DIR ?? join(INDEXER_ROOT, ".ponder", "pglite");
}

/**
 * What identifies one deployment on one chain: a restarted local node has the same chain id and, deployed the same
 * way, the same addresses — but not the same block hashes.
 */
export interface ChainFingerprint {
  readonly chainId: number;
  readonly genesisHash: string;
  readonly deploymentBlock: number;
  readonly deploymentBlockHash: string;
  /** sha256 of the manifest's contract names and addresses. */
  readonly contracts: string;
  /** The remote chain the bridge reaches, when the indexer follows one too. */
  readonly remote?: ChainFingerprint;
}

export async function chainFingerprint(client: PublicClient, manifest: DeploymentManifest): Promise<ChainFingerprint> {
  const entries = Object.values(manifest.contracts);
  const deploymentBlock = Math.min(...entries.map((entry) => entry.startBlock));
  const [genesis, deployment] = await Promise.all([
    client.getBlock({ blockNumber: 0n }),
    client.getBlock({ blockNumber: BigInt(deploymentBlock) }),
  ]);
  const contracts = createHash("sha256")
    .update(JSON.stringify(entries.map((entry) => [entry.name, entry.address.toLowerCase()]).sort()))
    .digest("hex");
  return {
    chainId: manifest.chainId,
    genesisHash: genesis.hash,
    deploymentBlock,
    deploymentBlockHash: deployment.hash,
    contracts,
  };
}

const FINGERPRINT_FIELDS = ["chainId", "genesisHash", "deploymentBlock", "deploymentBlockHash", "contracts"] as const;

/** Field by field: PostgreSQL's jsonb does not keep the order of keys. */
const sameFingerprint = (a: ChainFingerprint, b: ChainFingerprint): boolean =>
  FINGERPRINT_FIELDS.every((field) => a[field] === b[field]) &&
  (a.remote === undefined || b.remote === undefined ? a.remote === b.remote : sameFingerprint(a.remote, b.remote));

/** The chain behind `rpcUrl` and its deployment manifest, or a one-line error saying what is missing. */
export async function resolveChain(rpcUrl: string, manifestDir?: string) {
  const { client, chainId } = await reachChain(rpcUrl);
  const manifest = await readManifest(chainId, manifestDir);
  const fingerprint = await chainFingerprint(client, manifest);
  return { chainId, client, manifest, fingerprint };
}

export type Database = { kind: "pglite"; directory: string } | { kind: "postgres"; url: string };

export function databaseFromEnv(env: NodeJS.ProcessEnv = process.env): Database {
  return env.DATABASE_URL === undefined
    ? { kind: "pglite", directory: pgliteDirectory(env) }
    : { kind: "postgres", url: env.DATABASE_URL };
}

/** What `prepareDatabase` did. */
export type Preparation = "fresh" | "kept" | "reset-for-new-chain" | "reset-on-request";

/**
 * Makes the database safe to index `fingerprint` into. When it last indexed another chain or deployment (a local
 * node was restarted), it forgets both the app's tables and Ponder's RPC cache, which would otherwise serve the old
 * chain's events; `reset` forgets them unconditionally.
 */
export async function prepareDatabase(
  database: Database,
  schema: string,
  fingerprint: ChainFingerprint,
  reset: boolean,
): Promise<Preparation> {
  return database.kind === "pglite"
    ? preparePglite(database.directory, fingerprint, reset)
    : preparePostgres(database.url, schema, fingerprint, reset);
}

async function preparePglite(directory: string, fingerprint: ChainFingerprint, reset: boolean): Promise<Preparation> {
  const marker = `${directory}.chain.json`;
  let recorded: ChainFingerprint | undefined;
  try {
    recorded = JSON.parse(await readFile(marker, "utf8")) as ChainFingerprint;
  } catch {
    recorded = undefined;
  }
  let outcome: Preparation = recorded === undefined ? "fresh" : "kept";
  if (reset) outcome = "reset-on-request";
  else if (recorded !== undefined && !sameFingerprint(recorded, fingerprint)) outcome = "reset-for-new-chain";
  // A database without a marker was written by an unknown chain: start it afresh too.
  if (outcome !== "kept") await rm(directory, { recursive: true, force: true });
  await mkdir(dirname(marker), { recursive: true });
  await writeFile(marker, `${JSON.stringify(fingerprint, null, 2)}\n`);
  return outcome;
}

export const META_SCHEMA = "starminer_indexer";

/** A connected client of the PostgreSQL server at `url`, or a one-line error saying why not. */
export async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL: ${(error as Error).message}`);
  }
  return client;
}

/** The `--port` option of the indexer's scripts: 1-65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new UsageError(`--port must be 1-65535, got "${value}"`);
  return port;
}

/** The `--schema` option of the indexer's scripts: a lower-case SQL name Ponder accepts. */
export function parseSchemaName(value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,44}$/.test(value)) {
    throw new UsageError(`--schema must be a lower-case SQL name of at most 45 characters, got "${value}"`);
  }
  return value;
}

/** Ponder's command line for `command` (`start` or `serve`) of the StarMiner app on `schema`, `hostname:port`. */
export function ponderArguments(command: "start" | "serve", schema: string, port: number, hostname: string): string[] {
  return [command, "--root", INDEXER_ROOT, "--schema", schema, "--port", String(port), "--hostname", hostname];
}

async function preparePostgres(
  url: string,
  schema: string,
  fingerprint: ChainFingerprint,
  reset: boolean,
): Promise<Preparation> {
  const client = await connectPostgres(url);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.chain (app_schema text PRIMARY KEY, fingerprint jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ app_schema: string; fingerprint: ChainFingerprint }>(
      `SELECT app_schema, fingerprint FROM ${META_SCHEMA}.chain`,
    );
    const recorded = rows.find((row) => row.app_schema === schema)?.fingerprint;
    let outcome: Preparation = recorded === undefined ? "fresh" : "kept";
    if (reset) outcome = "reset-on-request";
    else if (recorded !== undefined && !sameFingerprint(recorded, fingerprint)) outcome = "reset-for-new-chain";
    // Ponder's RPC cache is keyed by chain id only: it may be kept only while every schema that indexed this chain id
    // indexed this very chain (another schema may have filled it), and never on request to reset.
    const sameChainId = rows.filter((row) => row.fingerprint.chainId === fingerprint.chainId);
    const cacheTrusted =
      !reset && sameChainId.length > 0 && sameChainId.every((row) => sameFingerprint(row.fingerprint, fingerprint));
    if (outcome !== "kept" || !cacheTrusted) {
      await client.query("BEGIN");
      if (outcome !== "kept") await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      if (!cacheTrusted) {
        await client.query("DROP SCHEMA IF EXISTS ponder_sync CASCADE");
        // Schemas built from another chain with this id are stale: forgetting their records makes each start
        // afresh when it next runs, and lets the cache be trusted again meanwhile.
        const stale = sameChainId.filter((row) => !sameFingerprint(row.fingerprint, fingerprint));
        for (const row of stale) {
          await client.query(`DELETE FROM ${META_SCHEMA}.chain WHERE app_schema = $1`, [row.app_schema]);
        }
      }
      await client.query(
        `INSERT INTO ${META_SCHEMA}.chain (app_schema, fingerprint) VALUES ($1, $2)
         ON CONFLICT (app_schema) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, recorded_at = now()`,
        [schema, JSON.stringify(fingerprint)],
      );
      await client.query("COMMIT");
    }
    return outcome;
  } finally {
    await client.end();
  }
}

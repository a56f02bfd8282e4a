/**
 * Is what the indexer holds still on the chain? A reorganisation deeper than Ponder's finality window (30 blocks on
 * chains it does not know) discards blocks Ponder has already taken as final: it keeps their events in its tables
 * and their logs in its RPC cache, and would re-index them from the cache after a restart. Before Ponder starts,
 * the runner compares the blocks in the cache with the chain, finds the first one the chain no longer has (the fork
 * point), and discards from there: the cache's blocks, logs, transactions, receipts, traces and call results at or
 * after it, and its record of which block ranges were fetched, clipped below it. The app's tables cannot be rolled
 * back that far (Ponder keeps undo records only for unfinalized blocks), so they are rebuilt: from the cache up to
 * the fork point, from the chain after it.
 */
import type { PublicClient } from "viem";

import { type Database, META_SCHEMA } from "./database.js";
import { type SqlSession, checkpointBlock, tableExists as exists } from "./sql.js";

/** Where the indexed branch left the chain. */
export interface Divergence {
  readonly chainId: number;
  /** The first held block the chain no longer has: everything from here on is discarded. */
  readonly forkBlock: bigint;
  /** How many held blocks (with an event, or in the cache) are at or after the fork point. */
  readonly discardedBlocks: number;
  /** The newest held block. */
  readonly newestBlock: bigint;
}

/** The tables of Ponder's RPC cache holding rows per block, and the column naming the block. */
const CACHE_TABLES = [
  ["blocks", "number"],
  ["transactions", "block_number"],
  ["transaction_receipts", "block_number"],
  ["logs", "block_number"],
  ["traces", "block_number"],
  ["factory_addresses", "block_number"],
  ["rpc_request_results", "block_number"],
] as const;

/** A block the database holds something of; `hash` undefined when it holds it under two hashes. */
interface HeldBlock {
  readonly number: bigint;
  readonly hash: string | undefined;
}

/**
 * The blocks of `chainId` the database holds something of, with their hashes, oldest first: those in Ponder's RPC
 * cache (blocks with a log the indexer follows, once final) and those of the final part of the audit trail of each
 * app schema in `schemas`. A block held under two hashes has its hash undefined: one of them
 * is off the chain.
 */
async function indexedBlocks(session: SqlSession, chainId: number, schemas: readonly string[]): Promise<HeldBlock[]> {
  const sources: string[] = [];
  if (await exists(session, "ponder_sync.blocks")) {
    sources.push("SELECT number, hash FROM ponder_sync.blocks WHERE chain_id = $1");
  }
  for (const schema of schemas) {
    if (
      (await exists(session, `"${schema}".protocol_event`)) &&
      (await exists(session, `"${schema}"._ponder_checkpoint`))
    ) {
      // Only what Ponder took as final: it reverts the rest itself when it starts (its crash recovery).
      sources.push(
        `SELECT block_number, block_hash FROM "${schema}".protocol_event WHERE chain_id = $1 AND block_number <= (
           SELECT ${checkpointBlock("finalized_checkpoint")}
           FROM "${schema}"._ponder_checkpoint WHERE chain_id = $1)`,
      );
    }
  }
  if (sources.length === 0) return [];
  const rows = await session.query<{ number: string; hash: string; hashes: number }>(
    `SELECT number::text AS number, min(hash) AS hash, count(DISTINCT hash)::int AS hashes
     FROM (${sources.join(" UNION ")}) AS held (number, hash) GROUP BY number ORDER BY number`,
    [chainId],
  );
  return rows.map((row) => ({
    number: BigInt(row.number),
    hash: row.hashes === 1 ? row.hash : undefined,
  }));
}

/**
 * Compares `held`, the blocks the database holds of `chainId` (see `indexedBlocks`), with the chain behind `client`:
 * undefined when the newest is the chain's (what is held is one branch, and a block on the chain has only ancestors
 * on the chain), else where they part, found by bisection.
 */
async function findDivergence(
  held: readonly HeldBlock[],
  client: PublicClient,
  chainId: number,
): Promise<Divergence | undefined> {
  if (held.length === 0) return undefined;
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const onChain = async (index: number) => {
    const { number, hash } = held[index]!;
    return hash !== undefined && number <= head && (await client.getBlock({ blockNumber: number })).hash === hash;
  };
  if (await onChain(held.length - 1)) return undefined;
  // Invariant: every block before `low` is on the chain, the block at `high` is not.
  let low = 0;
  let high = held.length - 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await onChain(middle)) low = middle + 1;
    else high = middle;
  }
  return {
    chainId,
    forkBlock: held[high]!.number,
    discardedBlocks: held.length - high,
    newestBlock: held[held.length - 1]!.number,
  };
}

/**
 * Discards, in one transaction, what the cache holds of each diverged chain from its fork point on, and drops the
 * app schemas `schemas` (Ponder rebuilds them when it starts).
 */
export async function discardDivergences(
  session: SqlSession,
  divergences: readonly Divergence[],
  schemas: readonly string[],
): Promise<void> {
  await session.transaction(async (tx) => {
    for (const { chainId, forkBlock } of divergences) {
      const fork = forkBlock.toString();
      for (const [table, column] of CACHE_TABLES) {
        await tx.query(`DELETE FROM ponder_sync.${table} WHERE chain_id = $1 AND ${column} >= $2`, [chainId, fork]);
      }
      // Ponder records a fetched range of blocks a..b as the closed range [a, b + 1]: keep [a, fork], the blocks
      // before the fork, and drop what is left empty.
      await tx.query(
        `UPDATE ponder_sync.intervals SET blocks = (
           SELECT coalesce(range_agg(kept), '{}'::nummultirange)
           FROM unnest(blocks * nummultirange(numrange(0, $2::numeric, '[]'))) AS kept
           WHERE upper(kept) > lower(kept)
         ) WHERE chain_id = $1`,
        [chainId, fork],
      );
    }
    for (const schema of schemas) await tx.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

/** The schemas of the database that hold a Ponder app (its `_ponder_meta` table). */
export async function ponderAppSchemas(session: SqlSession): Promise<string[]> {
  const rows = await session.query<{ schema: string }>(
    "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = '_ponder_meta' ORDER BY 1",
  );
  return rows.map((row) => row.schema);
}

/**
 * The app schemas that indexed `chainIds` and must be rebuilt after a divergence: on the embedded database every
 * app schema in it; on PostgreSQL those the runner recorded for these chains, and `schema`.
 */
async function schemasToRebuild(
  session: SqlSession,
  database: Database,
  schema: string,
  chainIds: readonly number[],
): Promise<string[]> {
  const apps = await ponderAppSchemas(session);
  if (database.kind === "pglite") return apps;
  const recorded = await session.query<{ schema: string; chain_id: number }>(
    `SELECT app_schema AS schema, (fingerprint->>'chainId')::int AS chain_id FROM ${META_SCHEMA}.chain`,
  );
  const ours = new Set([schema, ...recorded.filter((row) => chainIds.includes(row.chain_id)).map((row) => row.schema)]);
  return apps.filter((app) => ours.has(app));
}

/** Where the runner notes a reorganisation Ponder met but could not undo, for the next start to repair. */
const WITNESSED = `${META_SCHEMA}.deep_reorganisation`;

/**
 * Notes, after Ponder stopped on a reorganisation below its finalized block, that the database's branch of
 * `chainIds` must be checked and repaired at the next start even if everything it still holds is on the chain
 * (Ponder may already have rolled its tables back, while its record of fetched ranges still covers the
 * abandoned blocks).
 */
export async function recordDeepReorganisation(session: SqlSession, chainIds: readonly number[]): Promise<void> {
  await session.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
  await session.query(
    `CREATE TABLE IF NOT EXISTS ${WITNESSED} (chain_id bigint PRIMARY KEY, seen_at timestamptz NOT NULL DEFAULT now())`,
  );
  for (const chainId of chainIds) {
    await session.query(`INSERT INTO ${WITNESSED} (chain_id) VALUES ($1) ON CONFLICT (chain_id) DO NOTHING`, [chainId]);
  }
}

async function witnessedChains(session: SqlSession): Promise<Set<number>> {
  if (!(await exists(session, WITNESSED))) return new Set();
  const rows = await session.query<{ chain_id: string }>(`SELECT chain_id::text AS chain_id FROM ${WITNESSED}`);
  return new Set(rows.map((row) => Number(row.chain_id)));
}

/**
 * Checks that the indexer's database holds each chain's current branch and, where it does not, discards what it
 * holds from the fork point on (see the top of this file). A chain on which a deep reorganisation was witnessed
 * (`recordDeepReorganisation`) is repaired from just after the newest block still held on it. Returns the
 * divergences repaired.
 */
export async function reconcileBranches(
  session: SqlSession,
  database: Database,
  schema: string,
  chains: readonly { chainId: number; client: PublicClient }[],
): Promise<Divergence[]> {
  const schemas = await schemasToRebuild(
    session,
    database,
    schema,
    chains.map((chain) => chain.chainId),
  );
  const witnessed = await witnessedChains(session);
  const divergences: Divergence[] = [];
  for (const { chainId, client } of chains) {
    const held = await indexedBlocks(session, chainId, schemas);
    const divergence = await findDivergence(held, client, chainId);
    if (divergence !== undefined) divergences.push(divergence);
    else if (witnessed.has(chainId)) {
      const newest = held.at(-1)?.number ?? -1n;
      divergences.push({ chainId, forkBlock: newest + 1n, discardedBlocks: 0, newestBlock: newest });
    }
  }
  if (divergences.length > 0) await discardDivergences(session, divergences, schemas);
  if (witnessed.size > 0) await session.query(`DELETE FROM ${WITNESSED}`);
  return divergences;
}

/**
 * Clears Ponder's own lock on each of `schemas`, app schemas of an embedded database. Ponder refuses a schema whose last user's
 * heartbeat is recent (for PostgreSQL, where another machine may be running it) and waits it out, about 20 s
 * after a crash; an embedded database is already held by one process at a time (./pglite-lock.mjs).
 */
export async function releaseStaleAppLocks(session: SqlSession, schemas: readonly string[]): Promise<void> {
  for (const schema of schemas) {
    await session.query(
      `UPDATE "${schema}"._ponder_meta SET value = jsonb_set(value, '{is_locked}', to_jsonb(0)) WHERE key = 'app'`,
    );
  }
}

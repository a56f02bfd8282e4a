import { AsyncLocalStorage } from "node:async_hooks";

import { db } from "ponder:api";
import { sql } from "ponder";

/** Where indexing stands on one chain: the last block whose events are all in the tables. */
export interface ChainHead {
  readonly chainId: number;
  readonly blockNumber: bigint;
  readonly timestamp: bigint;
}

/** Where indexing stands on every followed chain, and a key that changes whenever any of them moves. */
export interface IndexedHead {
  readonly key: string;
  readonly chains: readonly ChainHead[];
  /**
   * What the tables hold: each followed chain's newest indexed event, its id and block hash ("" before the first).
   * Every indexed event writes its row to the audit trail (`protocol_event`) in the same transaction as everything
   * its handler writes, so the tables change exactly when this does: a block without protocol events moves `key`,
   * not this; a reorg that replaces indexed events changes the newest one's block hash, or its id. Per chain,
   * because an event's id orders by block time first: a chain whose clock is behind another's adds events older
   * than the other's newest, which would not move one newest event of all chains. Only events up to the chain's
   * checkpoint count (an event's id is its checkpoint): on the embedded database the API's reads share the one
   * session with indexing, so they see a block's audit-trail rows while its other tables are still being written,
   * and the checkpoint, written last, is what says the block is whole.
   */
  readonly dataKey: string;
}

// Ponder's checkpoint: block timestamp (10 digits), chain id (16), block number (16), then the position in the block.
const TIMESTAMP_DIGITS = 10;
const CHAIN_ID_DIGITS = 16;
const BLOCK_NUMBER_DIGITS = 16;

function decode(chainId: number, checkpoint: string): ChainHead {
  const numberStart = TIMESTAMP_DIGITS + CHAIN_ID_DIGITS;
  return {
    chainId,
    timestamp: BigInt(checkpoint.slice(0, TIMESTAMP_DIGITS)),
    blockNumber: BigInt(checkpoint.slice(numberStart, numberStart + BLOCK_NUMBER_DIGITS)),
  };
}

/** The least time between two reads of the checkpoints: requests arriving in between share the next read. */
const MIN_READ_INTERVAL_MS = 5;

let next: Promise<IndexedHead> | undefined;
let lastReadAt = -Infinity;

/** The answers being made that asked where indexing stands (see `readsIndexedHead`). */
const headReaders = new AsyncLocalStorage<{ readsHead: boolean }>();

/**
 * Runs `answer` and says whether it (or anything it awaited) asked for the indexed head: an answer made from the
 * head (a reputation decayed to the head's time, a proposal's phase at it) changes with every indexed block, one
 * made from the tables alone only when they change.
 */
export async function readsIndexedHead(answer: () => Promise<unknown>): Promise<boolean> {
  const reader = { readsHead: false };
  await headReaders.run(reader, answer);
  return reader.readsHead;
}

function read(): Promise<IndexedHead> {
  return db
    .execute(
      sql`SELECT c.chain_id, c.latest_checkpoint,
        (SELECT e.id || '@' || e.block_hash FROM protocol_event e
          WHERE e.chain_id = c.chain_id AND e.id <= c.latest_checkpoint ORDER BY e.id DESC LIMIT 1) AS latest_event
        FROM _ponder_checkpoint c ORDER BY c.chain_id`,
    )
    .then((result) => {
      const rows = (
        result as unknown as {
          rows: { chain_id: string | number; latest_checkpoint: string; latest_event: string | null }[];
        }
      ).rows;
      return {
        key: rows.map((row) => row.latest_checkpoint).join("/"),
        chains: rows.map((row) => decode(Number(row.chain_id), row.latest_checkpoint)),
        dataKey: rows.map((row) => row.latest_event ?? "").join("/"),
      };
    });
}

/**
 * Reads Ponder's checkpoints (`_ponder_checkpoint`, in the app's schema, which Ponder puts first on the API
 * connections' search path). The read always starts after the request arrived, so what it returns is at least as
 * new as the state the request was made in; requests arriving before it starts share it, and reads start at most
 * every 5 ms, so that under load the checkpoint costs one query per batch of requests rather than one each (on
 * the embedded database, queries run one at a time in the indexer's own process).
 */
export function indexedHead(): Promise<IndexedHead> {
  const reader = headReaders.getStore();
  if (reader !== undefined) reader.readsHead = true;
  if (next !== undefined) return next;
  const wait = lastReadAt + MIN_READ_INTERVAL_MS - performance.now();
  next = new Promise<void>((start) => (wait > 0 ? setTimeout(start, wait) : setImmediate(start))).then(() => {
    next = undefined;
    lastReadAt = performance.now();
    return read();
  });
  return next;
}

/** Where indexing stands on `chainId`, if Ponder has started on it. */
export function headOf(head: IndexedHead, chainId: number): ChainHead | undefined {
  return head.chains.find((chain) => chain.chainId === chainId);
}

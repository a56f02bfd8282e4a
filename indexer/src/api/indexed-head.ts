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

let inFlight: Promise<IndexedHead> | undefined;

/**
 * Reads Ponder's checkpoints (`_ponder_checkpoint`, in the app's schema, which Ponder puts first on the API
 * connections' search path). Requests arriving while a read is in flight share it, so a burst of requests costs
 * one query.
 */
export function indexedHead(): Promise<IndexedHead> {
  inFlight ??= db
    .execute(sql`SELECT chain_id, latest_checkpoint FROM _ponder_checkpoint ORDER BY chain_id`)
    .then((result) => {
      const rows = (result as unknown as { rows: { chain_id: string | number; latest_checkpoint: string }[] }).rows;
      return {
        key: rows.map((row) => row.latest_checkpoint).join("/"),
        chains: rows.map((row) => decode(Number(row.chain_id), row.latest_checkpoint)),
      };
    })
    .finally(() => {
      inFlight = undefined;
    });
  return inFlight;
}

/** Where indexing stands on `chainId`, if Ponder has started on it. */
export function headOf(head: IndexedHead, chainId: number): ChainHead | undefined {
  return head.chains.find((chain) => chain.chainId === chainId);
}

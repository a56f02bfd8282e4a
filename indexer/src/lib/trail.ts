import { replaceBigInts } from "ponder";
import type { Event } from "ponder:registry";

import type { Store } from "./handler";
import { job, protocolEvent, protocolTransaction, slash, stakeChange } from "ponder:schema";
import { type Hex, hexToBigInt } from "viem";

/** Rows made from one event whose job may only be learnt from a later event of the same transaction. */
const JOB_LINKED_TABLES = [slash, stakeChange] as const;

/** The job an event names itself: a `jobId` argument, or the reputation ledger's `jobRef` of a job the market ran. */
async function namedJob(name: string, event: Event, context: Store): Promise<bigint | null> {
  const args = event.args as Record<string, unknown> | undefined;
  if (args === undefined) return null;
  if (typeof args.jobId === "bigint") return args.jobId;
  if (name === "ReputationUpdated" && typeof args.jobRef === "string") {
    const candidate = hexToBigInt(args.jobRef as Hex);
    if (candidate !== 0n && (await context.db.find(job, { id: candidate })) !== null) return candidate;
  }
  return null;
}

/**
 * Writes `event` to the audit trail and returns the job it belongs to. An event that names no job takes the job of
 * its transaction: the one an earlier event named, or, once a later event names one, that one (events before it,
 * such as the escrow transfer of a submission, are updated then).
 */
export async function recordTrail(
  contract: string,
  name: string,
  event: Event,
  context: Store,
  chainId: number,
): Promise<bigint | null> {
  const named = await namedJob(name, event, context);
  const txHash = event.transaction.hash;
  const transaction = await context.db.find(protocolTransaction, { id: txHash });
  let jobId = named;

  if (transaction === null) {
    await context.db.insert(protocolTransaction).values({
      id: txHash,
      chainId,
      blockNumber: event.block.number,
      timestamp: event.block.timestamp,
      from: event.transaction.from,
      to: event.transaction.to,
      jobId: named,
      eventCount: 1,
      unassignedEvents: named === null ? [event.id] : [],
    });
  } else if (named === null) {
    jobId = transaction.jobId;
    await context.db.update(protocolTransaction, { id: txHash }).set({
      eventCount: transaction.eventCount + 1,
      unassignedEvents: jobId === null ? [...transaction.unassignedEvents, event.id] : transaction.unassignedEvents,
    });
  } else {
    for (const earlier of transaction.unassignedEvents) {
      await context.db.update(protocolEvent, { id: earlier }).set({ jobId: named });
      for (const table of JOB_LINKED_TABLES) {
        if ((await context.db.find(table, { id: earlier })) !== null) {
          await context.db.update(table, { id: earlier }).set({ jobId: named });
        }
      }
    }
    await context.db
      .update(protocolTransaction, { id: txHash })
      .set({ jobId: named, eventCount: transaction.eventCount + 1, unassignedEvents: [] });
  }

  await context.db.insert(protocolEvent).values({
    id: event.id,
    chainId,
    blockNumber: event.block.number,
    blockHash: event.block.hash,
    timestamp: event.block.timestamp,
    txHash,
    txIndex: event.transaction.transactionIndex,
    logIndex: event.log.logIndex,
    contract,
    address: event.log.address,
    event: name,
    actor: event.transaction.from,
    jobId,
    args: replaceBigInts((event.args ?? {}) as Record<string, unknown>, (value) => value.toString()),
  });
  return jobId;
}

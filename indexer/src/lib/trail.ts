import { replaceBigInts } from "ponder";
import type { Event } from "ponder:registry";

import type { Store } from "./handler";
import { eventParty, job, protocolEvent, protocolTransaction, slashing, stakeChange } from "ponder:schema";
import { type AbiEvent, type Address, type Hex, hexToBigInt } from "viem";

/** Rows made from one event whose job may only be learnt from a later event of the same transaction. */
const JOB_LINKED_TABLES = [slashing, stakeChange] as const;

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
  abiEvent: AbiEvent,
  event: Event,
  context: Store,
  chainId: number,
): Promise<bigint | null> {
  const name = abiEvent.name;
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
  const parties = eventParties(abiEvent, event);
  if (parties.length > 0) await context.db.insert(eventParty).values(parties);
  return jobId;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The accounts `event` concerns, each with the roles it plays: its sender, and every address argument. */
function eventParties(abiEvent: AbiEvent, event: Event) {
  const args = (event.args ?? {}) as Record<string, unknown>;
  const roles = new Map<string, string[]>();
  const add = (account: Address, role: string) => {
    const key = account.toLowerCase();
    if (key === ZERO_ADDRESS) return;
    roles.set(key, [...(roles.get(key) ?? []), role]);
  };
  add(event.transaction.from, "sender");
  for (const input of abiEvent.inputs) {
    const value = args[input.name ?? ""];
    if (input.type === "address") add(value as Address, input.name!);
    else if (input.type === "address[]") for (const account of value as Address[]) add(account, input.name!);
  }
  return [...roles].map(([account, accountRoles]) => ({
    id: `${event.id}-${account}`,
    eventId: event.id,
    account: account as Address,
    roles: [...new Set(accountRoles)],
  }));
}

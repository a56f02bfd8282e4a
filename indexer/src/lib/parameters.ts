import { replaceBigInts } from "ponder";
import type { Event } from "ponder:registry";

import type { Store } from "./handler";
import { protocolParameter } from "ponder:schema";
import type { AbiEvent } from "viem";

/** Whether `abiEvent` sets a governed parameter: every such event is named `...Set`. */
export function isParameterEvent(abiEvent: AbiEvent): boolean {
  return abiEvent.name.endsWith("Set");
}

/**
 * Keeps the latest value of a parameter-setting event. A parameter set per key (a role's minimum stake, a zone's
 * congestion threshold) is keyed by the event's indexed arguments: `Staking.MinimumStakeSet.1`.
 */
export async function recordParameter(contract: string, abiEvent: AbiEvent, event: Event, context: Store) {
  const args = (event.args ?? {}) as Record<string, unknown>;
  const keys = abiEvent.inputs.filter((input) => input.indexed).map((input) => String(args[input.name ?? ""]));
  const id = [contract, abiEvent.name, ...keys].join(".");
  const values = {
    value: replaceBigInts(args, (value) => value.toString()),
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  };
  await context.db
    .insert(protocolParameter)
    .values({ id, contract, event: abiEvent.name, ...values })
    .onConflictDoUpdate(values);
}

import { replaceBigInts } from "ponder";
import type { Event } from "ponder:registry";

import type { Store } from "./handler";
import { protocolParameter } from "ponder:schema";
import type { AbiEvent } from "viem";

import { HOME_CHAIN_ID } from "../../ponder.config";

/** Whether `abiEvent` sets a governed parameter: every such event is named `...Set`. */
export function isParameterEvent(abiEvent: AbiEvent): boolean {
  return abiEvent.name.endsWith("Set");
}

/**
 * Keeps the latest value of a parameter-setting event. A parameter set per key (a role's minimum stake, a zone's
 * congestion threshold) is keyed by the event's indexed arguments: `Staking.MinimumStakeSet.1`. A remote chain's
 * contract is named with its chain: `BridgeGateway@31338.RateLimitSet`.
 */
export async function recordParameter(
  contract: string,
  abiEvent: AbiEvent,
  event: Event,
  context: Store,
  chainId: number,
) {
  const args = (event.args ?? {}) as Record<string, unknown>;
  const keys = abiEvent.inputs.filter((input) => input.indexed).map((input) => String(args[input.name ?? ""]));
  const id = [chainId === HOME_CHAIN_ID ? contract : `${contract}@${chainId}`, abiEvent.name, ...keys].join(".");
  const values = {
    value: replaceBigInts(args, (value) => value.toString()),
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  };
  await context.db
    .insert(protocolParameter)
    .values({ id, chainId, contract, event: abiEvent.name, ...values })
    .onConflictDoUpdate(values);
}

/**
 * Registers one indexing function per event of every protocol contract. Each writes the event to the audit trail,
 * keeps parameter-setting events, then runs the event's own handler if it has one.
 */
import { type Event, ponder } from "ponder:registry";
import type { AbiEvent } from "viem";

import config from "../ponder.config";
import { bridgeHandlers } from "./handlers/bridge";
import { governanceHandlers } from "./handlers/governance";
import { marketHandlers } from "./handlers/market";
import { oracleHandlers } from "./handlers/oracle";
import { pricingHandlers } from "./handlers/pricing";
import { registryHandlers } from "./handlers/registry";
import { reputationHandlers } from "./handlers/reputation";
import { stakingHandlers } from "./handlers/staking";
import { verificationHandlers } from "./handlers/verification";
import type { Store } from "./lib/handler";
import { isParameterEvent, recordParameter } from "./lib/parameters";
import { recordTrail } from "./lib/trail";

/** Which chain an event came from. */
type ChainContext = { chain: { id: number } };

/** Any event's handler, as the registration loop sees it: the types are checked where each handler is written. */
type RegisteredHandler = (args: { event: Event; context: Store; jobId: bigint | null }) => Promise<void>;

const handlers = {
  ...registryHandlers,
  ...stakingHandlers,
  ...reputationHandlers,
  ...pricingHandlers,
  ...oracleHandlers,
  ...marketHandlers,
  ...verificationHandlers,
  ...governanceHandlers,
  ...bridgeHandlers,
} as unknown as Record<string, RegisteredHandler | undefined>;

const registered = new Set<string>();
for (const [contract, { abi }] of Object.entries(config.contracts)) {
  const events = (abi as readonly { type: string }[]).filter((item): item is AbiEvent => item.type === "event");
  for (const abiEvent of events) {
    const name = `${contract}:${abiEvent.name}`;
    if (registered.has(name)) throw new Error(`${contract} has two events named ${abiEvent.name}`);
    registered.add(name);
    const handler = handlers[name];
    const parameter = isParameterEvent(abiEvent);
    const indexingFunction = async ({ event, context }: { event: Event; context: Store & ChainContext }) => {
      const chainId = context.chain.id;
      const jobId = await recordTrail(contract, abiEvent, event, context, chainId);
      if (parameter) await recordParameter(contract, abiEvent, event, context, chainId);
      if (handler !== undefined) await handler({ event, context, jobId });
    };
    ponder.on(name as never, indexingFunction as never);
  }
}

// A handler for an event the ABIs do not have is a typo or a stale handler: refuse to start.
for (const name of Object.keys(handlers)) {
  if (!registered.has(name)) throw new Error(`handler for ${name}, which no indexed contract emits`);
}

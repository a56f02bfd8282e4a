import type { Store } from "./handler";
import { node } from "ponder:schema";
import type { Address } from "viem";

/** The node row of `address`, created empty when the address first appears (a stake may precede registration). */
export async function ensureNode(context: Store, address: Address, timestamp: bigint) {
  const existing = await context.db.find(node, { id: address });
  if (existing !== null) return existing;
  return context.db.insert(node).values({
    id: address,
    registered: false,
    active: false,
    roles: 0,
    capabilityVerified: false,
    runtimes: 0,
    staked: 0n,
    locked: 0n,
    unbonding: 0n,
    withdrawn: 0n,
    slashed: 0n,
    slashCount: 0,
    reputationUpdates: 0,
    slotsClaimed: 0,
    slotsDelivered: 0,
    slotsMissed: 0,
    earned: 0n,
    updatedAt: timestamp,
  });
}

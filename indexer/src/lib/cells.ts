import type { Store } from "./handler";
import { marketCell } from "ponder:schema";
import type { Hex } from "viem";

type Cell = typeof marketCell.$inferSelect;
type CellChange = Partial<Omit<Cell, "id" | "zone" | "tier" | "updatedAt">>;

export function cellId(zone: Hex, tier: number): string {
  return `${zone}-${tier}`;
}

/** Adds `change` (counts and amounts, possibly negative) to the (zone, tier) cell, creating it when new. */
export async function adjustCell(context: Store, zone: Hex, tier: number, timestamp: bigint, change: CellChange) {
  const id = cellId(zone, tier);
  const cell =
    (await context.db.find(marketCell, { id })) ??
    (await context.db.insert(marketCell).values({
      id,
      zone,
      tier,
      activeJobs: 0,
      openSlots: 0,
      busySlots: 0,
      jobsSubmitted: 0,
      jobsSettled: 0,
      jobsRefunded: 0,
      jobsCancelled: 0,
      gpuHoursSubmitted: 0n,
      escrowSubmitted: 0n,
      paidToProviders: 0n,
      updatedAt: timestamp,
    }));
  const next: Record<string, number | bigint> = {};
  for (const [key, delta] of Object.entries(change) as [keyof CellChange, number | bigint][]) {
    next[key] = typeof delta === "bigint" ? (cell[key] as bigint) + delta : (cell[key] as number) + delta;
  }
  await context.db.update(marketCell, { id }).set({ ...next, updatedAt: timestamp });
}

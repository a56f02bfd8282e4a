import { pricePoint, tier, zone, zoneNeighbour } from "ponder:schema";

import { Tier } from "../../../sdk/src/market.js";
import type { Handlers } from "../lib/handler";

/** Tier names by index, as the pricing engine numbers tiers. */
const TIER_NAMES = Object.keys(Tier);
const BPS = 10_000n;

/** GPU-hour prices per (zone, tier): each epoch update of a zone's base price, and each change of the tiers. */
export const pricingHandlers: Handlers = {
  "PricingEngine:PriceUpdated": async ({ event, context }) => {
    const { zone: zoneId, epoch, basePrice, utilisationBps } = event.args;
    const utilisation = Number(utilisationBps);
    const existing = await context.db.find(zone, { id: zoneId });
    if (existing === null) throw new Error(`price update for zone ${zoneId}, which was never added`);
    await context.db.update(zone, { id: zoneId }).set({
      basePrice,
      epoch,
      utilisationBps: utilisation,
      updatedAt: event.block.timestamp,
    });
    for (let index = 0; index < TIER_NAMES.length; index++) {
      const row = await context.db.find(tier, { id: index });
      if (row === null) continue;
      await context.db.insert(pricePoint).values({
        id: `${event.id}-${index}`,
        zone: zoneId,
        tier: index,
        pricePerGpuHour: (basePrice * BigInt(row.multiplierBps)) / BPS,
        basePrice,
        utilisationBps: utilisation,
        epoch,
        source: "Epoch",
        blockNumber: event.block.number,
        timestamp: event.block.timestamp,
      });
    }
  },
  "PricingEngine:DemandRecorded": async ({ event, context }) => {
    const existing = await context.db.find(zone, { id: event.args.zone });
    if (existing === null) throw new Error(`demand for zone ${event.args.zone}, which was never added`);
    await context.db
      .update(zone, { id: event.args.zone })
      .set({ epochDemand: event.args.epochDemand, updatedAt: event.block.timestamp });
  },
  "PricingEngine:NeighboursSet": async ({ event, context }) => {
    const { zoneA, zoneB, penaltyBps } = event.args;
    for (const [from, to] of [
      [zoneA, zoneB],
      [zoneB, zoneA],
    ] as const) {
      await context.db
        .insert(zoneNeighbour)
        .values({ id: `${from}-${to}`.toLowerCase(), zone: from, neighbour: to, penaltyBps })
        .onConflictDoUpdate({ penaltyBps });
    }
  },
  "PricingEngine:NeighboursRemoved": async ({ event, context }) => {
    const { zoneA, zoneB } = event.args;
    await context.db.delete(zoneNeighbour, { id: `${zoneA}-${zoneB}`.toLowerCase() });
    await context.db.delete(zoneNeighbour, { id: `${zoneB}-${zoneA}`.toLowerCase() });
  },
  "PricingEngine:TiersSet": async ({ event, context }) => {
    const { multiplierBps, reputationFloorBps } = event.args;
    for (let index = 0; index < TIER_NAMES.length; index++) {
      const values = {
        name: TIER_NAMES[index]!,
        multiplierBps: multiplierBps[index]!,
        reputationFloorBps: reputationFloorBps[index]!,
      };
      await context.db
        .insert(tier)
        .values({ id: index, ...values })
        .onConflictDoUpdate(values);
    }
    // New multipliers re-price every zone that has a base price.
    const priced = await context.db.sql.query.zone.findMany({
      where: (table, { isNotNull }) => isNotNull(table.basePrice),
    });
    for (const row of priced) {
      for (let index = 0; index < TIER_NAMES.length; index++) {
        await context.db.insert(pricePoint).values({
          id: `${event.id}-${row.id}-${index}`,
          zone: row.id,
          tier: index,
          pricePerGpuHour: (row.basePrice! * BigInt(multiplierBps[index]!)) / BPS,
          basePrice: row.basePrice,
          utilisationBps: row.utilisationBps,
          epoch: row.epoch,
          source: "Tiers",
          blockNumber: event.block.number,
          timestamp: event.block.timestamp,
        });
      }
    }
  },
};

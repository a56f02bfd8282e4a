import { db } from "ponder:api";
import schema from "ponder:schema";
import type { Hono } from "hono";

import { send } from "./http";
import { currentPrice, pricingState } from "./pricing";

const BPS = 10_000;

/**
 * GET /api/market/heatmap   one cell per (zone, tier): the current price, the pricing engine's utilisation of the
 * zone, and the market's own load there — slots waiting for a provider, slots being computed, and the share of
 * busy slots among both (`utilisationBps`), with the cell's job counts and volumes.
 */
export function heatmapRoutes(app: Hono) {
  app.get("/api/market/heatmap", async (c) => {
    const [{ zones, tiers, startingPrice }, cells] = await Promise.all([
      pricingState(),
      db.select().from(schema.marketCell),
    ]);
    const byId = new Map(cells.map((cell) => [cell.id, cell]));
    return send(c, {
      cells: zones.flatMap((zone) =>
        tiers.map((tier) => {
          const cell = byId.get(`${zone.id}-${tier.id}`);
          const open = cell?.openSlots ?? 0;
          const busy = cell?.busySlots ?? 0;
          const price = currentPrice(zone, tier, startingPrice);
          return {
            zone: zone.id,
            zoneLabel: zone.label,
            tier: tier.id,
            tierName: tier.name,
            pricePerGpuHour: price.pricePerGpuHour,
            engineUtilisationBps: zone.utilisationBps,
            utilisationBps: open + busy === 0 ? 0 : Math.round((busy * BPS) / (open + busy)),
            activeJobs: cell?.activeJobs ?? 0,
            openSlots: open,
            busySlots: busy,
            jobsSubmitted: cell?.jobsSubmitted ?? 0,
            jobsSettled: cell?.jobsSettled ?? 0,
            jobsRefunded: cell?.jobsRefunded ?? 0,
            jobsCancelled: cell?.jobsCancelled ?? 0,
            gpuHoursSubmitted: cell?.gpuHoursSubmitted ?? 0n,
            escrowSubmitted: cell?.escrowSubmitted ?? 0n,
            paidToProviders: cell?.paidToProviders ?? 0n,
          };
        }),
      ),
    });
  });
}

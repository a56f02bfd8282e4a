import { db } from "ponder:api";
import schema from "ponder:schema";
import { and, asc, desc, eq, gt, gte, lt, lte } from "ponder";
import type { Hono } from "hono";

import { Tier, enumName } from "../../../sdk/src/market.js";
import {
  fail,
  page,
  parseTier,
  parseZone,
  queryChoice,
  queryCursor,
  queryInteger,
  queryLimit,
  queryOrder,
  send,
} from "./http";

const BPS = 10_000n;
const SOURCES = ["Epoch", "Quote", "Tiers"] as const;

type Zone = typeof schema.zone.$inferSelect;
type Tier = typeof schema.tier.$inferSelect;

/** The pricing engine's starting price, which a zone keeps until its first epoch update. */
async function initialPrice(): Promise<bigint | null> {
  const [row] = await db
    .select()
    .from(schema.protocolParameter)
    .where(eq(schema.protocolParameter.id, "PricingEngine.MarketParametersSet"));
  const parameters = (row?.value as { parameters?: { initialPrice?: string } } | undefined)?.parameters;
  return parameters?.initialPrice === undefined ? null : BigInt(parameters.initialPrice);
}

/** The current GPU-hour price of (zone, tier), as the pricing engine last wrote it. */
export function currentPrice(zone: Zone, tier: Tier, startingPrice: bigint | null) {
  const basePrice = zone.basePrice ?? startingPrice;
  return {
    zone: zone.id,
    zoneLabel: zone.label,
    enabled: zone.enabled,
    tier: tier.id,
    tierName: tier.name,
    pricePerGpuHour: basePrice === null ? null : (basePrice * BigInt(tier.multiplierBps)) / BPS,
    basePrice,
    /** `Epoch`: a base price the engine wrote; `Initial`: the engine's starting price (no epoch update yet). */
    basis: zone.basePrice === null ? "Initial" : "Epoch",
    epoch: zone.epoch,
    utilisationBps: zone.utilisationBps,
    updatedAt: zone.updatedAt,
  };
}

/** Every zone and tier the indexer knows, with the pricing engine's starting price. */
export async function pricingState() {
  const [zones, tiers, startingPrice] = await Promise.all([
    db.select().from(schema.zone).orderBy(asc(schema.zone.label)),
    db.select().from(schema.tier).orderBy(asc(schema.tier.id)),
    initialPrice(),
  ]);
  return { zones, tiers, startingPrice };
}

/**
 * GET /api/prices                  the current price of every (zone, tier)
 * GET /api/prices/:zone/:tier      one (zone, tier): its current price and a page of its history, newest first
 *   ?from=&to=   unix seconds, inclusive   ?source=Epoch|Quote|Tiers   ?limit=1..1000 (default 100)
 *   ?order=desc|asc   ?cursor=<nextCursor of the previous page>
 */
export function pricingRoutes(app: Hono) {
  app.get("/api/prices", async (c) => {
    const { zones, tiers, startingPrice } = await pricingState();
    return send(c, { prices: zones.flatMap((zone) => tiers.map((tier) => currentPrice(zone, tier, startingPrice))) });
  });

  app.get("/api/prices/:zone/:tier", async (c) => {
    const zoneId = parseZone(c.req.param("zone"));
    const tierIndex = parseTier(c.req.param("tier"));
    const from = queryInteger(c, "from", 0n, 2n ** 63n - 1n);
    const to = queryInteger(c, "to", 0n, 2n ** 63n - 1n);
    if (from !== undefined && to !== undefined && from > to) fail(400, "from must not be after to");
    const source = queryChoice(c, "source", SOURCES);
    const limit = queryLimit(c, 100);
    const order = queryOrder(c);
    const cursor = queryCursor(c);

    const [zone] = await db.select().from(schema.zone).where(eq(schema.zone.id, zoneId));
    if (zone === undefined) fail(404, `unknown zone "${c.req.param("zone")}"`);
    const [tier] = await db.select().from(schema.tier).where(eq(schema.tier.id, tierIndex));
    if (tier === undefined) fail(404, `tier ${enumName(Tier, tierIndex)} is not configured yet`);

    const p = schema.pricePoint;
    const rows = await db
      .select()
      .from(p)
      .where(
        and(
          eq(p.zone, zoneId),
          eq(p.tier, tierIndex),
          from === undefined ? undefined : gte(p.timestamp, from),
          to === undefined ? undefined : lte(p.timestamp, to),
          source === undefined ? undefined : eq(p.source, source),
          cursor === undefined ? undefined : order === "desc" ? lt(p.id, cursor) : gt(p.id, cursor),
        ),
      )
      .orderBy(order === "desc" ? desc(p.id) : asc(p.id))
      .limit(limit + 1);
    const { items, nextCursor } = page(rows, limit);
    return send(c, { current: currentPrice(zone, tier, await initialPrice()), history: items, nextCursor });
  });
}

import { db } from "ponder:api";
import schema from "ponder:schema";
import { and, desc, eq, lt } from "ponder";
import type { Hono } from "hono";

import { fail, lower, parseAddress, queryInteger, queryLimit, send } from "./http";

/**
 * GET /api/providers/:address/reputation   a node's current scores, its record, its slashes, and its reputation
 *   history, newest first   ?limit=1..1000 (default 100)   ?before=<unix seconds> for the next page
 */
export function providerRoutes(app: Hono) {
  app.get("/api/providers/:address/reputation", async (c) => {
    const address = lower(parseAddress(c.req.param("address")));
    const limit = queryLimit(c, 100);
    const before = queryInteger(c, "before", 0n, 2n ** 63n - 1n);

    const [node] = await db.select().from(schema.node).where(eq(schema.node.id, address));
    if (node === undefined) fail(404, `no node ${c.req.param("address")} has appeared on chain`);

    const r = schema.reputationUpdate;
    const [history, slashes] = await Promise.all([
      db
        .select()
        .from(r)
        .where(and(eq(r.provider, address), before === undefined ? undefined : lt(r.timestamp, before)))
        .orderBy(desc(r.timestamp), desc(r.id))
        .limit(limit),
      db.select().from(schema.slash).where(eq(schema.slash.node, address)).orderBy(desc(schema.slash.id)).limit(limit),
    ]);
    return send(c, {
      provider: node.id,
      registered: node.registered,
      active: node.active,
      zone: node.zone,
      reputation: {
        reliability: node.reliability,
        accuracy: node.accuracy,
        speed: node.speed,
        composite: node.composite,
        updates: node.reputationUpdates,
      },
      record: {
        slotsClaimed: node.slotsClaimed,
        slotsDelivered: node.slotsDelivered,
        slotsMissed: node.slotsMissed,
        earned: node.earned,
        staked: node.staked,
        locked: node.locked,
        slashed: node.slashed,
        slashCount: node.slashCount,
      },
      history,
      slashes,
    });
  });
}

import { db } from "ponder:api";
import schema from "ponder:schema";
import { and, asc, desc, eq, gt, lt } from "ponder";
import type { Hono } from "hono";

import { HOME_CHAIN_ID } from "../../ponder.config";
import { headOf, indexedHead } from "./indexed-head";
import { fail, lower, page, parseAddress, queryCursor, queryLimit, queryOrder, send } from "./http";
import { type DecayParameters, decayedScores } from "./reputation-decay";

/** The reputation ledger's parameters as last set on chain. */
async function decayParameters(): Promise<DecayParameters | undefined> {
  const [row] = await db
    .select()
    .from(schema.protocolParameter)
    .where(eq(schema.protocolParameter.id, "Reputation.ReputationParametersSet"));
  const parameters = (row?.value as { parameters?: Record<string, string> } | undefined)?.parameters;
  if (parameters === undefined) return undefined;
  return {
    decayHalfLife: BigInt(parameters.decayHalfLife!),
    reliabilityWeightBps: BigInt(parameters.reliabilityWeightBps!),
    accuracyWeightBps: BigInt(parameters.accuracyWeightBps!),
    speedWeightBps: BigInt(parameters.speedWeightBps!),
  };
}

/**
 * GET /api/providers/:address/reputation   a node's scores, its record, its latest slashes, and a page of its
 *   reputation history, newest first   ?limit=1..1000 (default 100)   ?order=desc|asc   ?cursor=<nextCursor>
 *   `reputation.current` is what the ledger's views return at the indexed head (the stored scores decayed toward
 *   neutral since they were written); `reputation.stored` is what the last update wrote.
 * GET /api/nodes/:address/trail   a page of every protocol event the account is a party to, whoever sent it (a
 *   slash of the node by a validator, a vote naming it, its own transactions), newest first, each with the
 *   account's roles in it   ?limit   ?order   ?cursor
 */
export function providerRoutes(app: Hono) {
  app.get("/api/providers/:address/reputation", async (c) => {
    const address = lower(parseAddress(c.req.param("address")));
    const limit = queryLimit(c, 100);
    const order = queryOrder(c);
    const cursor = queryCursor(c);

    const [[node], head, parameters] = await Promise.all([
      db.select().from(schema.node).where(eq(schema.node.id, address)),
      indexedHead(),
      decayParameters(),
    ]);
    if (node === undefined) fail(404, `no node ${c.req.param("address")} has appeared on chain`);

    const r = schema.reputationUpdate;
    const s = schema.slashing;
    const [history, slashes] = await Promise.all([
      db
        .select()
        .from(r)
        .where(
          and(
            eq(r.provider, address),
            cursor === undefined ? undefined : order === "desc" ? lt(r.id, cursor) : gt(r.id, cursor),
          ),
        )
        .orderBy(order === "desc" ? desc(r.id) : asc(r.id))
        .limit(limit + 1),
      db.select().from(s).where(eq(s.node, address)).orderBy(desc(s.id)).limit(limit),
    ]);
    const home = headOf(head, HOME_CHAIN_ID);
    const stored = { reliability: node.reliability, accuracy: node.accuracy, speed: node.speed };
    const current =
      home === undefined || parameters === undefined
        ? null
        : {
            ...decayedScores(
              { reliability: node.reliability ?? 0, accuracy: node.accuracy ?? 0, speed: node.speed ?? 0 },
              node.reputationAt,
              home.timestamp,
              parameters,
            ),
            asOfBlock: home.blockNumber,
            asOfTimestamp: home.timestamp,
          };
    const { items, nextCursor } = page(history, limit);
    return send(c, {
      provider: node.id,
      registered: node.registered,
      active: node.active,
      zone: node.zone,
      reputation: {
        current,
        stored: { ...stored, composite: node.composite, writtenAt: node.reputationAt },
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
      history: items,
      nextCursor,
      slashes,
    });
  });

  app.get("/api/nodes/:address/trail", async (c) => {
    const address = lower(parseAddress(c.req.param("address")));
    const limit = queryLimit(c, 100);
    const order = queryOrder(c);
    const cursor = queryCursor(c);

    const party = schema.eventParty;
    const rows = await db
      .select({ event: schema.protocolEvent, roles: party.roles })
      .from(party)
      .innerJoin(schema.protocolEvent, eq(schema.protocolEvent.id, party.eventId))
      .where(
        and(
          eq(party.account, address),
          cursor === undefined ? undefined : order === "desc" ? lt(party.eventId, cursor) : gt(party.eventId, cursor),
        ),
      )
      .orderBy(order === "desc" ? desc(party.eventId) : asc(party.eventId))
      .limit(limit + 1);
    if (rows.length === 0 && cursor === undefined) fail(404, `no protocol event concerns ${c.req.param("address")}`);
    const { items, nextCursor } = page(
      rows.map((row) => ({ ...row.event, roles: row.roles })),
      limit,
    );
    return send(c, { account: address, events: items, nextCursor });
  });
}

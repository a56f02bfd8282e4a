import { db } from "ponder:api";
import schema from "ponder:schema";
import { and, asc, desc, eq, or, sql } from "ponder";
import type { Hono } from "hono";
import { isHex } from "viem";

import { fail, lower, page, parseAddress, queryChoice, queryLimit, queryOrder, queryPairCursor, send } from "./http";

const STATUSES = ["Sent", "Completed", "Cancelled", "Refunded"] as const;
const MAX_CHAIN_ID = 2n ** 31n - 1n;

/**
 * GET /api/bridge/transfers        a page of transfers seen on either chain, by source chain and nonce (the order
 *   each lane sends in), newest first   ?account=<sender or recipient>   ?status=Sent|Completed|Cancelled|Refunded
 *   ?limit   ?order=desc|asc   ?cursor
 * GET /api/bridge/transfers/:digest   one transfer, with its events on both chains
 */
export function bridgeRoutes(app: Hono) {
  app.get("/api/bridge/transfers", async (c) => {
    const status = queryChoice(c, "status", STATUSES);
    const rawAccount = c.req.query("account");
    const account = rawAccount === undefined ? undefined : lower(parseAddress(rawAccount));
    const limit = queryLimit(c, 100);
    const order = queryOrder(c);
    const cursor = queryPairCursor(c);
    // Chain ids are stored as 32-bit integers.
    if (cursor !== undefined && cursor[0] > MAX_CHAIN_ID)
      fail(400, `cursor names chain ${cursor[0]}, which no lane has`);
    const b = schema.bridgeTransfer;
    const rows = await db
      .select()
      .from(b)
      .where(
        and(
          status === undefined ? undefined : eq(b.status, status),
          account === undefined ? undefined : or(eq(b.sender, account), eq(b.recipient, account)),
          cursor === undefined
            ? undefined
            : order === "desc"
              ? sql`(${b.sourceChainId}, ${b.nonce}) < (${cursor[0]}, ${cursor[1]})`
              : sql`(${b.sourceChainId}, ${b.nonce}) > (${cursor[0]}, ${cursor[1]})`,
        ),
      )
      .orderBy(...(order === "desc" ? [desc(b.sourceChainId), desc(b.nonce)] : [asc(b.sourceChainId), asc(b.nonce)]))
      .limit(limit + 1);
    const { items, nextCursor } = page(rows, limit, (row) => `${row.sourceChainId}-${row.nonce}`);
    return send(c, { transfers: items, nextCursor });
  });

  app.get("/api/bridge/transfers/:digest", async (c) => {
    const digest = c.req.param("digest");
    if (!isHex(digest) || digest.length !== 66) fail(400, `transfer digest must be 32 bytes of hex; got "${digest}"`);
    const id = lower(digest);
    const [transfer] = await db.select().from(schema.bridgeTransfer).where(eq(schema.bridgeTransfer.id, id));
    if (transfer === undefined) fail(404, `no bridge transfer ${digest} has been seen`);
    const hashes = [transfer.sentTxHash, transfer.completedTxHash, transfer.cancelledTxHash, transfer.refundedTxHash];
    const transactions = hashes.filter((hash): hash is `0x${string}` => hash !== null);
    const e = schema.protocolEvent;
    const events = await db
      .select()
      .from(e)
      .where(or(...transactions.map((hash) => eq(e.txHash, hash))))
      .orderBy(asc(e.id));
    return send(c, { transfer, events });
  });
}

import { db } from "ponder:api";
import schema from "ponder:schema";
import { asc, eq, inArray } from "ponder";
import type { Hono } from "hono";

import { fail, parseJobId, send } from "./http";

/**
 * GET /api/jobs/:id/trail   a job, its slots, results, payouts, audits and dispute, and every protocol event of
 * every transaction that touched it (escrow transfers, collateral, slashes, reputation, fees), in chain order.
 */
export function jobRoutes(app: Hono) {
  app.get("/api/jobs/:id/trail", async (c) => {
    const jobId = parseJobId(c.req.param("id"));
    const [job] = await db.select().from(schema.job).where(eq(schema.job.id, jobId));
    if (job === undefined) fail(404, `no job ${jobId} has been submitted`);

    const e = schema.protocolEvent;
    const transactions = db
      .select({ hash: schema.protocolTransaction.id })
      .from(schema.protocolTransaction)
      .where(eq(schema.protocolTransaction.jobId, jobId));
    // Two queries, each on its own index, rather than one `OR` that the planner can only answer by a full scan: the
    // events tied to the job, and every event of the transactions tied to it (which names other jobs too when one
    // transaction served several).
    const [ownEvents, transactionEvents, slots, results, payouts, audits, disputes] = await Promise.all([
      db.select().from(e).where(eq(e.jobId, jobId)),
      db.select().from(e).where(inArray(e.txHash, transactions)),
      db.select().from(schema.slot).where(eq(schema.slot.jobId, jobId)).orderBy(asc(schema.slot.index)),
      db.select().from(schema.result).where(eq(schema.result.jobId, jobId)).orderBy(asc(schema.result.id)),
      db.select().from(schema.payout).where(eq(schema.payout.jobId, jobId)).orderBy(asc(schema.payout.id)),
      db.select().from(schema.audit).where(eq(schema.audit.jobId, jobId)).orderBy(asc(schema.audit.id)),
      db.select().from(schema.dispute).where(eq(schema.dispute.id, jobId)),
    ]);
    const votes =
      disputes.length === 0
        ? []
        : await db
            .select()
            .from(schema.disputeVote)
            .where(eq(schema.disputeVote.jobId, jobId))
            .orderBy(asc(schema.disputeVote.id));
    const events = [...new Map([...ownEvents, ...transactionEvents].map((event) => [event.id, event])).values()].sort(
      (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return send(c, {
      job,
      slots,
      results,
      payouts,
      audits,
      dispute: disputes[0] === undefined ? null : { ...disputes[0], votes },
      events,
    });
  });
}

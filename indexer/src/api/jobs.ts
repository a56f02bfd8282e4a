import { db } from "ponder:api";
import schema from "ponder:schema";
import { asc, eq } from "ponder";
import type { Hono } from "hono";

import { fail, parseJobId, send } from "./http";

/**
 * GET /api/jobs/:id/trail   a job, its slots, results, payouts, audits and dispute, and every protocol event tied to
 * it (escrow transfers, collateral, slashes, reputation, fees), in chain order. An event that names no job belongs to
 * the job its transaction named last before it (or first after it): in a transaction that settled several jobs,
 * each job's trail holds its own settlement's events only.
 */
export function jobRoutes(app: Hono) {
  app.get("/api/jobs/:id/trail", async (c) => {
    const jobId = parseJobId(c.req.param("id"));
    const [job] = await db.select().from(schema.job).where(eq(schema.job.id, jobId));
    if (job === undefined) fail(404, `no job ${jobId} has been submitted`);

    const e = schema.protocolEvent;
    const [events, slots, results, payouts, audits, disputes] = await Promise.all([
      db.select().from(e).where(eq(e.jobId, jobId)).orderBy(asc(e.id)),
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

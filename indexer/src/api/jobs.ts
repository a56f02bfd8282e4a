import { db } from "ponder:api";
import schema from "ponder:schema";
import { asc, eq, sql } from "ponder";
import type { Context, Hono, MiddlewareHandler } from "hono";

import { fail, parseJobId, send } from "./http";
import { soleJobOf } from "./job-queries";
import { readRequestBody } from "./request-body";
import { answerMayBeKept, keptWhileUnchanged } from "./response-cache";

/**
 * The state of everything a job's trail reads: the newest audit-trail event tied to the job (its id and block hash),
 * up to its chain's checkpoint. Every row of a job, its slots, results, payouts, audits and dispute is written by an
 * event that names the job, and every event writes its audit-trail row first (an event naming no job is tied to the
 * job its transaction names, in the same block), so the trail changes exactly when this does; a reorganisation that
 * removes the job's newest event changes the id, one that replaces its block the hash.
 */
export async function trailVersion(jobId: bigint): Promise<string> {
  const result = await db.execute(
    sql`SELECT e.id || '@' || e.block_hash AS version FROM protocol_event e
      JOIN _ponder_checkpoint c ON c.chain_id = e.chain_id
      WHERE e.job_id = ${jobId} AND e.id <= c.latest_checkpoint ORDER BY e.id DESC LIMIT 1`,
  );
  const [row] = (result as unknown as { rows: { version: string }[] }).rows;
  return row?.version ?? "";
}

/**
 * GET /api/jobs/:id/trail   a job, its slots, results, payouts, audits and dispute, and every protocol event tied to
 * it (escrow transfers, collateral, slashes, reputation, fees), in chain order. An event that names no job belongs to
 * the job its transaction named last before it (or first after it): in a transaction that settled several jobs,
 * each job's trail holds its own settlement's events only.
 */
export function jobRoutes(app: Hono) {
  app.get("/api/jobs/:id/trail", async (c) => {
    const jobId = parseJobId(c.req.param("id"));
    return keptWhileUnchanged(
      () => trailVersion(jobId),
      () => jobTrail(c, jobId),
    );
  });
}

async function jobTrail(c: Context, jobId: bigint): Promise<Response> {
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
}

/**
 * Lets the response cache serve a GraphQL query about one job again after the tables changed elsewhere, as it does
 * the job's REST trail: such a query reads only rows that change with the job's newest event.
 */
export function jobQueriesKeptWhileUnchanged(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST" || !answerMayBeKept()) return next();
    const jobId = soleJobOf(await readRequestBody(c));
    if (jobId === undefined) return next();
    c.res = await keptWhileUnchanged(
      () => trailVersion(jobId),
      async () => {
        await next();
        return c.res;
      },
    );
  };
}

import { db } from "ponder:api";
import schema from "ponder:schema";
import { and, asc, desc, eq, sql } from "ponder";
import type { Hono } from "hono";

import { HOME_CHAIN_ID } from "../../ponder.config";
import { fail, lower, page, parseAddress, queryChoice, queryLimit, queryOrder, queryPairCursor, send } from "./http";
import { headOf, indexedHead } from "./indexed-head";

type Proposal = typeof schema.proposal.$inferSelect;
const STATUSES = ["Proposed", "Queued", "Executed", "Canceled"] as const;

/**
 * Where a proposal stands at `now` (the indexed head's time; the Governor's clock is the block timestamp): its
 * last lifecycle event, and for a Proposed one whether voting is yet to open, open, or over. Whether a closed vote
 * succeeded also depends on the quorum at its snapshot, which the Governor's `state` answers.
 */
function phase(proposal: Proposal, now: bigint | undefined) {
  if (proposal.status !== "Proposed" || now === undefined) return proposal.status;
  if (now <= proposal.voteStart) return "Pending";
  if (now <= proposal.voteEnd) return "Active";
  return "VotingClosed";
}

function parseProposalId(value: string): bigint {
  if (!/^[0-9]{1,78}$/.test(value)) return fail(400, `proposal id must be a decimal integer; got "${value}"`);
  return BigInt(value);
}

/**
 * GET /api/governance/proposals        a page of proposals, newest first, each with its phase
 *   ?status=Proposed|Queued|Executed|Canceled   ?proposer=<address>   ?limit   ?order=desc|asc   ?cursor
 * GET /api/governance/proposals/:id    one proposal: its calls, votes, Timelock operation and executed actions
 */
export function governanceRoutes(app: Hono) {
  app.get("/api/governance/proposals", async (c) => {
    const status = queryChoice(c, "status", STATUSES);
    const rawProposer = c.req.query("proposer");
    const proposer = rawProposer === undefined ? undefined : lower(parseAddress(rawProposer));
    const limit = queryLimit(c, 100);
    const order = queryOrder(c);
    const cursor = queryPairCursor(c);
    const p = schema.proposal;
    const [rows, head] = await Promise.all([
      db
        .select()
        .from(p)
        .where(
          and(
            status === undefined ? undefined : eq(p.status, status),
            proposer === undefined ? undefined : eq(p.proposer, proposer),
            cursor === undefined
              ? undefined
              : order === "desc"
                ? sql`(${p.proposedAt}, ${p.id}) < (${cursor[0]}, ${cursor[1]})`
                : sql`(${p.proposedAt}, ${p.id}) > (${cursor[0]}, ${cursor[1]})`,
          ),
        )
        .orderBy(...(order === "desc" ? [desc(p.proposedAt), desc(p.id)] : [asc(p.proposedAt), asc(p.id)]))
        .limit(limit + 1),
      indexedHead(),
    ]);
    const now = headOf(head, HOME_CHAIN_ID)?.timestamp;
    const { items, nextCursor } = page(rows, limit, (row) => `${row.proposedAt}-${row.id}`);
    return send(c, { proposals: items.map((proposal) => ({ ...proposal, phase: phase(proposal, now) })), nextCursor });
  });

  app.get("/api/governance/proposals/:id", async (c) => {
    const id = parseProposalId(c.req.param("id"));
    const [[proposal], votes, operations, actions, head] = await Promise.all([
      db.select().from(schema.proposal).where(eq(schema.proposal.id, id)),
      db
        .select()
        .from(schema.proposalVote)
        .where(eq(schema.proposalVote.proposalId, id))
        .orderBy(asc(schema.proposalVote.timestamp), asc(schema.proposalVote.id)),
      db.select().from(schema.timelockOperation).where(eq(schema.timelockOperation.proposalId, id)),
      db
        .select()
        .from(schema.governanceAction)
        .where(eq(schema.governanceAction.proposalId, id))
        .orderBy(asc(schema.governanceAction.index)),
      indexedHead(),
    ]);
    if (proposal === undefined) fail(404, `no proposal ${id} has been made`);
    return send(c, {
      proposal: { ...proposal, phase: phase(proposal, headOf(head, HOME_CHAIN_ID)?.timestamp) },
      votes,
      timelockOperation: operations[0] ?? null,
      executedActions: actions,
    });
  });
}

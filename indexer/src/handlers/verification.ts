import { audit, dispute, disputeVote, job } from "ponder:schema";

import { type Handlers, enumName, stamp } from "../lib/handler";

const VERDICTS = ["Pending", "Upheld", "Rejected", "NoDecision"] as const;

/** Audits by sampled validators, and disputes with the committee's votes and what became of the bond. */
export const verificationHandlers: Handlers = {
  "VerificationHub:AuditDrawn": async ({ event, context }) => {
    const { jobId, sampled } = event.args;
    await context.db.update(job, { id: jobId }).set({ auditSampled: sampled, updatedAt: event.block.timestamp });
  },
  "VerificationHub:AuditPassed": async ({ event, context }) => {
    const { jobId, validator, result } = event.args;
    await context.db.insert(audit).values({ id: event.id, jobId, validator, result, passed: true, ...stamp(event) });
  },
  "VerificationHub:AuditFailed": async ({ event, context }) => {
    const { jobId, validator, result } = event.args;
    await context.db.insert(audit).values({ id: event.id, jobId, validator, result, passed: false, ...stamp(event) });
  },
  "VerificationHub:DisputeOpened": async ({ event, context }) => {
    const { jobId, challenger, bond, drawBlock } = event.args;
    const disputed = await context.db.find(job, { id: jobId });
    // A job whose auditor's claim was rejected may be disputed again: the new dispute takes the row (the earlier
    // dispute's votes stay in dispute_vote, its audit in audit).
    const opened = {
      challenger,
      bond,
      // The requester disputes with a bond; a validator whose audit failed disputes with its stake.
      fromAudit: disputed !== null && disputed.requester !== challenger,
      drawBlock,
      round: 0,
      jurors: [] as `0x${string}`[],
      verdict: "Pending" as const,
      upholdVotes: 0,
      rejectVotes: 0,
      openedAt: event.block.timestamp,
      commitEndsAt: null,
      votingEndsAt: null,
      resolvedAt: null,
      bondReturned: null,
      bondForfeited: null,
    };
    await context.db
      .insert(dispute)
      .values({ id: jobId, ...opened })
      .onConflictDoUpdate(opened);
  },
  "VerificationHub:CommitteeDrawScheduled": async ({ event, context }) => {
    const { jobId, drawBlock } = event.args;
    await context.db.update(dispute, { id: jobId }).set({ drawBlock });
  },
  "VerificationHub:CommitteeDrawn": async ({ event, context }) => {
    const { jobId, jurors, commitEndsAt, votingEndsAt } = event.args;
    await context.db.update(dispute, { id: jobId }).set({ jurors: [...jurors], commitEndsAt, votingEndsAt });
  },
  "VerificationHub:DisputeAppealed": async ({ event, context }) => {
    // A new round: a larger committee is drawn and votes afresh; the votes of earlier rounds stay in dispute_vote.
    const { jobId, round, drawBlock } = event.args;
    await context.db.update(dispute, { id: jobId }).set({
      round,
      drawBlock,
      jurors: [],
      commitEndsAt: null,
      votingEndsAt: null,
      upholdVotes: 0,
      rejectVotes: 0,
    });
  },
  "VerificationHub:DisputeVoteCast": async ({ event, context }) => {
    const { jobId, validator, uphold } = event.args;
    await context.db
      .insert(disputeVote)
      .values({ id: event.id, jobId, validator, uphold, timestamp: event.block.timestamp });
    await context.db.update(dispute, { id: jobId }).set((row) => ({
      upholdVotes: row.upholdVotes + (uphold ? 1 : 0),
      rejectVotes: row.rejectVotes + (uphold ? 0 : 1),
    }));
  },
  "VerificationHub:DisputeResolved": async ({ event, context }) => {
    const { jobId, verdict, upholdVotes, rejectVotes } = event.args;
    await context.db.update(dispute, { id: jobId }).set({
      verdict: enumName(VERDICTS, verdict, "verdict"),
      upholdVotes,
      rejectVotes,
      resolvedAt: event.block.timestamp,
    });
  },
  "VerificationHub:BondReturned": async ({ event, context }) => {
    await context.db
      .update(dispute, { id: event.args.jobId })
      .set((row) => ({ bondReturned: (row.bondReturned ?? 0n) + event.args.amount }));
  },
  "VerificationHub:BondForfeited": async ({ event, context }) => {
    await context.db
      .update(dispute, { id: event.args.jobId })
      .set((row) => ({ bondForfeited: (row.bondForfeited ?? 0n) + event.args.amount }));
  },
};

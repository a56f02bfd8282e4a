import { job, node, payout, pricePoint, result, slot } from "ponder:schema";

import { adjustCell } from "../lib/cells";
import { type Handlers, type Store, enumName, stamp } from "../lib/handler";

const MODES = ["Consensus", "Optimistic", "TEE", "ZK"] as const;

type Job = typeof job.$inferSelect;

export function slotId(jobId: bigint, index: number | bigint): string {
  return `${jobId}-${index}`;
}

async function requireJob(context: Store, jobId: bigint): Promise<Job> {
  const row = await context.db.find(job, { id: jobId });
  if (row === null) throw new Error(`event for job ${jobId}, which was never submitted`);
  return row;
}

async function requireSlot(context: Store, jobId: bigint, index: bigint) {
  const row = await context.db.find(slot, { id: slotId(jobId, index) });
  if (row === null) throw new Error(`event for slot ${index} of job ${jobId}, which has no such slot`);
  return row;
}

/**
 * Takes a job that leaves Open out of the heatmap's slot counts: its unclaimed slots stop waiting and its claimed
 * ones stop being busy.
 */
async function releaseSlots(context: Store, row: Job, timestamp: bigint) {
  if (row.status !== "Open") return;
  let open = 0;
  let busy = 0;
  for (let index = 0; index < row.redundancy; index++) {
    const current = await context.db.find(slot, { id: slotId(row.id, index) });
    if (current?.status === "Open") open++;
    if (current?.status === "Claimed" || current?.status === "Committed") busy++;
  }
  if (open + busy > 0) await adjustCell(context, row.zone, row.tier, timestamp, { openSlots: -open, busySlots: -busy });
}

/** Marks the job's accepted results (bit i of `acceptedSlots`: slot i) as Accepted. */
async function acceptResults(context: Store, row: Job, acceptedSlots: number) {
  for (let index = 0; index < row.redundancy; index++) {
    if ((acceptedSlots & (1 << index)) === 0) continue;
    const current = await context.db.find(slot, { id: slotId(row.id, index) });
    if (current?.resultId) await context.db.update(result, { id: current.resultId }).set({ status: "Accepted" });
  }
}

/** Jobs, their slots, results and payouts, the quotes they were priced at, and the heatmap's counts. */
export const marketHandlers: Handlers = {
  "JobMarket:JobSubmitted": async ({ event, context }) => {
    const a = event.args;
    const timestamp = event.block.timestamp;
    await context.db.insert(job).values({
      id: a.jobId,
      requester: a.requester,
      zone: a.zone,
      requestedZone: a.requestedZone,
      tier: a.tier,
      mode: enumName(MODES, a.mode, "verification mode"),
      redundancy: a.redundancy,
      gpuHours: a.gpuHours,
      pricePerGpuHour: a.pricePerGpuHour,
      escrow: a.escrow,
      deadline: a.deadline,
      specHash: a.specHash,
      status: "Open",
      submittedAt: timestamp,
      submittedBlock: event.block.number,
      submittedTx: event.transaction.hash,
      updatedAt: timestamp,
    });
    for (let index = 0; index < a.redundancy; index++) {
      await context.db
        .insert(slot)
        .values({ id: slotId(a.jobId, index), jobId: a.jobId, index, status: "Open", misses: 0 });
    }
    await context.db.insert(pricePoint).values({
      id: event.id,
      zone: a.zone,
      tier: a.tier,
      pricePerGpuHour: a.pricePerGpuHour,
      source: "Quote",
      jobId: a.jobId,
      blockNumber: event.block.number,
      timestamp,
    });
    await adjustCell(context, a.zone, a.tier, timestamp, {
      activeJobs: 1,
      openSlots: a.redundancy,
      jobsSubmitted: 1,
      gpuHoursSubmitted: BigInt(a.gpuHours) * BigInt(a.redundancy),
      escrowSubmitted: a.escrow,
    });
  },
  "JobMarket:JobCancelled": async ({ event, context }) => {
    const row = await requireJob(context, event.args.jobId);
    await releaseSlots(context, row, event.block.timestamp);
    await context.db.update(job, { id: row.id }).set({
      status: "Cancelled",
      refund: event.args.refund,
      closedAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    });
    await adjustCell(context, row.zone, row.tier, event.block.timestamp, { activeJobs: -1, jobsCancelled: 1 });
  },
  "JobMarket:SlotClaimed": async ({ event, context }) => {
    const { jobId, slot: index, provider, collateral, deliverBy } = event.args;
    const row = await requireJob(context, jobId);
    await requireSlot(context, jobId, index);
    await context.db.update(slot, { id: slotId(jobId, index) }).set({
      status: "Claimed",
      provider,
      collateral,
      claimedAt: event.block.timestamp,
      deliverBy,
      commitment: null,
      result: null,
      keyRequestedAt: null,
      keyReleasedAt: null,
    });
    await context.db.update(node, { id: provider }).set((n) => ({ slotsClaimed: n.slotsClaimed + 1 }));
    await adjustCell(context, row.zone, row.tier, event.block.timestamp, { openSlots: -1, busySlots: 1 });
  },
  "JobMarket:JobKeyRequested": async ({ event, context }) => {
    const { jobId, slot: index } = event.args;
    await requireSlot(context, jobId, index);
    await context.db
      .update(slot, { id: slotId(jobId, index) })
      .set({ keyRequestedAt: event.block.timestamp, keyReleasedAt: null });
  },
  "JobMarket:JobKeyReleased": async ({ event, context }) => {
    const { jobId, slot: index } = event.args;
    await requireSlot(context, jobId, index);
    await context.db.update(slot, { id: slotId(jobId, index) }).set({ keyReleasedAt: event.block.timestamp });
  },
  "JobMarket:ResultCommitted": async ({ event, context }) => {
    const { jobId, slot: index, commitment } = event.args;
    await requireSlot(context, jobId, index);
    await context.db.update(slot, { id: slotId(jobId, index) }).set({ status: "Committed", commitment });
  },
  "JobMarket:RevealOpened": async ({ event, context }) => {
    await requireJob(context, event.args.jobId);
    await context.db
      .update(job, { id: event.args.jobId })
      .set({ revealEndsAt: event.args.revealEndsAt, updatedAt: event.block.timestamp });
  },
  "JobMarket:ResultRevealed": async ({ event, context }) => {
    const { jobId, slot: index, provider, result: value } = event.args;
    const row = await requireJob(context, jobId);
    const before = await requireSlot(context, jobId, index);
    await context.db.insert(result).values({
      id: event.id,
      jobId,
      slot: Number(index),
      provider,
      result: value,
      status: "Revealed",
      ...stamp(event),
    });
    await context.db.update(slot, { id: before.id }).set({ status: "Revealed", result: value, resultId: event.id });
    await context.db.update(node, { id: provider }).set((n) => ({ slotsDelivered: n.slotsDelivered + 1 }));
    if (before.status === "Claimed" || before.status === "Committed") {
      await adjustCell(context, row.zone, row.tier, event.block.timestamp, { busySlots: -1 });
    }
  },
  "JobMarket:SlotMissed": async ({ event, context }) => {
    const { jobId, slot: index, provider, reopened } = event.args;
    const row = await requireJob(context, jobId);
    const before = await requireSlot(context, jobId, index);
    await context.db.update(slot, { id: before.id }).set({
      status: reopened ? "Open" : "Missed",
      misses: before.misses + 1,
      ...(reopened
        ? {
            claimedAt: null,
            deliverBy: null,
            commitment: null,
            collateral: null,
            keyRequestedAt: null,
            keyReleasedAt: null,
          }
        : {}),
    });
    if (provider !== "0x0000000000000000000000000000000000000000") {
      await context.db.update(node, { id: provider }).set((n) => ({ slotsMissed: n.slotsMissed + 1 }));
    }
    const wasBusy = before.status === "Claimed" || before.status === "Committed";
    const wasOpen = before.status === "Open";
    await adjustCell(context, row.zone, row.tier, event.block.timestamp, {
      busySlots: wasBusy ? -1 : 0,
      openSlots: (reopened ? 1 : 0) - (wasOpen ? 1 : 0),
    });
  },
  "JobMarket:ResultRejected": async ({ event, context }) => {
    const { jobId, slot: index } = event.args;
    const current = await requireSlot(context, jobId, index);
    if (!current.resultId) return;
    // A result rejected after it was accepted (an upheld dispute or failed audit) was overturned.
    const delivered = await context.db.find(result, { id: current.resultId });
    await context.db
      .update(result, { id: current.resultId })
      .set({ status: delivered?.status === "Accepted" ? "Overturned" : "Rejected" });
  },
  "JobMarket:JobVerified": async ({ event, context }) => {
    const { jobId, acceptedSlots, challengeEndsAt } = event.args;
    const row = await requireJob(context, jobId);
    if (row.status === "Disputed") {
      // An auditor's claim was rejected: the job is back in a fresh challenge window, its results as they were.
      await context.db
        .update(job, { id: jobId })
        .set({ status: "Verified", challengeEndsAt, updatedAt: event.block.timestamp });
      return;
    }
    await releaseSlots(context, row, event.block.timestamp);
    await acceptResults(context, row, acceptedSlots);
    await context.db.update(job, { id: jobId }).set({
      status: "Verified",
      acceptedSlots,
      challengeEndsAt,
      // A non-ZK job is drawn for audit from the hash of the block after its verification.
      auditSeedBlock: row.mode === "ZK" ? null : event.block.number + 1n,
      verifiedAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    });
  },
  "JobMarket:DisputeStarted": async ({ event, context }) => {
    await requireJob(context, event.args.jobId);
    await context.db
      .update(job, { id: event.args.jobId })
      .set({ status: "Disputed", updatedAt: event.block.timestamp });
  },
  "JobMarket:ProviderPaid": async ({ event, context }) => {
    const { jobId, slot: index, provider, providerAmount, modelCreatorAmount, treasuryAmount } = event.args;
    const row = await requireJob(context, jobId);
    await context.db.insert(payout).values({
      id: event.id,
      jobId,
      slot: Number(index),
      provider,
      providerAmount,
      modelCreatorAmount,
      treasuryAmount,
      ...stamp(event),
    });
    await context.db.update(node, { id: provider }).set((n) => ({ earned: n.earned + providerAmount }));
    // A paid result is accepted, including a dissenter's or a split's that a committee confirmed.
    await acceptResults(context, row, 1 << Number(index));
    await adjustCell(context, row.zone, row.tier, event.block.timestamp, { paidToProviders: providerAmount });
  },
  "JobMarket:JobSettled": async ({ event, context }) => {
    const { jobId, paid, refund } = event.args;
    const row = await requireJob(context, jobId);
    await context.db.update(job, { id: jobId }).set({
      status: "Settled",
      paid,
      refund,
      closedAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    });
    await adjustCell(context, row.zone, row.tier, event.block.timestamp, { activeJobs: -1, jobsSettled: 1 });
  },
  "JobMarket:JobRefunded": async ({ event, context }) => {
    const { jobId, refund } = event.args;
    const row = await requireJob(context, jobId);
    await releaseSlots(context, row, event.block.timestamp);
    await context.db.update(job, { id: jobId }).set({
      status: "Refunded",
      refund,
      closedAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    });
    await adjustCell(context, row.zone, row.tier, event.block.timestamp, { activeJobs: -1, jobsRefunded: 1 });
  },
};

import { node, slashing, stakeChange, unbonding } from "ponder:schema";
import type { Address } from "viem";

import { type Handlers, type Store, stamp } from "../lib/handler";
import { ensureNode } from "../lib/nodes";

type StakeKind = (typeof stakeChange.$inferInsert)["kind"];

/** Records a change of `address`'s stake with the balances after it. */
async function recordChange(
  context: Store,
  address: Address,
  kind: StakeKind,
  amount: bigint,
  jobId: bigint | null,
  event: { id: string; block: { timestamp: bigint }; transaction: { hash: `0x${string}` } },
) {
  const current = await context.db.find(node, { id: address });
  if (current === null) throw new Error(`stake change of unknown node ${address}`);
  await context.db.insert(stakeChange).values({
    id: event.id,
    node: address,
    kind,
    amount,
    staked: current.staked,
    locked: current.locked,
    unbonding: current.unbonding,
    jobId,
    ...stamp(event),
  });
}

/** Pending unbonding ids of a node, oldest first (the staking contract's queue order). */
async function pendingUnbondings(context: Store, address: Address) {
  const rows = await context.db.sql.query.unbonding.findMany({
    where: (table, { and, eq }) => and(eq(table.node, address), eq(table.status, "Pending")),
    orderBy: (table, { asc }) => asc(table.id),
  });
  return rows;
}

/**
 * Stakes, collateral, unbonding and slashes. Balances follow the staking contract exactly: a slash consumes one job's
 * locked collateral (the event's `collateral`), of which it takes `amount` and frees the rest; free and unbonding
 * stake are never touched.
 */
export const stakingHandlers: Handlers = {
  "Staking:Staked": async ({ event, context, jobId }) => {
    const { node: address, amount, total } = event.args;
    await ensureNode(context, address, event.block.timestamp);
    await context.db.update(node, { id: address }).set({ staked: total, updatedAt: event.block.timestamp });
    await recordChange(context, address, "Staked", amount, jobId, event);
  },
  "Staking:UnbondingRequested": async ({ event, context, jobId }) => {
    const { node: address, amount, releaseAt, remainingStake } = event.args;
    await context.db.update(node, { id: address }).set((row) => ({
      staked: remainingStake,
      unbonding: row.unbonding + amount,
      updatedAt: event.block.timestamp,
    }));
    await context.db.insert(unbonding).values({
      id: event.id,
      node: address,
      amount,
      remaining: amount,
      releaseAt,
      status: "Pending",
      requestedAt: event.block.timestamp,
    });
    await recordChange(context, address, "UnbondingRequested", amount, jobId, event);
  },
  "Staking:Withdrawn": async ({ event, context, jobId }) => {
    const { node: address, amount } = event.args;
    await context.db.update(node, { id: address }).set((row) => ({
      unbonding: row.unbonding - amount,
      withdrawn: row.withdrawn + amount,
      updatedAt: event.block.timestamp,
    }));
    // A withdrawal takes every request whose release time has come.
    for (const request of await pendingUnbondings(context, address)) {
      if (request.releaseAt <= event.block.timestamp) {
        await context.db
          .update(unbonding, { id: request.id })
          .set({ status: "Withdrawn", closedAt: event.block.timestamp });
      }
    }
    await recordChange(context, address, "Withdrawn", amount, jobId, event);
  },
  "Staking:CollateralLocked": async ({ event, context, jobId }) => {
    const { node: address, amount, totalLocked } = event.args;
    await context.db.update(node, { id: address }).set({ locked: totalLocked, updatedAt: event.block.timestamp });
    await recordChange(context, address, "CollateralLocked", amount, jobId, event);
  },
  "Staking:CollateralUnlocked": async ({ event, context, jobId }) => {
    const { node: address, amount, totalLocked } = event.args;
    await context.db.update(node, { id: address }).set({ locked: totalLocked, updatedAt: event.block.timestamp });
    await recordChange(context, address, "CollateralUnlocked", amount, jobId, event);
  },
  "Staking:CollateralForfeited": async ({ event, context, jobId }) => {
    const { node: address, amount } = event.args;
    const before = await ensureNode(context, address, event.block.timestamp);
    await context.db.update(node, { id: address }).set({
      staked: before.staked - amount,
      locked: before.locked - amount,
      slashed: before.slashed + amount,
      updatedAt: event.block.timestamp,
    });
    await recordChange(context, address, "CollateralForfeited", amount, jobId, event);
  },
  "Staking:Slashed": async ({ event, context, jobId }) => {
    const { node: address, reason, prover, amount, collateral, bounty, offence } = event.args;
    const before = await ensureNode(context, address, event.block.timestamp);
    await context.db.update(node, { id: address }).set({
      staked: before.staked - amount,
      locked: before.locked - collateral,
      slashed: before.slashed + amount,
      slashCount: before.slashCount + 1,
      updatedAt: event.block.timestamp,
    });
    await context.db.insert(slashing).values({
      id: event.id,
      node: address,
      reason,
      prover,
      amount,
      collateral,
      bounty,
      offence: Number(offence),
      jobId,
      ...stamp(event),
    });
    await recordChange(context, address, "Slashed", amount, jobId, event);
  },
};

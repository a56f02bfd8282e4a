import { node, reputationUpdate } from "ponder:schema";

import { type Handlers, enumName, stamp } from "../lib/handler";
import { ensureNode } from "../lib/nodes";

const OUTCOMES = ["Completed", "Missed", "Faulty"] as const;

/** Every reputation update, and each provider's current scores. */
export const reputationHandlers: Handlers = {
  "Reputation:ReputationUpdated": async ({ event, context, jobId }) => {
    const { provider, outcome, reliability, accuracy, speed, composite, jobRef } = event.args;
    await context.db.insert(reputationUpdate).values({
      id: event.id,
      provider,
      outcome: enumName(OUTCOMES, outcome, "reputation outcome"),
      reliability,
      accuracy,
      speed,
      composite,
      jobRef,
      jobId,
      blockNumber: event.block.number,
      ...stamp(event),
    });
    await ensureNode(context, provider, event.block.timestamp);
    await context.db.update(node, { id: provider }).set((row) => ({
      reliability,
      accuracy,
      speed,
      composite,
      reputationUpdates: row.reputationUpdates + 1,
      reputationAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    }));
  },
};

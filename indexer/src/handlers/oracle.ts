import { oracleFeed, oracleReport, oracleRound } from "ponder:schema";

import type { Handlers } from "../lib/handler";

function roundKey(feedId: string, roundId: bigint): string {
  return `${feedId}-${roundId}`;
}

/** An oracle reports once a round (the hub refuses a second report). */
function reportKey(feedId: string, roundId: bigint, oracle: string): string {
  return `${roundKey(feedId, roundId)}-${oracle.toLowerCase()}`;
}

/** Oracle feeds, their rounds and every report, with the penalties of those too far from the median. */
export const oracleHandlers: Handlers = {
  "OracleHub:FeedAdded": async ({ event, context }) => {
    await context.db
      .insert(oracleFeed)
      .values({ id: event.args.feedId, description: event.args.description, maxAge: event.args.maxAge });
  },
  "OracleHub:FeedMaxAgeSet": async ({ event, context }) => {
    await context.db.update(oracleFeed, { id: event.args.feedId }).set({ maxAge: event.args.maxAge });
  },
  "OracleHub:Reported": async ({ event, context }) => {
    const { feedId, roundId, oracle, value } = event.args;
    const id = roundKey(feedId, roundId);
    await context.db
      .insert(oracleRound)
      .values({ id, feedId, roundId, status: "Open", reports: 1, openedAt: event.block.timestamp })
      .onConflictDoUpdate((row) => ({ reports: row.reports + 1 }));
    await context.db.insert(oracleReport).values({
      id: reportKey(feedId, roundId, oracle),
      roundId: id,
      oracle,
      value,
      timestamp: event.block.timestamp,
      penalized: false,
      slashed: 0n,
    });
  },
  "OracleHub:RoundFinalized": async ({ event, context }) => {
    const { feedId, roundId, answer, reports } = event.args;
    await context.db.update(oracleRound, { id: roundKey(feedId, roundId) }).set({
      status: "Finalized",
      answer,
      reports: Number(reports),
      closedAt: event.block.timestamp,
    });
    await context.db
      .update(oracleFeed, { id: feedId })
      .set({ latestRound: roundId, latestAnswer: answer, updatedAt: event.block.timestamp });
  },
  "OracleHub:ReportPenalized": async ({ event, context }) => {
    const { feedId, roundId, oracle, amount } = event.args;
    await context.db
      .update(oracleReport, { id: reportKey(feedId, roundId, oracle) })
      .set({ penalized: true, slashed: amount });
  },
  "OracleHub:RoundDiscarded": async ({ event, context }) => {
    const { feedId, roundId, reports } = event.args;
    await context.db
      .update(oracleRound, { id: roundKey(feedId, roundId) })
      .set({ status: "Discarded", reports: Number(reports), closedAt: event.block.timestamp });
  },
};

/**
 * Bugs once planted in the contracts that every other test missed, each with the boundary specification written
 * to catch it. `npm run bench:mutation -- --planted` plants each again and checks that its specification fails;
 * test/boundaries/PlantedBugs.ts checks, on every run, that each bug's line is still in its contract and each
 * specification still exists, so that neither can be dropped unnoticed.
 */
export interface PlantedBug {
  readonly contract: string;
  /** The line as it is, trimmed. */
  readonly line: string;
  /** The line with the bug, trimmed. */
  readonly planted: string;
  readonly specification: { readonly file: string; readonly title: string };
}

export const PLANTED_BUGS: readonly PlantedBug[] = [
  {
    contract: "contracts/market/JobMarket.sol",
    line: "if (now_ >= deadline) revert MarketClaimTooLate(jobId, _wall($, deadline));",
    planted: "if (now_ > deadline) revert MarketClaimTooLate(jobId, _wall($, deadline));",
    specification: { file: "test/boundaries/MarketBoundaries.ts", title: "refuses a claim at the deadline" },
  },
  {
    contract: "contracts/market/JobMarket.sol",
    line: "if (_now($) <= challengeEndsAt) revert MarketChallengeWindowOpen(jobId, _wall($, challengeEndsAt));",
    planted: "if (_now($) < challengeEndsAt) revert MarketChallengeWindowOpen(jobId, _wall($, challengeEndsAt));",
    specification: { file: "test/boundaries/MarketBoundaries.ts", title: "refuses to finalize at challengeEndsAt" },
  },
  {
    contract: "contracts/market/JobMarket.sol",
    line: "if (now_ <= s.deliverBy) revert MarketSlotNotExpired(jobId, slot);",
    planted: "if (now_ < s.deliverBy) revert MarketSlotNotExpired(jobId, slot);",
    specification: {
      file: "test/boundaries/MarketBoundaries.ts",
      title: "cannot expire (or slash) the slot at deliverBy, while delivery is still allowed",
    },
  },
  {
    contract: "contracts/staking/Staking.sol",
    line: "if (entry.releaseAt <= block.timestamp) {",
    planted: "if (entry.releaseAt < block.timestamp) {",
    specification: { file: "test/boundaries/StakingBoundaries.ts", title: "is withdrawable at releaseAt" },
  },
  {
    contract: "contracts/bridge/BridgeGateway.sol",
    line: "if (count == 0 || count > MAX_VALIDATORS || threshold_ * 2 <= count || threshold_ > count) {",
    planted: "if (count == 0 || count > MAX_VALIDATORS || threshold_ * 2 < count || threshold_ > count) {",
    specification: {
      file: "test/boundaries/BridgeBoundaries.ts",
      title: "refuses a threshold of exactly half, and accepts one more",
    },
  },
  {
    contract: "contracts/bridge/BridgeGateway.sol",
    line: "if (used + amount > max) revert BridgeRateLimited(outgoing, amount, max > used ? max - used : 0);",
    planted: "if (used + amount >= max) revert BridgeRateLimited(outgoing, amount, max > used ? max - used : 0);",
    specification: { file: "test/boundaries/BridgeBoundaries.ts", title: "sends exactly the remaining allowance" },
  },
];

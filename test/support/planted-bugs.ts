/**
 * Bugs once planted in the contracts that a test missed, each with the specification written to catch it: a
 * boundary specification (a Mocha test, named by its title) or an invariant of a Solidity test (named by its
 * function). `npm run bench:mutation -- --planted` plants each again and checks that its specification fails;
 * test/boundaries/PlantedBugs.ts checks, on every run, that each bug's line is still in its contract and each
 * specification still exists, so that neither can be dropped unnoticed.
 */
export interface PlantedBug {
  readonly contract: string;
  /** The line as it is, trimmed. */
  readonly line: string;
  /** The line with the bug, trimmed. */
  readonly planted: string;
  /** A Mocha file and a test's title, or a Solidity test file (`.t.sol`) and a test function's name. */
  readonly specification: { readonly file: string; readonly title: string };
}

export const PLANTED_BUGS: readonly PlantedBug[] = [
  {
    contract: "contracts/market/Claims.sol",
    line: "if (claimant.now_ >= deadline) {",
    planted: "if (claimant.now_ > deadline) {",
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
  // The JobMarket invariants, each against a bug they once missed.
  {
    contract: "contracts/market/Settlement.sol",
    line: "$.staking.slashCollateral(provider, collateralOf(job), reason, prover, reason == SLASH_DISPUTE);",
    planted: "$.staking.slashCollateral(provider, 0, reason, prover, reason == SLASH_DISPUTE);",
    specification: {
      file: "test/market/JobMarket.invariant.t.sol",
      title: "invariant_EveryCheckedCallEndsAsPredicted",
    },
  },
  {
    contract: "contracts/market/JobMarket.sol",
    line: "if (now_ <= s.deliverBy) revert MarketSlotNotExpired(jobId, slot);",
    planted: "if (now_ < s.deliverBy) revert MarketSlotNotExpired(jobId, slot);",
    specification: {
      file: "test/market/JobMarket.invariant.t.sol",
      title: "invariant_EveryCheckedCallEndsAsPredicted",
    },
  },
  {
    contract: "contracts/market/JobMarket.sol",
    line: "if (_now($) <= challengeEndsAt) revert MarketChallengeWindowOpen(jobId, _wall($, challengeEndsAt));",
    planted: "if (_now($) < challengeEndsAt) revert MarketChallengeWindowOpen(jobId, _wall($, challengeEndsAt));",
    specification: {
      file: "test/market/JobMarket.invariant.t.sol",
      title: "invariant_EveryCheckedCallEndsAsPredicted",
    },
  },
  {
    contract: "contracts/market/Settlement.sol",
    line: "$.staking.unlockCollateral(s.provider, collateralOf(job));",
    planted: "// a split keeps every revealer's collateral locked",
    // Random sequences seldom settle a three-way split: the scripted one checks the locked-collateral invariant.
    specification: { file: "test/market/JobMarket.invariant.t.sol", title: "test_HandlerSettlesAThreeWaySplit" },
  },
  {
    contract: "contracts/market/Settlement.sol",
    line: "uint256 toProvider = (share * (uint256(split.providerBps) + split.gasSubsidyBps)) / _BPS;",
    planted: "uint256 toProvider = (share * uint256(split.providerBps)) / _BPS;",
    specification: {
      file: "test/market/JobMarket.invariant.t.sol",
      title: "invariant_SettlementsPayExactlyTheFeeSplit",
    },
  },
];

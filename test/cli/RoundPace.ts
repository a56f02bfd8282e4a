import { expect } from "chai";

import {
  MAX_PROOF_WEIGHT,
  WorkWeights,
  estimatedRoundSeconds,
  fitsWindows,
} from "../../scripts/lib/provider/round-pace.js";

describe("a provider's pace: no more jobs in hand than its rounds leave time to deliver", () => {
  it("expects a round to take longer in proportion to its jobs, its own overhead counted as one job", () => {
    // The last round took 60 s of chain time for 2 jobs: 20 s a job, overhead included.
    const last = { seconds: 60n, load: 2 };
    expect(estimatedRoundSeconds(last, 2)).to.equal(60n);
    expect(estimatedRoundSeconds(last, 5)).to.equal(120n);
    expect(estimatedRoundSeconds(last, 0)).to.equal(20n);
    // An idle daemon's round is all overhead: one job doubles it.
    expect(estimatedRoundSeconds({ seconds: 20n, load: 0 }, 1)).to.equal(40n);
  });

  it("takes a job only while three such rounds fit in every window in hand, the tightest deciding", () => {
    const last = { seconds: 20n, load: 0 }; // an idle daemon, 20 s a round
    // 600 s to deliver: rounds of 40 s (1 job) up to 200 s (9 jobs) fit three times, 10 jobs (220 s) do not.
    expect(fitsWindows(last, 1, [600n])).to.equal(true);
    expect(fitsWindows(last, 9, [600n, 600n])).to.equal(true);
    expect(fitsWindows(last, 10, [600n, 600n])).to.equal(false);
    // A Consensus commitment in hand with 300 s to reveal: at most 4 jobs (100 s rounds) while it waits.
    expect(fitsWindows(last, 4, [300n, 600n])).to.equal(true);
    expect(fitsWindows(last, 5, [300n, 600n])).to.equal(false);
  });

  it("takes nothing while even its last round, with the jobs it held then, was too slow", () => {
    expect(fitsWindows({ seconds: 250n, load: 1 }, 1, [600n])).to.equal(false);
    expect(fitsWindows({ seconds: 200n, load: 1 }, 1, [600n])).to.equal(true);
  });

  it("counts a proved job as the times its deliveries took over the others', once both were timed", () => {
    const weights = new WorkWeights();
    expect(weights.weightOf("proof"), "nothing timed yet").to.equal(1);
    weights.record("proof", 4_000);
    expect(weights.weightOf("proof"), "no other delivery timed yet").to.equal(1);
    weights.record("other", 500);
    expect(weights.weightOf("proof")).to.equal(8);
    expect(weights.weightOf("other")).to.equal(1);
    // A running mean: a new sample moves it by a quarter of the difference (other: 500 -> 625), rounded up.
    weights.record("other", 1_000);
    expect(weights.weightOf("proof")).to.equal(7);
    // Never below one job, never above the cap; a nonsense time is ignored.
    weights.record("other", 1e9);
    expect(weights.weightOf("proof")).to.equal(1);
    const slowProofs = new WorkWeights();
    slowProofs.record("other", 10);
    slowProofs.record("proof", 60_000);
    slowProofs.record("proof", Number.NaN);
    slowProofs.record("proof", -5);
    expect(slowProofs.weightOf("proof")).to.equal(MAX_PROOF_WEIGHT);
  });

  it("leaves no room beside two slow proofs for a job with a 600 s window", () => {
    // The last round took 40 s for one job; a proof has taken eight times a computation.
    const last = { seconds: 40n, load: 1 };
    const weights = new WorkWeights();
    weights.record("other", 500);
    weights.record("proof", 4_000);
    const proof = weights.weightOf("proof");
    // Counted as jobs, two proofs and a TEE job seemed to fit (80 s rounds); weighed, the round would take 360 s.
    expect(fitsWindows(last, 3, [600n, 600n, 600n])).to.equal(true);
    expect(fitsWindows(last, 2 * proof + 1, [600n, 600n, 600n])).to.equal(false);
    expect(fitsWindows(last, proof + 1, [600n, 600n])).to.equal(true);
  });
});

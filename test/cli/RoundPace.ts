import { expect } from "chai";

import { estimatedRoundSeconds, fitsWindows } from "../../scripts/lib/provider/round-pace.js";

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
});

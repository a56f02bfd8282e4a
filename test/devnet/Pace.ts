import { expect } from "chai";

import { busyPace } from "../../scripts/lib/devnet/devnet.js";

describe("the devnet's busy pace: jobs ended per minute between a tenth and nine tenths of the run's jobs", () => {
  it("counts the jobs ended between the first progress line past a tenth and the first past nine tenths", () => {
    // 100 jobs: a slow start, 80 jobs over the minute from second 20 to second 80, a long tail.
    const endings = [
      { seconds: 10, ended: 2 },
      { seconds: 20, ended: 10 },
      { seconds: 50, ended: 50 },
      { seconds: 80, ended: 90 },
      { seconds: 400, ended: 100 },
    ];
    expect(busyPace(endings, 100)).to.equal(80);
  });

  it("is undefined when the run ended too few jobs, or too fast, to tell", () => {
    expect(busyPace([], 0)).to.equal(undefined);
    expect(busyPace([{ seconds: 5, ended: 3 }], 10)).to.equal(undefined);
    expect(
      busyPace(
        [
          { seconds: 1, ended: 1 },
          { seconds: 5, ended: 9 },
        ],
        10,
      ),
    ).to.equal(undefined);
  });
});

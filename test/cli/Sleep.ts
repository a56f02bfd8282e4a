import { getEventListeners } from "node:events";

import { expect } from "chai";

import { sleep } from "../../scripts/lib/sleep.js";

describe("the pause between rounds (sleep)", () => {
  it("leaves no listener on the signal once it has waited", async () => {
    const stop = new AbortController();
    for (let i = 0; i < 50; i++) await sleep(1, stop.signal);
    expect(getEventListeners(stop.signal, "abort")).to.have.length(0);
  });

  it("ends when the signal aborts, or at once if it has (an hour's wait that did not would time the test out)", async () => {
    const stop = new AbortController();
    const waiting = sleep(3_600_000, stop.signal);
    stop.abort();
    await waiting;
    await sleep(3_600_000, stop.signal);
    expect(getEventListeners(stop.signal, "abort")).to.have.length(0);
  });
});

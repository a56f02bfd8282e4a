import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";
import { keccak256, toHex, zeroAddress, zeroHash } from "viem";

import type { ProtocolClient } from "../../scripts/lib/client.js";
import { JobBook, type TrackedJob } from "../../scripts/lib/devnet/actors.js";

/**
 * A client whose chain is a clock and a lens that echoes the jobs asked for; it counts what it was asked, and fails
 * the next clock read when told to.
 */
function fakeClient() {
  const asked = { clock: 0, views: [] as bigint[][] };
  let failNext = false;
  const client = {
    deployment: { chainId: 31337, contracts: { JobMarketLens: { address: zeroAddress } } },
    publicClient: {
      getBlock: async () => {
        asked.clock++;
        if (failNext) {
          failNext = false;
          throw new Error("the node went away");
        }
        return { timestamp: 1_000n + BigInt(asked.clock) };
      },
      readContract: async ({ args }: { args: readonly [readonly bigint[]] }) => {
        asked.views.push([...args[0]]);
        return args[0].map((jobId) => ({ jobId, job: { status: 0 }, slots: [] }));
      },
    },
  };
  return { client: client as unknown as ProtocolClient, asked, failNextRead: () => (failNext = true) };
}

const tracked = (jobId: bigint): TrackedJob => ({
  jobId,
  mode: 0,
  commitments: { specHash: keccak256(toHex(`job ${jobId}`)), modelCommitment: zeroHash, inputCommitment: zeroHash },
  reviewed: false,
  ended: false,
});

describe("the devnet's job book: one read of the followed jobs shared by the simulated requesters and validators", () => {
  it("answers every actor that asks within a quarter second from one read, the clock read before the views", async () => {
    const { client, asked } = fakeClient();
    const book = new JobBook();
    book.add(tracked(1n));
    book.add(tracked(2n));
    const [first, second] = await Promise.all([book.snapshot(client), book.snapshot(client)]);
    const third = await book.snapshot(client);
    expect(second).to.equal(first);
    expect(third).to.equal(first);
    expect(asked).to.deep.equal({ clock: 1, views: [[1n, 2n]] });
    expect(first.now).to.equal(1_001n);
    expect([...first.views.keys()]).to.deep.equal([1n, 2n]);
  });

  it("reads again once the last read is older than that, with the jobs added meanwhile and without those ended", async () => {
    const { client, asked } = fakeClient();
    const book = new JobBook();
    book.add(tracked(1n));
    book.add(tracked(2n));
    const before = await book.snapshot(client);
    book.add(tracked(3n));
    book.jobs.get(1n)!.ended = true;
    expect([...(await book.snapshot(client)).views.keys()], "a job added since the read is not in it").to.deep.equal([
      1n,
      2n,
    ]);
    await sleep(300);
    const after = await book.snapshot(client);
    expect(after).to.not.equal(before);
    expect([...after.views.keys()]).to.deep.equal([2n, 3n]);
    expect(asked.views).to.deep.equal([
      [1n, 2n],
      [2n, 3n],
    ]);
  });

  it("keeps no failed read: the next actor to ask reads again", async () => {
    const { client, asked, failNextRead } = fakeClient();
    const book = new JobBook();
    book.add(tracked(1n));
    failNextRead();
    await book.snapshot(client).then(
      () => expect.fail("the read should have failed"),
      (error: Error) => expect(error.message).to.equal("the node went away"),
    );
    const snapshot = await book.snapshot(client);
    expect([...snapshot.views.keys()]).to.deep.equal([1n]);
    expect(asked.clock).to.equal(2);
  });
});

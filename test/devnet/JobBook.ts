import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";
import { keccak256, toHex, zeroAddress, zeroHash } from "viem";

import type { ProtocolClient } from "../../scripts/lib/client.js";
import { JobBook, type TrackedJob } from "../../scripts/lib/devnet/actors.js";

/**
 * A client whose chain is a block (its time one second later at each read), a market whose clock lags it by
 * `lag` seconds and whose events are those given to `log`, and a lens that echoes the jobs asked for; it counts
 * what it was asked, and fails the next block read when told to.
 */
function fakeClient() {
  const asked = { clock: 0, views: [] as bigint[][], events: [] as [bigint, bigint][] };
  const chain = { lag: 0n, events: [] as { blockNumber: bigint; args: { jobId?: bigint } }[] };
  let failNext = false;
  const client = {
    deployment: { chainId: 31337, contracts: { JobMarketLens: { address: zeroAddress } } },
    jobMarket: {
      address: zeroAddress,
      abi: [],
      read: { clock: async ({ blockNumber }: { blockNumber: bigint }) => 1_000n + blockNumber - chain.lag },
    },
    publicClient: {
      getBlock: async () => {
        asked.clock++;
        if (failNext) {
          failNext = false;
          throw new Error("the node went away");
        }
        return { number: BigInt(asked.clock), timestamp: 1_000n + BigInt(asked.clock) };
      },
      getContractEvents: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) => {
        asked.events.push([fromBlock, toBlock]);
        return chain.events.filter((event) => event.blockNumber >= fromBlock && event.blockNumber <= toBlock);
      },
      readContract: async ({ args }: { args: readonly [readonly bigint[]] }) => {
        asked.views.push([...args[0]]);
        return args[0].map((jobId) => ({ jobId, job: { status: 0 }, slots: [] }));
      },
    },
  };
  return {
    client: client as unknown as ProtocolClient,
    asked,
    failNextRead: () => (failNext = true),
    /** Logs an event about `jobId` (or about no job) in the block the next read will see. */
    log: (jobId?: bigint) =>
      chain.events.push({ blockNumber: BigInt(asked.clock + 1), args: jobId === undefined ? {} : { jobId } }),
    setLag: (lag: bigint) => (chain.lag = lag),
  };
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
    expect(asked).to.deep.equal({ clock: 1, views: [[1n, 2n]], events: [] });
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
    expect(asked.views, "job 2, unchanged, is not read again").to.deep.equal([[1n, 2n], [3n]]);
    expect(after.views.get(2n)).to.equal(before.views.get(2n));
  });

  it("reads again only the jobs the market logged an event about since the last read", async () => {
    const { client, asked, log } = fakeClient();
    const book = new JobBook();
    for (const id of [1n, 2n, 3n]) book.add(tracked(id));
    await book.snapshot(client);
    log(2n);
    log(); // An event about no job (the market's parameters, say) changes no view.
    log(7n); // A job the book does not follow.
    await sleep(300);
    const after = await book.snapshot(client);
    expect([...after.views.keys()]).to.deep.equal([1n, 2n, 3n]);
    expect(asked.views).to.deep.equal([[1n, 2n, 3n], [2n]]);
    expect(asked.events, "the events of the blocks after the last read's").to.deep.equal([[2n, 2n]]);
  });

  it("reads every job again when the market's clock stopped or resumed (its lag behind the chain's changed)", async () => {
    const { client, asked, setLag } = fakeClient();
    const book = new JobBook();
    for (const id of [1n, 2n]) book.add(tracked(id));
    await book.snapshot(client);
    setLag(30n);
    await sleep(300);
    await book.snapshot(client);
    expect(asked.views).to.deep.equal([
      [1n, 2n],
      [1n, 2n],
    ]);
  });

  it("reads every job again at least every two seconds, changed or not", async () => {
    const { client, asked } = fakeClient();
    const book = new JobBook();
    for (const id of [1n, 2n]) book.add(tracked(id));
    await book.snapshot(client);
    await sleep(300);
    await book.snapshot(client);
    expect(asked.views, "nothing changed: nothing read").to.deep.equal([[1n, 2n]]);
    await sleep(2_000);
    await book.snapshot(client);
    expect(asked.views).to.deep.equal([
      [1n, 2n],
      [1n, 2n],
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

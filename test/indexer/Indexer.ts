import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";
import { zoneId } from "@starminer/sdk";

import { type DeploymentManifest, readManifest } from "../../scripts/lib/manifest.js";
import { type ChainEvent, chainEvents, comparable } from "../support/chain-events.js";
import {
  type IndexedEvent,
  type RunningIndexer,
  graphql,
  indexedEvents,
  rest,
  startIndexer,
  stopHalfWay,
  waitUntilSynced,
} from "../support/indexer.js";
import { JobStatus, jobSpec } from "../support/market.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { Background, ROOT, TYPESCRIPT, freePort, runNode, waitFor } from "../support/processes.js";
import { type ScenarioOutcome, driveEveryTerminalState } from "../support/scenario.js";

const STATUS_NAMES = Object.fromEntries(Object.entries(JobStatus).map(([name, value]) => [value, name]));
const MARKET_EVENTS_ENDING_A_JOB = new Set(["JobSettled", "JobRefunded", "JobCancelled"]);
const EU_WEST_STANDARD = `/api/prices/eu-west/standard`;

interface CurrentScores {
  reliability: number;
  accuracy: number;
  speed: number;
  composite: number;
  asOfBlock: string;
}

/** Every page of a keyset-paginated list, following `nextCursor` until there is none. */
async function allPages<RowT>(url: string, path: string, rowsOf: (body: never) => RowT[]): Promise<RowT[][]> {
  const pages: RowT[][] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const response: { status: number; body: { nextCursor: string | null } } = await rest(
      url,
      cursor === null ? path : `${path}${separator}cursor=${cursor}`,
    );
    expect(response.status, path).to.equal(200);
    pages.push(rowsOf(response.body as never));
    cursor = response.body.nextCursor;
  } while (cursor !== null);
  return pages;
}

/**
 * The tables a query plan (PostgreSQL's text format) reads whole: a sequential scan, or an index scan with no index
 * condition that is not the ordered read of a `LIMIT`ed page (walking an index end to end costs what a scan does).
 */
function wholeTableReads(plan: string): string[] {
  const lines = plan.split("\n");
  const limited = /^\s*(->\s+)?Limit\b/m.test(plan);
  const tables: string[] = [];
  for (const [index, line] of lines.entries()) {
    const node =
      /^(\s*)(?:->\s+)?(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)?(?: using \w+)? on (\w+)/.exec(
        line,
      );
    if (node === null) continue;
    const depth = node[1]!.length;
    const details: string[] = [];
    for (const detail of lines.slice(index + 1)) {
      if (detail.trim() === "" || detail.length - detail.trimStart().length <= depth) break;
      if (/^\s*->/.test(detail)) break;
      details.push(detail.trim());
    }
    const conditioned = details.some((detail) => detail.startsWith("Index Cond:"));
    const orderedPage = node[2] !== "Seq Scan" && limited && !details.some((detail) => detail.startsWith("Filter:"));
    if (!conditioned && !orderedPage) tables.push(node[3]!);
  }
  return tables;
}

/** The indexer's audit trail and the chain's logs must be the same events, in the same order, with equal values. */
function expectSameEvents(indexed: IndexedEvent[], chain: ChainEvent[]) {
  expect(indexed.length, "number of events").to.equal(chain.length);
  for (const [index, expected] of chain.entries()) {
    const actual = indexed[index]!;
    const where = `event ${index} (${expected.contract}.${expected.event} in ${expected.txHash})`;
    expect(
      {
        blockNumber: BigInt(actual.blockNumber),
        txHash: actual.txHash,
        logIndex: actual.logIndex,
        contract: actual.contract,
        event: actual.event,
      },
      where,
    ).to.deep.equal({
      blockNumber: expected.blockNumber,
      txHash: expected.txHash,
      logIndex: expected.logIndex,
      contract: expected.contract,
      event: expected.event,
    });
    expect(comparable(actual.args), where).to.deep.equal(expected.args);
  }
}

/** The job a chain event names: a `jobId` argument, or the reputation ledger's `jobRef` of a market job. */
function jobOfChainEvent(event: ChainEvent, jobCount: bigint): bigint | undefined {
  const args = event.args as Record<string, string>;
  if (args.jobId !== undefined) return BigInt(args.jobId);
  if (event.event === "ReputationUpdated" && event.contract === "Reputation") {
    const ref = BigInt(args.jobRef!);
    if (ref > 0n && ref <= jobCount) return ref;
  }
  return undefined;
}

/**
 * The job each chain event belongs to in the audit trail: the job it names; else the job its transaction named last
 * before it; else the first one named after it; else none.
 */
function trailJobs(chain: readonly ChainEvent[], jobCount: bigint): Map<ChainEvent, bigint | undefined> {
  const jobs = new Map<ChainEvent, bigint | undefined>();
  const byTransaction = new Map<string, ChainEvent[]>();
  for (const event of chain) byTransaction.set(event.txHash, [...(byTransaction.get(event.txHash) ?? []), event]);
  for (const events of byTransaction.values()) {
    let current: bigint | undefined;
    const waiting: ChainEvent[] = [];
    for (const event of events) {
      const named = jobOfChainEvent(event, jobCount);
      if (named !== undefined && current === undefined) for (const earlier of waiting) jobs.set(earlier, named);
      current = named ?? current;
      jobs.set(event, current);
      if (current === undefined) waiting.push(event);
    }
  }
  return jobs;
}

describe("Indexer (end to end on a local node)", function () {
  this.timeout(900_000);

  let live: LiveMarket;
  let rpcUrl: string;
  let manifestDir: string;
  let manifest: DeploymentManifest;
  let outcome: ScenarioOutcome;
  let indexer: RunningIndexer | undefined;
  let postgres: PostgresServer | undefined;
  // The chain and market of the current chain (a restart replaces them).
  const connection = () => live.connection;
  const market = () => live.market;

  const pgliteDir = () => join(live.workDir, "pglite");
  const startPglite = async (options: { reset?: boolean; schema?: string } = {}) =>
    startIndexer({
      rpcUrl,
      manifestDir,
      port: await freePort(),
      schema: options.schema ?? "starminer",
      database: { pgliteDir: pgliteDir() },
      ...(options.reset === undefined ? {} : { reset: options.reset }),
    });

  before(async () => {
    live = await startLiveMarket("indexer-test");
    ({ rpcUrl, manifestDir } = live);
    manifest = await readManifest(31337, manifestDir);
    outcome = await driveEveryTerminalState(live.connection, live.market);
  });

  after(async () => {
    await indexer?.stop();
    await postgres?.stop();
    await live?.close();
  });

  describe("refusing to start", () => {
    /** Runs the indexer command as a user would. */
    const runIndexer = (env: Record<string, string>) =>
      runNode([...TYPESCRIPT, "scripts/indexer.ts"], { STARMINER_INDEXER_PGLITE_DIR: pgliteDir(), ...env });

    it("says in one line that the chain cannot be reached", async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const { code, stderr } = await runIndexer({ STARMINER_RPC_URL: closed, STARMINER_MANIFEST_DIR: manifestDir });
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal(
        `indexer: cannot reach the chain at ${closed}: is its node running and STARMINER_RPC_URL right?`,
      );
    });

    it("says in one line that its port is taken, rather than moving to another", async () => {
      const port = await freePort();
      const taken = createServer().listen(port, "127.0.0.1");
      await new Promise((listening) => taken.once("listening", listening));
      try {
        const { code, stderr } = await runNode([...TYPESCRIPT, "scripts/indexer.ts", "--port", String(port)], {
          STARMINER_INDEXER_PGLITE_DIR: pgliteDir(),
          STARMINER_RPC_URL: rpcUrl,
          STARMINER_MANIFEST_DIR: manifestDir,
        });
        expect(code).to.equal(1);
        expect(stderr.trim()).to.equal(`indexer: port ${port} on 127.0.0.1 is in use`);
      } finally {
        taken.close();
      }
    });

    it("says in one line that the chain has no deployment manifest", async () => {
      const empty = join(live.workDir, "no-manifests");
      const { code, stderr } = await runIndexer({ STARMINER_RPC_URL: rpcUrl, STARMINER_MANIFEST_DIR: empty });
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal(
        `indexer: no deployment manifest for chain 31337 at ${join(empty, "31337.json")}: deploy the protocol first`,
      );
    });
  });

  describe("on the embedded database", () => {
    before(async () => {
      indexer = await startPglite();
      await waitUntilSynced(indexer.url, rpcUrl);
    });

    it("holds every event of every protocol contract, in chain order, with the chain's values", async () => {
      const chain = await chainEvents(rpcUrl, manifest);
      const names = new Set(chain.map((event) => `${event.contract}.${event.event}`));
      // The scenario reaches every part of the protocol the indexer models.
      for (const name of [
        "JobMarket.JobCancelled",
        "JobMarket.SlotMissed",
        "JobMarket.ResultRejected",
        "JobMarket.FeesSwept",
        "VerificationHub.AuditPassed",
        "VerificationHub.DisputeResolved",
        "Staking.Slashed",
        "Staking.Withdrawn",
        "Reputation.ReputationUpdated",
        "PricingEngine.PriceUpdated",
      ]) {
        expect(names, name).to.include(name);
      }
      expectSameEvents(await indexedEvents(indexer!.url), chain);
    });

    it("ends every job in the status the chain has, with its slots as the market stores them", async () => {
      const { jobMarket } = market();
      for (const [jobId, status] of outcome.expected) {
        expect(Number((await jobMarket.jobOf(jobId)).status), `chain status of job ${jobId}`).to.equal(status);
        const { body } = await graphql<{
          job: {
            status: string;
            slots: {
              items: {
                index: number;
                status: string;
                provider: string | null;
                keyRequestedAt: string | null;
                keyReleasedAt: string | null;
              }[];
            };
          };
        }>(
          indexer!.url,
          `
            query ($id: BigInt!) {
              job(id: $id) {
                status
                slots(orderBy: "index") {
                  items {
                    index
                    status
                    provider
                    keyRequestedAt
                    keyReleasedAt
                  }
                }
              }
            }
          `,
          {
            id: jobId.toString(),
          },
        );
        expect(body.data?.job.status, JSON.stringify(body.errors)).to.equal(STATUS_NAMES[status]);
        const slots = await jobMarket.slotsOf(jobId);
        const statuses = ["Open", "Claimed", "Committed", "Revealed", "Missed"];
        const exchanges = await Promise.all(slots.map((_, index) => jobMarket.keyExchangeOf(jobId, index)));
        expect(
          body.data!.job.slots.items.map((slot) => [
            slot.status,
            slot.provider,
            slot.keyRequestedAt !== null,
            slot.keyReleasedAt !== null,
          ]),
        ).to.deep.equal(
          slots.map((slot, index) => [
            statuses[Number(slot.status)],
            slot.provider === "0x0000000000000000000000000000000000000000" ? null : slot.provider.toLowerCase(),
            exchanges[index]!.requestedBy === slot.provider &&
              slot.provider !== "0x0000000000000000000000000000000000000000",
            exchanges[index]!.requestedBy === slot.provider && exchanges[index]!.released,
          ]),
        );
      }
    });

    it("gives each job's complete audit trail: every event tied to it, its own only from a batch", async () => {
      const chain = await chainEvents(rpcUrl, manifest);
      const jobs = trailJobs(chain, await market().jobMarket.jobCount());
      // The scenario settles two jobs (and skips a third) in one transaction.
      const batches = new Set(chain.filter((event) => event.event === "FinalizeSkipped").map((event) => event.txHash));
      expect(batches.size).to.equal(1);
      for (const jobId of outcome.expected.keys()) {
        const expected = chain.filter((event) => jobs.get(event) === jobId);
        const { status, body } = await rest<{ job: { id: string }; events: IndexedEvent[] }>(
          indexer!.url,
          `/api/jobs/${jobId}/trail`,
        );
        expect(status).to.equal(200);
        expectSameEvents(body.events, expected);
        // Every event of the trail is tied to the job, including the escrow transfer before JobSubmitted.
        expect(
          body.events.every((event) => event.jobId === jobId.toString()),
          `job ids of job ${jobId}`,
        ).to.equal(true);
        const marketEvents = body.events.filter((event) => event.contract === "JobMarket").map((event) => event.event);
        expect(marketEvents[0]).to.equal("JobSubmitted");
        const ending = marketEvents.filter((name) => MARKET_EVENTS_ENDING_A_JOB.has(name));
        expect(ending).to.have.length(outcome.expected.get(jobId) === JobStatus.Open ? 0 : 1);
      }
    });

    it("keeps every node's stake, unbonding and reputation as the contracts do", async () => {
      const { staking } = market();
      const chain = await chainEvents(rpcUrl, manifest);
      let decayed = 0;
      for (const signer of [...market().providers, ...market().validators]) {
        const address = signer.address;
        const { body } = await graphql<{
          node: {
            staked: string;
            locked: string;
            unbonding: string;
            unbondings: { items: { remaining: string; status: string }[] };
          };
        }>(
          indexer!.url,
          `
            query ($id: String!) {
              node(id: $id) {
                staked
                locked
                unbonding
                unbondings {
                  items {
                    remaining
                    status
                  }
                }
              }
            }
          `,
          {
            id: address.toLowerCase(),
          },
        );
        const indexed = body.data!.node;
        expect([indexed.staked, indexed.locked, indexed.unbonding], `stake of ${address}`).to.deep.equal([
          (await staking.stakeOf(address)).toString(),
          (await staking.lockedOf(address)).toString(),
          (await staking.unbondingOf(address)).toString(),
        ]);
        const pending = indexed.unbondings.items
          .filter((item) => item.status === "Pending")
          .map((item) => item.remaining);
        expect(pending, `pending unbondings of ${address}`).to.deep.equal(
          (await staking.unbondingsOf(address)).map((entry) => entry.amount.toString()),
        );

        const updates = chain.filter(
          (event) =>
            event.event === "ReputationUpdated" &&
            (event.args as { provider: string }).provider === address.toLowerCase(),
        );
        const { status, body: reputation } = await rest<{
          reputation: { stored: { composite: number | null }; current: CurrentScores };
          history: { id: string; composite: number }[];
        }>(indexer!.url, `/api/providers/${address}/reputation?limit=1000`);
        expect(status).to.equal(200);
        expect(reputation.history).to.have.length(updates.length);
        const latest = updates.at(-1)?.args as { composite: string } | undefined;
        expect(reputation.reputation.stored.composite?.toString()).to.equal(latest?.composite);
        // Newest first.
        expect(reputation.history.map((update) => update.id)).to.deep.equal(
          reputation.history.map((update) => update.id).sort((a, b) => b.localeCompare(a)),
        );
        // The current scores are the ledger's views at the indexed head: stored scores decayed since written.
        const { current } = reputation.reputation;
        const at = { blockTag: Number(current.asOfBlock) };
        const [reliability, accuracy, speed] = await market().reputation.scoresOf(address, at);
        expect(current, `current reputation of ${address}`).to.deep.include({
          reliability: Number(reliability),
          accuracy: Number(accuracy),
          speed: Number(speed),
          composite: Number(await market().reputation.compositeOf(address, at)),
        });
        if (current.composite !== reputation.reputation.stored.composite) decayed += 1;
      }
      // The scenario's time moved on after some updates: their scores have decayed since.
      expect(decayed, "providers whose score decayed since it was written").to.be.greaterThan(0);
      const { body: slashed } = await rest<{ record: { slashCount: number } }>(
        indexer!.url,
        `/api/providers/${outcome.dissenter}/reputation`,
      );
      expect(slashed.record.slashCount).to.equal(2);
    });

    it("prices each (zone, tier) from the engine's updates and the jobs' quotes, and maps the market", async () => {
      const { pricingEngine } = market();
      const chain = await chainEvents(rpcUrl, manifest);
      const zone = zoneId("eu-west");
      const [multiplierBps] = await pricingEngine.tierOf(1);
      const quotes = chain
        .filter((event) => event.event === "JobSubmitted")
        .map((event) => (event.args as { pricePerGpuHour: string }).pricePerGpuHour);
      const epochs = chain
        .filter((event) => event.event === "PriceUpdated" && (event.args as { zone: string }).zone === zone)
        .map((event) =>
          ((BigInt((event.args as { basePrice: string }).basePrice) * multiplierBps) / 10_000n).toString(),
        );

      const { status, body } = await rest<{
        current: { pricePerGpuHour: string };
        history: { source: string; pricePerGpuHour: string }[];
      }>(indexer!.url, `${EU_WEST_STANDARD}?limit=1000&order=asc`);
      expect(status).to.equal(200);
      expect(
        body.history.filter((point) => point.source === "Quote").map((point) => point.pricePerGpuHour),
      ).to.deep.equal(quotes);
      expect(
        body.history.filter((point) => point.source === "Epoch").map((point) => point.pricePerGpuHour),
      ).to.deep.equal(epochs);
      expect(epochs.length).to.be.greaterThan(0);
      expect(body.current.pricePerGpuHour).to.equal(epochs.at(-1));

      const heatmap = await rest<{ cells: Record<string, unknown>[] }>(indexer!.url, "/api/market/heatmap");
      expect(heatmap.status).to.equal(200);
      expect(heatmap.body.cells).to.have.length(5 * 3);
      const cell = heatmap.body.cells.find((c) => c.zoneLabel === "eu-west" && c.tierName === "Standard")!;
      const count = (status: number) => [...outcome.expected.values()].filter((value) => value === status).length;
      expect(cell).to.include({
        jobsSubmitted: outcome.expected.size,
        jobsSettled: count(JobStatus.Settled),
        jobsRefunded: count(JobStatus.Refunded),
        jobsCancelled: count(JobStatus.Cancelled),
        activeJobs: 1,
        openSlots: 2,
        busySlots: 1,
        utilisationBps: 3_333,
        pricePerGpuHour: epochs.at(-1),
      });
    });

    it("pages price and reputation history newest first, each row once, however the pages fall", async () => {
      type Point = { id: string };
      const whole = (await rest<{ history: Point[] }>(indexer!.url, `${EU_WEST_STANDARD}?limit=1000`)).body.history;
      expect(whole.length).to.be.greaterThan(5);
      const ids = whole.map((point) => point.id);
      expect(ids, "newest first").to.deep.equal([...ids].sort((a, b) => b.localeCompare(a)));
      for (const [query, expected] of [
        ["limit=3", ids],
        ["limit=4&order=asc", [...ids].reverse()],
        ["limit=2&source=Quote", whole.filter((p) => (p as { source?: string }).source === "Quote").map((p) => p.id)],
      ] as const) {
        const pages = await allPages(indexer!.url, `${EU_WEST_STANDARD}?${query}`, (body: { history: Point[] }) =>
          body.history.map((point) => point.id),
        );
        expect(pages.flat(), query).to.deep.equal(expected);
        expect(
          pages.slice(0, -1).every((rows) => rows.length === Number(/limit=(\d+)/.exec(query)![1])),
          query,
        ).to.equal(true);
      }

      const provider = market().providers[0]!.address;
      const full = await rest<{ history: Point[] }>(indexer!.url, `/api/providers/${provider}/reputation?limit=1000`);
      const pages = await allPages(
        indexer!.url,
        `/api/providers/${provider}/reputation?limit=2`,
        (body: { history: Point[] }) => body.history.map((update) => update.id),
      );
      expect(pages.length).to.be.greaterThan(1);
      expect(pages.flat()).to.deep.equal(full.body.history.map((update) => update.id));
    });

    it("gives each node's own trail: every event naming it, whoever sent it, newest first", async () => {
      const chain = await chainEvents(rpcUrl, manifest);
      const senders = new Map<string, string>();
      for (const hash of new Set(chain.map((event) => event.txHash))) {
        const transaction = await connection().ethers.provider.getTransaction(hash);
        senders.set(hash, transaction!.from.toLowerCase());
      }
      const names = (value: unknown, account: string): boolean =>
        typeof value === "string" ? value === account : Array.isArray(value) && value.some((item) => item === account);
      for (const account of [outcome.dissenter, ...market().validators.map((v) => v.address)]) {
        const address = account.toLowerCase();
        const expected = chain.filter(
          (event) =>
            senders.get(event.txHash) === address ||
            Object.values(event.args as Record<string, unknown>).some((value) => names(value, address)),
        );
        const pages = await allPages(
          indexer!.url,
          `/api/nodes/${account}/trail?limit=50`,
          (body: { events: (IndexedEvent & { roles: string[] })[] }) => body.events,
        );
        const trail = pages.flat();
        expectSameEvents([...trail].reverse(), expected);
        for (const event of trail) {
          expect(event.roles.length, `${address}'s roles in ${event.id}`).to.be.greaterThan(0);
        }
      }
      // The dissenter's slashes were sent by others, and are in its trail as the slashed node.
      const dissenterTrail = (
        await rest<{ events: { event: string; actor: string; roles: string[] }[] }>(
          indexer!.url,
          `/api/nodes/${outcome.dissenter}/trail?limit=1000`,
        )
      ).body.events;
      const slashes = dissenterTrail.filter((event) => event.event === "Slashed");
      expect(slashes).to.have.length(2);
      for (const slash of slashes) {
        expect(slash.actor).to.not.equal(outcome.dissenter.toLowerCase());
        expect(slash.roles).to.include("node");
      }
      const { body } = await graphql<{ slashings: { items: { node: string }[] } }>(
        indexer!.url,
        "{ slashings(limit: 100) { items { node } } }",
      );
      expect(body.data!.slashings.items.filter((row) => row.node === outcome.dissenter.toLowerCase())).to.have.length(
        2,
      );
    });

    it("answers a repeated request from its cache until the tables change, or the head for answers made from it", async () => {
      const path = `/api/providers/${outcome.dissenter}/reputation`;
      const first = await fetch(`${indexer!.url}${path}`);
      const second = await fetch(`${indexer!.url}${path}`);
      expect(second.headers.get("x-cache")).to.equal("hit");
      expect(second.headers.get("x-indexed-checkpoint")).to.equal(first.headers.get("x-indexed-checkpoint"));
      expect(await second.text()).to.equal(await first.text());
      const post = (query: string) =>
        fetch(`${indexer!.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query }),
        });
      const jobs = "{ jobs(limit: 5) { items { id status } } }";
      const meta = "{ _meta { status } }";
      const jobsAnswer = await (await post(jobs)).text();
      await post(meta);
      expect((await post(jobs)).headers.get("x-cache")).to.equal("hit");
      expect((await post(meta)).headers.get("x-cache")).to.equal("hit");

      // A block without protocol events indexed: answers made from the tables alone are still served, at the new
      // head; answers made from the head (a reputation decayed to its time, GraphQL's _meta) are made again.
      await connection().ethers.provider.send("evm_mine", []);
      await waitUntilSynced(indexer!.url, rpcUrl);
      const third = await fetch(`${indexer!.url}${path}`);
      expect(third.headers.get("x-cache")).to.equal("miss");
      expect(third.headers.get("x-indexed-checkpoint")).to.not.equal(first.headers.get("x-indexed-checkpoint"));
      const current = ((await third.json()) as { reputation: { current: { asOfBlock: string } } }).reputation.current;
      const head = await connection().ethers.provider.getBlockNumber();
      expect(Number(current.asOfBlock)).to.equal(head);
      const metaAgain = await post(meta);
      expect(metaAgain.headers.get("x-cache")).to.equal("miss");
      const status = (
        (await metaAgain.json()) as { data: { _meta: { status: Record<string, { block: { number: number } }> } } }
      ).data._meta.status;
      expect(Object.values(status).map((chain) => chain.block.number)).to.include(head);
      const jobsAgain = await post(jobs);
      expect(jobsAgain.headers.get("x-cache")).to.equal("hit");
      expect(jobsAgain.headers.get("x-indexed-checkpoint")).to.equal(third.headers.get("x-indexed-checkpoint"));
      expect(await jobsAgain.text()).to.equal(jobsAnswer);

      // A protocol event indexed: every answer is made again, and identical requests arriving meanwhile share one.
      const [owner, spender] = market().providers;
      await market().agpu.connect(owner!).approve(spender!.address, 1n);
      await waitUntilSynced(indexer!.url, rpcUrl);
      const together = await Promise.all(Array.from({ length: 8 }, () => post(jobs)));
      const served = together.map((response) => response.headers.get("x-cache"));
      expect(served.filter((cache) => cache === "miss")).to.have.length(1);
      expect(served.every((cache) => cache === "miss" || cache === "shared" || cache === "hit")).to.equal(true);
      for (const response of together) expect(await response.text()).to.equal(jobsAnswer);
    });

    it("serves its answers about one job again after events that do not touch the job, and remakes them after one that does", async () => {
      const trail = (jobId: bigint) => fetch(`${indexer!.url}/api/jobs/${jobId}/trail`);
      const query = (jobId: bigint, slotFields: string) =>
        fetch(`${indexer!.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: `query ($id: BigInt!) { job(id: $id) { status slots { items { ${slotFields} } } } }`,
            variables: { id: jobId.toString() },
          }),
        });
      // About the job alone, and reaching the slots' provider nodes, which events of other jobs change.
      const ownRows = "status provider";
      const withNodes = "status providerNode { id }";
      const [settled] = outcome.expected.keys();
      const { jobMarket, accounts } = market();
      const latest = await connection().ethers.provider.getBlock("latest");
      await jobMarket.connect(accounts.bob).submitJob(jobSpec(latest!.timestamp, { redundancy: 3, mode: 0 }));
      const submitted = await jobMarket.jobCount();
      await waitUntilSynced(indexer!.url, rpcUrl);
      const settledAnswer = await (await trail(settled!)).text();
      expect((await trail(settled!)).headers.get("x-cache")).to.equal("hit");
      const settledJob = await (await query(settled!, ownRows)).text();
      await query(settled!, withNodes);
      const open = await trail(submitted);
      expect(open.headers.get("x-cache")).to.equal("miss");
      const openAnswer = (await open.json()) as { job: { status: string } };
      expect(openAnswer.job.status).to.equal("Open");

      // The new job cancelled: its own trail is made again; the settled job's is served again after one check.
      await jobMarket.connect(accounts.bob).cancelJob(submitted);
      outcome.expected.set(submitted, JobStatus.Cancelled);
      await waitUntilSynced(indexer!.url, rpcUrl);
      const kept = await trail(settled!);
      expect(kept.headers.get("x-cache")).to.equal("revalidated");
      expect(await kept.text()).to.equal(settledAnswer);
      expect((await trail(settled!)).headers.get("x-cache")).to.equal("hit");
      const keptJob = await query(settled!, ownRows);
      expect(keptJob.headers.get("x-cache")).to.equal("revalidated");
      expect(await keptJob.text()).to.equal(settledJob);
      expect((await query(settled!, withNodes)).headers.get("x-cache")).to.equal("miss");
      const cancelled = await trail(submitted);
      expect(cancelled.headers.get("x-cache")).to.equal("miss");
      const cancelledAnswer = await cancelled.text();
      expect((JSON.parse(cancelledAnswer) as { job: { status: string } }).job.status).to.equal("Cancelled");

      // An event tied to no job (an allowance): both trails are served again, each after its check.
      const [owner, spender] = market().providers;
      await market().agpu.connect(owner!).approve(spender!.address, 2n);
      await waitUntilSynced(indexer!.url, rpcUrl);
      const [settledAgain, cancelledAgain] = await Promise.all([trail(settled!), trail(submitted)]);
      expect([settledAgain.headers.get("x-cache"), cancelledAgain.headers.get("x-cache")]).to.deep.equal([
        "revalidated",
        "revalidated",
      ]);
      expect(await settledAgain.text()).to.equal(settledAnswer);
      expect(await cancelledAgain.text()).to.equal(cancelledAnswer);
    });

    it("lists providers for `starminer node list`, best reputation first", async () => {
      const listed = await runNode(
        [join(ROOT, "bin", "starminer.mjs"), "--json", "node", "list", "--zone", "eu-west"],
        {
          STARMINER_INDEXER_URL: indexer!.url,
        },
      );
      expect(listed.code, listed.stderr).to.equal(0);
      const rows = JSON.parse(listed.stdout) as { address: string; reputation: number | null; zone: string }[];
      const registered = [...market().providers, ...market().validators].map((signer) => signer.address.toLowerCase());
      expect(rows.map((row) => row.address).sort()).to.deep.equal(registered.sort());
      const scores = rows.map((row) => row.reputation ?? -1);
      expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
      expect(rows.every((row) => row.zone === "eu-west")).to.equal(true);
    });

    it("ranks providers for a job with `starminer match providers`, from the indexer's data", async () => {
      const { body } = await graphql<{
        zoneNeighbours: { items: { zone: string; neighbour: string; penaltyBps: number }[] };
      }>(indexer!.url, "{ zoneNeighbours { items { zone neighbour penaltyBps } } }");
      expect(
        body.data!.zoneNeighbours.items.map((pair) => [pair.zone, pair.neighbour, pair.penaltyBps]),
      ).to.have.deep.members([
        [zoneId("eu-west"), zoneId("eu-central"), 1_000],
        [zoneId("eu-central"), zoneId("eu-west"), 1_000],
      ]);

      const spec = join(live.workDir, "match.json");
      await writeFile(
        spec,
        JSON.stringify({ zone: "eu-west", gpuHours: 2, mode: "consensus", redundancy: 3, maxTotal: "100" }),
      );
      const matched = await runNode(
        [join(ROOT, "bin", "starminer.mjs"), "--json", "match", "providers", "--spec", spec],
        {
          STARMINER_INDEXER_URL: indexer!.url,
        },
      );
      expect(matched.code, matched.stderr).to.equal(0);
      const { candidates, ranked } = JSON.parse(matched.stdout) as {
        candidates: number;
        ranked: { rank: number; provider: string; score: number }[];
      };
      expect(candidates).to.equal(market().providers.length);
      expect(ranked.map((row) => row.rank)).to.deep.equal([1, 2, 3]);
      const providers = market().providers.map((signer) => signer.address.toLowerCase());
      expect(ranked.every((row) => providers.includes(row.provider))).to.equal(true);
      const scores = ranked.map((row) => row.score);
      expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));

      // A WebAssembly job: only the provider that advertised the wasm runtime is ranked.
      const matchRuntime = (runtime: string) =>
        runNode(
          [join(ROOT, "bin", "starminer.mjs"), "--json", "match", "providers", "--spec", spec, "--runtime", runtime],
          { STARMINER_INDEXER_URL: indexer!.url },
        );
      const wasm = await matchRuntime("wasm");
      expect(wasm.code, wasm.stderr).to.equal(0);
      const wasmRanking = JSON.parse(wasm.stdout) as {
        ranked: { provider: string }[];
        excluded: Record<string, number>;
      };
      expect(wasmRanking.ranked.map((row) => row.provider)).to.deep.equal([
        market().providers[0]!.address.toLowerCase(),
      ]);
      expect(wasmRanking.excluded["runtime not served"]).to.equal(market().providers.length - 1);
      const unknown = await matchRuntime("cuda");
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr.trim().split("\n")).to.have.length(1);
      expect(unknown.stderr).to.include('--runtime: unknown runtime "cuda"');
    });

    it("answers bad GraphQL with a 400, bounds deep, wide and huge queries, and refuses any body over 64 KiB", async () => {
      const url = indexer!.url;
      const syntax = await graphql(url, "{ jobs { items { id }");
      expect(syntax.status).to.equal(400);
      expect(syntax.body.errors?.[0]?.message).to.match(/Syntax Error/);

      const unknown = await graphql(url, "{ jobs { items { salary } } }");
      expect(unknown.status).to.equal(400);
      expect(unknown.body.errors?.[0]?.message).to.match(/Cannot query field "salary"/);

      const deep = await graphql(
        url,
        `
          {
            jobs {
              items {
                slots {
                  items {
                    job {
                      slots {
                        items {
                          job {
                            slots {
                              items {
                                job {
                                  id
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        `,
      );
      expect(deep.status).to.equal(400);
      expect(deep.body.errors?.[0]?.message).to.match(/depth/i);

      const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: job(id: "1") { id }`).join(" ");
      const wide = await graphql(url, `{ ${aliases} }`);
      expect(wide.status).to.equal(400);
      expect(wide.body.errors?.[0]?.message).to.match(/aliases/i);

      const tooMany = await graphql(
        url,
        `
          {
            jobs(limit: 5000) {
              items {
                id
              }
            }
          }
        `,
      );
      expect(tooMany.status).to.equal(400);
      expect(tooMany.body.errors?.[0]?.message).to.match(/limit/i);

      const huge = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ jobs { items { id } } } #${"x".repeat(100_000)}` }),
      });
      expect(huge.status).to.equal(413);
      expect(await huge.json()).to.deep.equal({ error: "request body larger than 65536 bytes" });

      // Without a declared length (chunked), the limit holds while reading; and it holds on every route, so a POST
      // to a REST path cannot make the API hold a large body either.
      const chunked = (path: string) =>
        fetch(`${url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: new ReadableStream({
            start(controller) {
              for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(4_096)));
              controller.close();
            },
          }),
          duplex: "half",
        } as RequestInit);
      for (const path of ["/graphql", "/api/jobs/1/trail"]) {
        const streamed = await chunked(path);
        expect(streamed.status, path).to.equal(413);
        expect(await streamed.json(), path).to.deep.equal({ error: "request body larger than 65536 bytes" });
        // The unread rest of the body makes the connection unusable, so the API closes it.
        expect(streamed.headers.get("connection"), path).to.equal("close");
      }
      // A body under the limit, sent in chunks, reaches GraphQL whole.
      const query = JSON.stringify({ query: "{ jobs(limit: 1) { items { id } } }" });
      const small = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new ReadableStream({
          start(controller) {
            for (const part of [query.slice(0, 10), query.slice(10)])
              controller.enqueue(new TextEncoder().encode(part));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect(small.status).to.equal(200);
      expect(((await small.json()) as { data: { jobs: { items: unknown[] } } }).data.jobs.items).to.have.length(1);
    });

    it("answers bad REST requests with a 4xx and a one-line error", async () => {
      const url = indexer!.url;
      const cases: [string, number, RegExp][] = [
        ["/api/jobs/abc/trail", 400, /job id must be a positive integer/],
        ["/api/jobs/0/trail", 400, /job id must be a positive integer/],
        ["/api/jobs/424242/trail", 404, /no job 424242/],
        ["/api/prices/eu-west/ultra", 400, /tier must be/],
        ["/api/prices/atlantis/0", 404, /unknown zone "atlantis"/],
        [`${EU_WEST_STANDARD}?limit=0`, 400, /limit must be between 1 and 1000/],
        [`${EU_WEST_STANDARD}?from=10&to=5`, 400, /from must not be after to/],
        [`${EU_WEST_STANDARD}?source=Rumour`, 400, /source must be one of/],
        ["/api/providers/0x1234/reputation", 400, /not an address/],
        ["/api/providers/0x000000000000000000000000000000000000dEaD/reputation", 404, /no node/],
        [`${EU_WEST_STANDARD}?order=sideways`, 400, /order must be asc or desc/],
        [`${EU_WEST_STANDARD}?cursor=a;drop`, 400, /cursor must be a nextCursor/],
        ["/api/nodes/0x000000000000000000000000000000000000dEaD/trail", 404, /no protocol event concerns/],
        ["/api/governance/proposals?status=Passed", 400, /status must be one of/],
        ["/api/governance/proposals?cursor=12", 400, /cursor must be a nextCursor/],
        ["/api/governance/proposals/0x12", 400, /proposal id must be a decimal integer/],
        ["/api/governance/proposals/12", 404, /no proposal 12/],
        ["/api/bridge/transfers?account=0x12", 400, /not an address/],
        [`/api/bridge/transfers/0x${"ab".repeat(32)}`, 404, /no bridge transfer/],
        ["/api/bridge/transfers/0x12", 400, /transfer digest must be 32 bytes/],
        ["/api/no-such-route", 404, /no route GET \/api\/no-such-route/],
      ];
      for (const [path, status, message] of cases) {
        const response = await rest<{ error: string }>(url, path);
        expect(response.status, path).to.equal(status);
        expect(response.body.error, path).to.match(message);
        expect(response.body.error.split("\n"), path).to.have.length(1);
      }
    });

    it("picks up new transactions as they are mined", async () => {
      const { jobMarket, accounts } = market();
      const latest = await connection().ethers.provider.getBlock("latest");
      await jobMarket.connect(accounts.bob).submitJob(jobSpec(latest!.timestamp, { redundancy: 3, mode: 0 }));
      const jobId = await jobMarket.jobCount();
      await jobMarket.connect(accounts.bob).cancelJob(jobId);
      outcome.expected.set(jobId, JobStatus.Cancelled);
      await waitUntilSynced(indexer!.url, rpcUrl);
      expectSameEvents(await indexedEvents(indexer!.url), await chainEvents(rpcUrl, manifest));
    });

    it("loses and duplicates nothing when stopped mid-way and started again", async () => {
      await indexer!.stop();
      const head = Number(await connection().ethers.provider.getBlockNumber());
      indexer = await startPglite({ reset: true });
      await stopHalfWay(indexer, head, "SIGINT");

      indexer = await startPglite();
      // Stopped cleanly: the RPC cache is kept, and the tables are rebuilt from it.
      expect(indexer.output()).to.match(/schema starminer, rebuilt from the RPC cache/);
      await waitUntilSynced(indexer.url, rpcUrl);
      expectSameEvents(await indexedEvents(indexer.url), await chainEvents(rpcUrl, manifest));
    });
  });

  describe("on a PostgreSQL server", () => {
    let url: string;
    const startOnPostgres = async () =>
      startIndexer({ rpcUrl, manifestDir, port: await freePort(), schema: "starminer", database: { url } });

    before(async () => {
      await indexer?.stop();
      indexer = undefined;
      postgres = await startPostgres();
      url = postgres.url;
    });

    it("holds every event in order, and loses and duplicates nothing after a crash mid-way", async () => {
      const head = Number(await connection().ethers.provider.getBlockNumber());
      indexer = await startOnPostgres();
      await stopHalfWay(indexer, head, "SIGKILL");

      indexer = await startOnPostgres();
      expect(indexer.output().split("\n")[0], indexer.output()).to.match(/PostgreSQL \(schema starminer, kept\)/);
      await waitUntilSynced(indexer.url, rpcUrl);
      expectSameEvents(await indexedEvents(indexer.url), await chainEvents(rpcUrl, manifest));
    });

    it("serves the same jobs and heatmap as the embedded database did", async () => {
      for (const [jobId, status] of outcome.expected) {
        const { body } = await rest<{ job: { status: string } }>(indexer!.url, `/api/jobs/${jobId}/trail`);
        expect(body.job.status, `job ${jobId}`).to.equal(STATUS_NAMES[status]);
      }
      const heatmap = await rest<{ cells: { zoneLabel: string; tierName: string; jobsSubmitted: number }[] }>(
        indexer!.url,
        "/api/market/heatmap",
      );
      const cell = heatmap.body.cells.find((c) => c.zoneLabel === "eu-west" && c.tierName === "Standard")!;
      expect(cell.jobsSubmitted).to.equal(outcome.expected.size);
    });

    it("serves the same answers from API replicas over the schema, and replaces a replica that stops", async () => {
      const port = await freePort();
      const serve = (env: Record<string, string>, ...args: string[]) =>
        Background.start([...TYPESCRIPT, "scripts/indexer-serve.ts", "--port", String(port), ...args], env);
      const replicas = serve({ DATABASE_URL: url, STARMINER_MANIFEST_DIR: manifestDir }, "--replicas", "2");
      try {
        await replicas.waitForLine(/serving schema starminer from 2 replicas/);
        const replicaUrl = `http://127.0.0.1:${port}`;
        await waitFor(
          "the replicas to answer",
          async () => (await fetch(`${replicaUrl}/ready`).catch(() => null))?.ok === true,
        );
        const paths = [
          `/api/jobs/1/trail`,
          `/api/providers/${outcome.dissenter}/reputation`,
          `/api/nodes/${outcome.dissenter}/trail?limit=5`,
          `${EU_WEST_STANDARD}?limit=3`,
          "/api/market/heatmap",
        ];
        for (const path of paths) {
          const [own, replicated] = await Promise.all([rest(indexer!.url, path), rest(replicaUrl, path)]);
          expect(replicated, path).to.deep.equal(own);
        }
        const query = "{ jobs(limit: 100) { items { id status escrow } } }";
        expect((await graphql(replicaUrl, query)).body).to.deep.equal((await graphql(indexer!.url, query)).body);

        // Two replicas, each its own process under the primary (beside, at times, the TypeScript loader's compiler);
        // one killed is started again.
        const children = () =>
          execFileSync("pgrep", ["-P", String(replicas.child.pid), "-f", "ponder.js serve"])
            .toString()
            .trim()
            .split("\n")
            .map(Number);
        await waitFor("two replicas", async () => children().length === 2);
        await sleep(10_500);
        const [victim] = children();
        process.kill(victim!, "SIGKILL");
        await replicas.waitForLine(new RegExp(`replica ${victim} stopped \\(SIGKILL\\): starting another`));
        await waitFor("a replacement replica", async () => children().length === 2 && !children().includes(victim!));
        for (let i = 0; i < 10; i++) expect((await rest(replicaUrl, paths[0]!)).status).to.equal(200);
      } catch (error) {
        throw new Error(`${(error as Error).message}\nthe replicas said:\n${replicas.lines.join("\n")}`);
      } finally {
        await replicas.stop();
      }

      const withoutDatabase = await runNode([...TYPESCRIPT, "scripts/indexer-serve.ts"], {});
      expect(withoutDatabase.code).to.equal(2);
      expect(withoutDatabase.stderr.trim()).to.match(
        /^indexer-serve: replicas read a PostgreSQL database: set DATABASE_URL/,
      );
      const unknownSchema = await runNode(
        [...TYPESCRIPT, "scripts/indexer-serve.ts", "--schema", "nothing_here", "--port", String(await freePort())],
        {
          DATABASE_URL: url,
        },
      );
      expect(unknownSchema.code).to.equal(1);
      expect(unknownSchema.stderr.trim()).to.match(
        /^indexer-serve: schema nothing_here has not been indexed on this server/,
      );
    });

    it("answers every REST route from indexes, never by scanning a table that grows", async () => {
      const port = await freePort();
      const logStart = (await readFile(postgres!.logFile, "utf8")).length;
      // The replicas' sessions log every statement's plan, with sequential scans priced out: a scan that remains is
      // one no index can replace. Every path below is asked once, so each runs its queries, and the response cache's
      // own reads (the tables' state, a job trail's version) are planned too.
      const replicas = Background.start(
        [...TYPESCRIPT, "scripts/indexer-serve.ts", "--port", String(port), "--replicas", "1"],
        {
          DATABASE_URL: url,
          STARMINER_MANIFEST_DIR: manifestDir,
          PGOPTIONS:
            "-c enable_seqscan=off -c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0",
        },
      );
      try {
        const replicaUrl = `http://127.0.0.1:${port}`;
        try {
          await waitFor(
            "the replica",
            async () => (await fetch(`${replicaUrl}/ready`).catch(() => null))?.ok === true,
            180_000,
          );
        } catch (error) {
          throw new Error(`${(error as Error).message}; its output:\n${replicas.lines.slice(-60).join("\n")}`);
        }
        const get = async (path: string) => {
          const { status, body } = await rest<{ nextCursor?: string | null }>(replicaUrl, path);
          expect(status, path).to.be.oneOf([200, 404]);
          return body;
        };
        const dissenter = outcome.dissenter;
        const prices = await get(`${EU_WEST_STANDARD}?limit=2`);
        await get(`${EU_WEST_STANDARD}?limit=2&cursor=${prices.nextCursor}`);
        await get(`${EU_WEST_STANDARD}?limit=2&order=asc&from=1&to=99999999999&source=Quote`);
        await get("/api/prices");
        const reputation = await get(`/api/providers/${dissenter}/reputation?limit=1`);
        await get(`/api/providers/${dissenter}/reputation?limit=1&cursor=${reputation.nextCursor}`);
        const trail = await get(`/api/nodes/${dissenter}/trail?limit=2`);
        await get(`/api/nodes/${dissenter}/trail?limit=2&order=asc&cursor=${trail.nextCursor}`);
        for (const jobId of outcome.expected.keys()) await get(`/api/jobs/${jobId}/trail`);
        await get("/api/market/heatmap");
        await get(`/api/governance/proposals?status=Executed&proposer=${dissenter}`);
        await get("/api/governance/proposals?limit=1&cursor=1-1");
        await get("/api/governance/proposals/12");
        await get(`/api/bridge/transfers?account=${dissenter}&status=Sent`);
        await get("/api/bridge/transfers?limit=1&cursor=1-1");
        await get(`/api/bridge/transfers/0x${"ab".repeat(32)}`);
      } finally {
        await replicas.stop();
      }

      // Each plan: "LOG:  duration: … plan:", then its query text and plan nodes, indented.
      const log = (await readFile(postgres!.logFile, "utf8")).slice(logStart);
      const plans = log.split(/^.*LOG:\s+duration: [0-9.]+ ms\s+plan:\n/m).slice(1);
      const ofApp = plans.filter((plan) => plan.includes('"starminer".'));
      expect(ofApp.length, "plans of the app's tables").to.be.greaterThan(20);
      // Tables whose size is fixed by configuration (zones, tiers and their cells; Ponder's one row per chain and
      // its metadata) are read whole by design.
      const CONFIGURATION = new Set([
        "zone",
        "tier",
        "market_cell",
        "zone_neighbour",
        "_ponder_checkpoint",
        "_ponder_meta",
      ]);
      for (const plan of plans) {
        const body = plan.split(/\n(?!\s)/)[0]!;
        for (const table of wholeTableReads(body)) {
          expect(CONFIGURATION.has(table), `a read of all of ${table} in:\n${body}`).to.equal(true);
        }
      }
    });
  });

  describe("after the local chain restarts", () => {
    it("forgets the old chain's data instead of serving it", async () => {
      await indexer?.stop();
      indexer = undefined;
      // Deployed the same way, the new chain's contracts have the same addresses as the old chain's.
      await live.restartChain();
      const redeployed = await readManifest(31337, manifestDir);
      expect(redeployed.contracts.JobMarket!.address).to.equal(manifest.contracts.JobMarket!.address);

      indexer = await startPglite();
      expect(indexer.output()).to.match(/schema starminer, reset-for-new-chain/);
      await waitUntilSynced(indexer.url, rpcUrl);
      expectSameEvents(await indexedEvents(indexer.url), await chainEvents(rpcUrl, redeployed));
      const { body } = await graphql<{ jobs: { totalCount: number } }>(indexer.url, "{ jobs { totalCount } }");
      expect(body.data?.jobs.totalCount).to.equal(0);
    });
  });
});

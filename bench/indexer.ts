/**
 * Indexer figures: how fast a chain with many jobs is indexed (events per second), and GraphQL/REST latency
 * (p50, p95, p99) under concurrent load — on the embedded database and on a PostgreSQL server.
 *
 *   npm run bench:indexer    writes bench/results/indexer.json and bench/results/indexer.md
 *
 * Environment: BENCH_INDEXER_JOBS (consensus jobs beyond the every-state scenario, default 60),
 * BENCH_INDEXER_CONCURRENCY (clients at once, default 16), BENCH_INDEXER_REQUESTS (per query, default 400).
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { type RunningIndexer, graphql, startIndexer, waitUntilSynced } from "../test/support/indexer.js";
import { startLiveMarket } from "../test/support/live.js";
import { DAY, Mode, claimCommitReveal, jobSpec, result, submit } from "../test/support/market.js";
import { startPostgres } from "../test/support/postgres.js";
import { freePort, rpc } from "../test/support/processes.js";
import type { Signer } from "../test/support/protocol.js";
import { advance, driveEveryTerminalState } from "../test/support/scenario.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const JOBS = Number(process.env.BENCH_INDEXER_JOBS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_INDEXER_CONCURRENCY ?? 16);
const REQUESTS = Number(process.env.BENCH_INDEXER_REQUESTS ?? 400);

interface Latency {
  readonly query: string;
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly perSecond: number;
}

interface DatabaseFigures {
  readonly database: string;
  readonly events: number;
  readonly blocks: number;
  /** From the HTTP server answering to the indexer holding the chain's head, in seconds: blocks fetched by RPC. */
  readonly indexingSeconds: number;
  readonly eventsPerSecond: number;
  /** The same into a new schema, with the chain's blocks and logs already in Ponder's RPC cache. */
  readonly cachedIndexingSeconds: number;
  readonly cachedEventsPerSecond: number;
  readonly latency: Latency[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Sends `REQUESTS` requests made by `request`, `CONCURRENCY` at a time, and times each. */
async function load(query: string, request: () => Promise<Response>): Promise<Latency> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const start = performance.now();
      const response = await request();
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${query} answered ${response.status}`);
      times.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1_000;
  times.sort((a, b) => a - b);
  return {
    query,
    requests: times.length,
    p50: round(percentile(times, 0.5), 2),
    p95: round(percentile(times, 0.95), 2),
    p99: round(percentile(times, 0.99), 2),
    perSecond: round(times.length / elapsed, 0),
  };
}

function queries(url: string, provider: string, jobCount: bigint): [string, () => Promise<Response>][] {
  const post = (body: object) => () =>
    fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  let job = 0n;
  const someJob = () => (job = (job % jobCount) + 1n);
  return [
    [
      "GraphQL: a job with its slots and payouts",
      () =>
        post({
          query: `query ($id: BigInt!) { job(id: $id) { status escrow slots { items { status provider result } } payouts { items { providerAmount } } } }`,
          variables: { id: someJob().toString() },
        })(),
    ],
    [
      "GraphQL: 100 latest protocol events",
      post({
        query: `{ protocolEvents(orderBy: "id", orderDirection: "desc", limit: 100) { items { id contract event jobId } } }`,
      }),
    ],
    ["REST: a job's audit trail", () => fetch(`${url}/api/jobs/${someJob()}/trail`)],
    ["REST: a provider's reputation", () => fetch(`${url}/api/providers/${provider}/reputation`)],
    ["REST: price history of (eu-west, Standard)", () => fetch(`${url}/api/prices/eu-west/standard`)],
    ["REST: market heatmap", () => fetch(`${url}/api/market/heatmap`)],
  ];
}

/** Starts an indexer and returns how long it took to hold the chain's head, and how many events it indexed. */
async function timeSync(start: () => Promise<RunningIndexer>, rpcUrl: string) {
  const started = performance.now();
  const indexer = await start();
  const serving = performance.now();
  try {
    await waitUntilSynced(indexer.url, rpcUrl, 900_000);
    const seconds = (performance.now() - serving) / 1_000;
    const { body } = await graphql<{ protocolEvents: { totalCount: number } }>(
      indexer.url,
      "{ protocolEvents { totalCount } }",
    );
    return {
      indexer,
      seconds,
      startSeconds: (serving - started) / 1_000,
      events: body.data!.protocolEvents.totalCount,
    };
  } catch (error) {
    await indexer.stop();
    throw error;
  }
}

async function measure(
  database: string,
  start: (port: number, schema: string) => Promise<RunningIndexer>,
  rpcUrl: string,
  provider: string,
  jobCount: bigint,
): Promise<DatabaseFigures> {
  const blocks = Number(BigInt((await rpc(rpcUrl, "eth_blockNumber")) as string));
  // From nothing: every block and log is fetched from the node.
  const cold = await timeSync(async () => start(await freePort(), "starminer_cold"), rpcUrl);
  await cold.indexer.stop();
  // Into a new schema of the same database: Ponder's RPC cache already holds the chain.
  const { indexer, seconds, startSeconds, events } = await timeSync(
    async () => start(await freePort(), "starminer"),
    rpcUrl,
  );
  try {
    console.log(
      `${database}: ${events} events in ${blocks} blocks indexed in ${cold.seconds.toFixed(1)} s, ` +
        `${seconds.toFixed(1)} s from the RPC cache (started in ${startSeconds.toFixed(1)} s)`,
    );
    const latency: Latency[] = [];
    for (const [name, request] of queries(indexer.url, provider, jobCount)) {
      await load(name, request); // warm-up
      const figures = await load(name, request);
      console.log(`  ${name}: p50 ${figures.p50} ms, p95 ${figures.p95} ms, ${figures.perSecond}/s`);
      latency.push(figures);
    }
    return {
      database,
      events,
      blocks,
      indexingSeconds: round(cold.seconds),
      eventsPerSecond: round(cold.events / cold.seconds, 0),
      cachedIndexingSeconds: round(seconds),
      cachedEventsPerSecond: round(events / seconds, 0),
      latency,
    };
  } finally {
    await indexer.stop();
  }
}

function markdown(figures: DatabaseFigures[], jobs: number): string {
  const lines = [
    "# Indexer",
    "",
    `A local hardhat node with the protocol deployed, the every-terminal-state scenario and ${jobs} more three-provider`,
    "consensus jobs run to settlement. Indexing time runs from the indexer's HTTP server answering to the indexer",
    "holding the chain's head: first from an empty database (every block and log fetched from the node), then into",
    "a new schema of the same database, whose RPC cache already holds the chain (indexing alone). Latency is",
    `measured at the client, ${CONCURRENCY} requests at a time, after a warm-up round, on the second indexer.`,
    "",
    "| Database | Events | Blocks | Indexing (s) | Events/s | From the RPC cache (s) | Events/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...figures.map(
      (f) =>
        `| ${f.database} | ${f.events} | ${f.blocks} | ${f.indexingSeconds} | ${f.eventsPerSecond} | ` +
        `${f.cachedIndexingSeconds} | ${f.cachedEventsPerSecond} |`,
    ),
    "",
  ];
  for (const f of figures) {
    lines.push(`## Latency on ${f.database}`, "", "| Query | Requests | p50 (ms) | p95 (ms) | p99 (ms) | Requests/s |");
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const l of f.latency)
      lines.push(`| ${l.query} | ${l.requests} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.perSecond} |`);
    lines.push("");
  }
  return lines.join("\n");
}

const live = await startLiveMarket("bench-indexer");
const { rpcUrl, manifestDir, workDir, connection, market } = live;
const postgres = await startPostgres();
try {
  await driveEveryTerminalState(connection, market);

  // Many consensus jobs: three providers commit and reveal the same result; settled after the challenge window.
  const { jobMarket, accounts } = market;
  const providers = market.providers.slice(0, 3) as Signer[];
  const jobIds: bigint[] = [];
  for (let i = 0; i < JOBS; i++) {
    const latest = await connection.ethers.provider.getBlock("latest");
    const jobId = await submit(market, jobSpec(latest!.timestamp, { mode: Mode.Consensus, redundancy: 3 }));
    const answer = result(`bench-${i}`);
    await claimCommitReveal(market, jobId, providers, [answer, answer, answer]);
    jobIds.push(jobId);
  }
  await advance(connection, DAY + 1);
  for (const jobId of jobIds) await jobMarket.connect(accounts.carol).finalize(jobId);
  const jobCount = await jobMarket.jobCount();
  const provider = providers[0]!.address;

  const figures = [
    await measure(
      "PGlite (embedded)",
      async (p) =>
        startIndexer({
          rpcUrl,
          manifestDir,
          port: p,
          schema: "starminer",
          database: { pgliteDir: join(workDir, "pglite") },
        }),
      rpcUrl,
      provider,
      jobCount,
    ),
    await measure(
      "PostgreSQL 15",
      async (p, schema) => startIndexer({ rpcUrl, manifestDir, port: p, schema, database: { url: postgres.url } }),
      rpcUrl,
      provider,
      jobCount,
    ),
  ];
  await writeFile(
    join(RESULTS_DIR, "indexer.json"),
    `${JSON.stringify({ jobs: Number(jobCount), concurrency: CONCURRENCY, figures }, null, 2)}\n`,
  );
  await writeFile(join(RESULTS_DIR, "indexer.md"), `${markdown(figures, JOBS)}\n`);
  console.log(`wrote ${join(RESULTS_DIR, "indexer.md")}`);
} finally {
  await postgres.stop();
  await live.close();
}

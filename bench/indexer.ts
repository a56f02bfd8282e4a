/**
 * Indexer figures: how fast a chain with many jobs is indexed (events per second), and GraphQL/REST latency
 * (p50, p95, p99) and throughput under concurrent load — on the embedded database (the indexer's own process) and
 * on a PostgreSQL server (the indexer's process, then API replicas over its schema), each with the response cache
 * and without it.
 *
 *   npm run bench:indexer    writes bench/results/indexer.json and bench/results/indexer.md
 *
 * Environment: BENCH_INDEXER_JOBS (consensus jobs beyond the every-state scenario, default 60),
 * BENCH_INDEXER_CONCURRENCY (clients at once, default 100), BENCH_INDEXER_REQUESTS (per query, default 2 000),
 * BENCH_INDEXER_REPLICAS (API replicas on PostgreSQL, default 2), BENCH_INDEXER_SYNC_ONLY=1 (time the indexing
 * only, print it and write nothing: for trying the indexer's settings).
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { availableParallelism, cpus } from "node:os";

import { connectPostgres } from "../scripts/lib/indexer/database.js";
import { type RunningIndexer, graphql, startIndexer, waitUntilSynced } from "../test/support/indexer.js";
import { startLiveMarket } from "../test/support/live.js";
import { DAY, Mode, claimCommitReveal, jobSpec, result, submit } from "../test/support/market.js";
import { startPostgres } from "../test/support/postgres.js";
import { Background, TYPESCRIPT, freePort, rpc, waitFor } from "../test/support/processes.js";
import type { Signer } from "../test/support/protocol.js";
import { advance, driveEveryTerminalState } from "../test/support/scenario.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const JOBS = Number(process.env.BENCH_INDEXER_JOBS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_INDEXER_CONCURRENCY ?? 100);
const REQUESTS = Number(process.env.BENCH_INDEXER_REQUESTS ?? 2_000);
const WARM_UP_REQUESTS = 1_000;
const REPLICAS = Number(process.env.BENCH_INDEXER_REPLICAS ?? 2);
const SYNC_ONLY = process.env.BENCH_INDEXER_SYNC_ONLY === "1";
/** How long each query is sent for while the chain moves (a block every second). */
const BUSY_SECONDS = 10;

/**
 * How the chain moves while queries are measured: a block without protocol events every second (the indexed head
 * moves, the tables do not: most blocks of a public chain), or a protocol event every second (the tables change,
 * and every cached answer is made again).
 */
type ChainMotion = "blocks" | "events";

/** The bench's chain, and the two ways of moving it. */
interface MovingChain {
  readonly rpcUrl: string;
  mineEmptyBlock(): Promise<unknown>;
  emitProtocolEvent(): Promise<unknown>;
}

const MOTION_NAMES: Record<ChainMotion, string> = {
  blocks: "a block without protocol events every second",
  events: "a protocol event every second",
};

interface Latency {
  readonly query: string;
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly perSecond: number;
  /** The share of answers the response cache gave: kept ones, and ones made for an identical request meanwhile. */
  readonly cacheHits: number;
  /** The share of answers served again after one query found the rows they read unchanged (`x-cache: revalidated`). */
  readonly revalidated: number;
  /** While the chain moved: the most blocks the indexer was behind the chain, sampled each second. */
  readonly maxBlocksBehind?: number;
}

/** One way of serving, measured: who served (process, replicas) and whether the response cache was on. */
interface Serving {
  readonly serving: string;
  readonly cache: boolean;
  /** How the chain moved meanwhile, if it did. */
  readonly busyChain?: ChainMotion;
  readonly latency: Latency[];
}

interface DatabaseFigures {
  readonly database: string;
  readonly events: number;
  readonly blocks: number;
  /** From the HTTP server answering to the indexer holding the chain's head, in seconds: blocks fetched by RPC. */
  readonly indexingSeconds: number;
  readonly eventsPerSecond: number;
  /** The same with the endpoint listed once (Ponder's own rate limiting), into a database of its own. */
  readonly oneLaneIndexingSeconds: number;
  readonly oneLaneEventsPerSecond: number;
  /** The same into a new schema, with the chain's blocks and logs already in Ponder's RPC cache. */
  readonly cachedIndexingSeconds: number;
  readonly cachedEventsPerSecond: number;
  readonly servings: Serving[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * Sends `requests` requests made by `request` (or as many as fit in `durationMs`), `CONCURRENCY` at a time, and
 * times each.
 */
async function load(
  query: string,
  request: () => Promise<Response>,
  requests = REQUESTS,
  durationMs = Infinity,
): Promise<Latency> {
  const times: number[] = [];
  let hits = 0;
  let revalidated = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (next < requests && performance.now() < deadline) {
      next++;
      const start = performance.now();
      const response = await request();
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${query} answered ${response.status}`);
      times.push(performance.now() - start);
      const cache = response.headers.get("x-cache");
      if (cache === "hit" || cache === "shared") hits++;
      if (cache === "revalidated") revalidated++;
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
    cacheHits: round(hits / times.length, 2),
    revalidated: round(revalidated / times.length, 2),
  };
}

/**
 * Every query of the mix against `url`, each after a warm-up round; with `busy`, while the chain moves that way.
 */
async function measureServing(
  serving: string,
  cache: boolean,
  url: string,
  accounts: readonly string[],
  jobCount: bigint,
  busy?: { motion: ChainMotion; chain: MovingChain },
): Promise<Serving> {
  const latency: Latency[] = [];
  let maxBehind = 0;
  const sampleLag = async () => {
    const [head, status] = await Promise.all([
      rpc(busy!.chain.rpcUrl, "eth_blockNumber"),
      fetch(`${url}/status`).then(
        (response) => response.json() as Promise<Record<string, { block: { number: number } }>>,
      ),
    ]);
    const indexed = Math.min(...Object.values(status).map((chain) => chain.block.number));
    maxBehind = Math.max(maxBehind, Number(BigInt(head as string)) - indexed);
  };
  let moving = false;
  const mining =
    busy === undefined
      ? undefined
      : setInterval(() => {
          if (moving) return;
          moving = true;
          void (busy.motion === "blocks" ? busy.chain.mineEmptyBlock() : busy.chain.emitProtocolEvent())
            .then(sampleLag)
            .finally(() => (moving = false));
        }, 1_000);
  try {
    const mix = queries(url, accounts, jobCount);
    // Every query of the mix is warmed up before any is measured: a server process answers its first few thousand
    // requests slower (V8 compiles its hot paths meanwhile), which would otherwise fall on the first query measured.
    for (const [name, request] of mix) await load(name, request, WARM_UP_REQUESTS);
    for (const [name, request] of mix) {
      maxBehind = 0;
      // On a moving chain, long enough for several blocks to be indexed meanwhile.
      const measured =
        mining === undefined ? await load(name, request) : await load(name, request, Infinity, BUSY_SECONDS * 1_000);
      const figures = mining === undefined ? measured : { ...measured, maxBlocksBehind: maxBehind };
      console.log(
        `  ${serving}, cache ${cache ? "on" : "off"}${busy === undefined ? "" : `, ${MOTION_NAMES[busy.motion]}`}: ` +
          `${name}: ` +
          `p50 ${figures.p50} ms, p95 ${figures.p95} ms, ${figures.perSecond}/s, ` +
          `${Math.round(figures.cacheHits * 100)}% from the cache` +
          (mining === undefined ? "" : `, at most ${maxBehind} blocks behind`),
      );
      latency.push(figures);
    }
  } finally {
    clearInterval(mining);
  }
  return { serving, cache, ...(busy === undefined ? {} : { busyChain: busy.motion }), latency };
}

/**
 * The query mix: each query walks its whole range of keys (every job, every provider and validator), so a cache
 * serves a key only once it has seen it, as with many clients asking about many things.
 */
function queries(url: string, accounts: readonly string[], jobCount: bigint): [string, () => Promise<Response>][] {
  const post = (body: object) =>
    fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  let job = 0n;
  const someJob = () => (job = (job % jobCount) + 1n);
  let account = 0;
  const someAccount = () => accounts[account++ % accounts.length]!;
  return [
    [
      "GraphQL: a job with its slots and payouts",
      () =>
        post({
          query: `query ($id: BigInt!) { job(id: $id) { status escrow slots { items { status provider result } } payouts { items { providerAmount } } } }`,
          variables: { id: someJob().toString() },
        }),
    ],
    [
      "GraphQL: 100 latest protocol events",
      () =>
        post({
          query: `{ protocolEvents(orderBy: "id", orderDirection: "desc", limit: 100) { items { id contract event jobId } } }`,
        }),
    ],
    ["REST: a job's audit trail", () => fetch(`${url}/api/jobs/${someJob()}/trail`)],
    ["REST: a provider's reputation", () => fetch(`${url}/api/providers/${someAccount()}/reputation`)],
    ["REST: a node's own trail (100 newest)", () => fetch(`${url}/api/nodes/${someAccount()}/trail`)],
    ["REST: price history of (eu-west, Standard)", () => fetch(`${url}/api/prices/eu-west/standard`)],
    ["REST: market heatmap", () => fetch(`${url}/api/market/heatmap`)],
  ];
}

/** Ponder's own account of a sync (its Prometheus metrics): RPC requests by method, extraction, indexing. */
async function printWhereTimeWent(url: string) {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const wanted =
    /^ponder_(rpc_request_duration_(count|sum)|historical_(extract|transform|concurrency_group)_duration|indexing_function_duration_sum)/;
  const totals = new Map<string, number>();
  for (const line of metrics.split("\n")) {
    if (!wanted.test(line)) continue;
    const [series, value] = [line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1))];
    const key = series
      .replace(/,?(chain|event|type)="[^"]*"/g, "")
      .replace(/,?status="[^"]*"/, "")
      .replace("{}", "");
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  for (const [key, value] of totals) console.log(`  ${key} ${Math.round(value)}`);
}

/** Starts an indexer and returns how long it took to hold the chain's head, and how many events it indexed. */
async function timeSync(start: () => Promise<RunningIndexer>, rpcUrl: string) {
  const started = performance.now();
  const indexer = await start();
  const serving = performance.now();
  try {
    await waitUntilSynced(indexer.url, rpcUrl, 900_000);
    const seconds = (performance.now() - serving) / 1_000;
    if (SYNC_ONLY) await printWhereTimeWent(indexer.url);
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

/** Runs `start` with `name` set to `value` in the environment the indexer inherits. */
async function withEnv<T>(name: string, value: string, start: () => Promise<T>): Promise<T> {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

/** Starts an indexer with the response cache on or off. */
const withCache = <T>(cache: boolean, start: () => Promise<T>) =>
  withEnv("STARMINER_INDEXER_CACHE_ENTRIES", cache ? "2000" : "0", start);

/** Starts an indexer given the chain's endpoint once, as Ponder's configuration would by default. */
const withOneLane = <T>(start: () => Promise<T>) => withEnv("STARMINER_INDEXER_RPC_LANES", "1", start);

/** `REPLICAS` API replicas over the PostgreSQL schema `starminer`, serving once they all answer. */
async function startReplicas(databaseUrl: string, manifestDir: string, cache: boolean) {
  const port = await freePort();
  const replicas = Background.start(
    [...TYPESCRIPT, "scripts/indexer-serve.ts", "--port", String(port), "--replicas", String(REPLICAS)],
    {
      DATABASE_URL: databaseUrl,
      STARMINER_MANIFEST_DIR: manifestDir,
      STARMINER_INDEXER_CACHE_ENTRIES: cache ? "2000" : "0",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    "the replicas",
    async () => replicas.lines.filter((line) => line.includes("Created HTTP server")).length === REPLICAS,
  );
  await waitFor("the replicas to answer", async () => (await fetch(`${url}/ready`).catch(() => null))?.ok === true);
  return { url, stop: () => replicas.stop() };
}

async function measure(
  database: string,
  start: (port: number, schema: string) => Promise<RunningIndexer>,
  /** Starts an indexer on a database of its own, whose RPC cache is empty. */
  startApart: (port: number) => Promise<RunningIndexer>,
  chain: MovingChain,
  accounts: readonly string[],
  jobCount: bigint,
  databaseUrl?: string,
  manifestDir?: string,
): Promise<DatabaseFigures> {
  const { rpcUrl } = chain;
  const blocks = Number(BigInt((await rpc(rpcUrl, "eth_blockNumber")) as string));
  // Before: from nothing, with the endpoint listed once.
  const oneLane = await timeSync(async () => withOneLane(async () => startApart(await freePort())), rpcUrl);
  await oneLane.indexer.stop();
  // From nothing: every block and log is fetched from the node.
  const cold = await timeSync(async () => start(await freePort(), "starminer_cold"), rpcUrl);
  await cold.indexer.stop();
  // Into a new schema of the same database: Ponder's RPC cache already holds the chain.
  const { indexer, seconds, startSeconds, events } = await timeSync(
    async () => withCache(true, async () => start(await freePort(), "starminer")),
    rpcUrl,
  );
  let running = indexer;
  try {
    console.log(
      `${database}: ${events} events in ${blocks} blocks indexed in ${cold.seconds.toFixed(1)} s ` +
        `(${oneLane.seconds.toFixed(1)} s with one lane), ` +
        `${seconds.toFixed(1)} s from the RPC cache (started in ${startSeconds.toFixed(1)} s)`,
    );
    const servings: Serving[] = [];
    if (SYNC_ONLY) return { database, events, blocks, indexingSeconds: cold.seconds, servings } as DatabaseFigures;
    servings.push(await measureServing("the indexer's process", true, running.url, accounts, jobCount));
    for (const motion of ["blocks", "events"] as const) {
      servings.push(
        await measureServing("the indexer's process", true, running.url, accounts, jobCount, { motion, chain }),
      );
    }
    await running.stop();
    running = await withCache(false, async () => start(await freePort(), "starminer"));
    await waitUntilSynced(running.url, rpcUrl);
    servings.push(await measureServing("the indexer's process", false, running.url, accounts, jobCount));
    if (databaseUrl !== undefined && manifestDir !== undefined) {
      for (const cache of [true, false]) {
        const replicas = await startReplicas(databaseUrl, manifestDir, cache);
        try {
          const name = `${REPLICAS} API replicas`;
          servings.push(await measureServing(name, cache, replicas.url, accounts, jobCount));
          for (const motion of cache ? (["blocks", "events"] as const) : []) {
            servings.push(await measureServing(name, cache, replicas.url, accounts, jobCount, { motion, chain }));
          }
        } finally {
          await replicas.stop();
        }
      }
    }
    return {
      database,
      events,
      blocks,
      indexingSeconds: round(cold.seconds),
      eventsPerSecond: round(cold.events / cold.seconds, 0),
      oneLaneIndexingSeconds: round(oneLane.seconds),
      oneLaneEventsPerSecond: round(oneLane.events / oneLane.seconds, 0),
      cachedIndexingSeconds: round(seconds),
      cachedEventsPerSecond: round(events / seconds, 0),
      servings,
    };
  } finally {
    await running.stop();
  }
}

function markdown(figures: DatabaseFigures[], jobs: number): string {
  const lines = [
    "# Indexer",
    "",
    `A local hardhat node with the protocol deployed, the every-terminal-state scenario and ${jobs} more three-provider`,
    "consensus jobs run to settlement. Indexing time runs from the indexer's HTTP server answering to the indexer",
    "holding the chain's head: first from an empty database (every block and log fetched from the node), then into",
    'a new schema of the same database, whose RPC cache already holds the chain (indexing alone). "One lane" is the',
    "same cold start with the node's URL given to Ponder once (before: Ponder starts each URL at 20 requests a second",
    "and raises that by 5% a step); the indexer lists a local node's URL 64 times (`STARMINER_INDEXER_RPC_LANES`).",
    "",
    `Latency is measured at the client (one Node process, \`fetch\`), ${CONCURRENCY} requests at a time, ${REQUESTS}`,
    `requests per query after a warm-up round of ${WARM_UP_REQUESTS} of every query of the mix: with the chain idle, and for ${BUSY_SECONDS} s each`,
    "while the chain moves, either by a block without protocol events every second (the indexed head moves, the",
    "tables do not: the cache keeps answers made from the tables and makes again those made from the head, such as a",
    "reputation decayed to the head's time) or by a protocol event every second (an allowance changed: the tables",
    "change, and every cached answer is made again or checked). Each query walks its whole range of keys (every job, every",
    "provider and validator), so the cache answers a key only after it has served it once since the tables last",
    'changed. "From the cache" counts answers that ran no query: a kept answer, or the answer being made for an',
    'identical request that arrived first; "after a check" those served again once one query found the rows they',
    "read unchanged since the answer was made (a job's audit trail: its newest event). The machine",
    `runs the client, the chain, the indexer, PostgreSQL and the replicas: ${cpus()[0]?.model ?? "unknown CPU"},`,
    `${availableParallelism()} hardware threads.`,
    "",
    "| Database | Events | Blocks | One lane (s) | Events/s | Indexing (s) | Events/s | From the RPC cache (s) | Events/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...figures.map(
      (f) =>
        `| ${f.database} | ${f.events} | ${f.blocks} | ${f.oneLaneIndexingSeconds} | ${f.oneLaneEventsPerSecond} | ` +
        `${f.indexingSeconds} | ${f.eventsPerSecond} | ${f.cachedIndexingSeconds} | ${f.cachedEventsPerSecond} |`,
    ),
    "",
  ];
  for (const f of figures) {
    for (const s of f.servings) {
      const busy = s.busyChain === undefined ? "" : `, ${MOTION_NAMES[s.busyChain]}`;
      lines.push(`## ${f.database}: ${s.serving}, response cache ${s.cache ? "on" : "off"}${busy}`, "");
      const lag = s.busyChain === undefined ? "" : " Indexer behind (blocks, at most) |";
      lines.push(
        `| Query | Requests | p50 (ms) | p95 (ms) | p99 (ms) | Requests/s | From the cache | After a check |${lag}`,
      );
      lines.push(
        `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${s.busyChain === undefined ? "" : " ---: |"}`,
      );
      for (const l of s.latency) {
        lines.push(
          `| ${l.query} | ${l.requests} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.perSecond} | ` +
            `${Math.round(l.cacheHits * 100)}% | ${Math.round(l.revalidated * 100)}% |${s.busyChain === undefined ? "" : ` ${l.maxBlocksBehind} |`}`,
        );
      }
      lines.push("");
    }
  }
  return lines.join("\n");
}

/** A second database on the PostgreSQL server, so that the one-lane run starts with an empty RPC cache. */
async function oneLaneDatabase(): Promise<string> {
  const client = await connectPostgres(postgres.url);
  try {
    await client.query("CREATE DATABASE starminer_one_lane");
  } finally {
    await client.end();
  }
  return postgres.url.replace(/\/postgres$/, "/starminer_one_lane");
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
  const nodes = [...market.providers, ...market.validators].map((signer) => signer.address);
  let approvals = 0n;
  const chain: MovingChain = {
    rpcUrl,
    mineEmptyBlock: () => rpc(rpcUrl, "evm_mine"),
    // An allowance changed: one AGPU Approval event, indexed into the audit trail and nothing else.
    emitProtocolEvent: async () =>
      (await market.agpu.connect(accounts.carol).approve(await jobMarket.getAddress(), ++approvals)).wait(),
  };

  /** An indexer on the embedded database in `directory` of the work directory. */
  const onPglite = (directory: string) => async (port: number) =>
    startIndexer({ rpcUrl, manifestDir, port, schema: "starminer", database: { pgliteDir: join(workDir, directory) } });
  const figures = [
    await measure("PGlite (embedded)", onPglite("pglite"), onPglite("pglite-one-lane"), chain, nodes, jobCount),
    await measure(
      "PostgreSQL 15",
      async (p, schema) => startIndexer({ rpcUrl, manifestDir, port: p, schema, database: { url: postgres.url } }),
      async (p) =>
        startIndexer({ rpcUrl, manifestDir, port: p, schema: "starminer", database: { url: await oneLaneDatabase() } }),
      chain,
      nodes,
      jobCount,
      postgres.url,
      manifestDir,
    ),
  ];
  if (!SYNC_ONLY) {
    await writeFile(
      join(RESULTS_DIR, "indexer.json"),
      `${JSON.stringify({ jobs: Number(jobCount), concurrency: CONCURRENCY, replicas: REPLICAS, figures }, null, 2)}\n`,
    );
    await writeFile(join(RESULTS_DIR, "indexer.md"), `${markdown(figures, JOBS)}\n`);
    console.log(`wrote ${join(RESULTS_DIR, "indexer.md")}`);
  }
} finally {
  await postgres.stop();
  await live.close();
}

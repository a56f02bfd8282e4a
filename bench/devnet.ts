/**
 * Devnet throughput: how many jobs a local devnet settles end to end per minute — submitted, claimed, computed
 * (dense layer; a Groth16 proof for ZK jobs), committed and revealed or submitted with evidence, verified, through
 * the challenge window, finalized and paid — with every verification mode in the mix.
 *
 *   npm run bench:devnet    writes bench/results/devnet.json and bench/results/devnet.md
 *
 * Environment: BENCH_DEVNET_JOBS (default 40 per latency configuration), BENCH_DEVNET_BUSY_JOBS (default 200, for
 * the busy market), BENCH_DEVNET_OFFERED_JOBS (default 300, for the market offered more than 300 jobs a minute). Runs
 * without the indexer, on ports 8601-8604.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { runDevnet } from "../scripts/lib/devnet/devnet.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const JOBS = Number(process.env.BENCH_DEVNET_JOBS ?? 40);
const BUSY_JOBS = Number(process.env.BENCH_DEVNET_BUSY_JOBS ?? 200);
const OFFERED_JOBS = Number(process.env.BENCH_DEVNET_OFFERED_JOBS ?? 300);

/**
 * The first two submit a few jobs at a time (their pace is mostly each job's latency); the busy market submits
 * more jobs than its providers can take at once, at a clock slow enough that no honest node misses a window; the
 * last offers more than 300 jobs a minute (a submission takes half a second or more) to providers with room for
 * them, to show what limits the pace beyond that.
 */
const CONFIGURATIONS = [
  { name: "6 providers, 2 requesters, clock x60", providers: 6, requesters: 2, speed: 60, port: 8601 },
  { name: "9 providers, 4 requesters, clock x120", providers: 9, requesters: 4, speed: 120, port: 8602 },
  {
    name: "busy: 12 providers, 6 requesters each submitting every second, clock x40",
    providers: 12,
    requesters: 6,
    speed: 40,
    port: 8603,
    jobs: BUSY_JOBS,
    submitEveryMs: 1_000,
  },
  {
    name: "offered 300+ a minute: 12 providers with room for 6 jobs each, 10 requesters every 0.5 s, clock x40",
    providers: 12,
    providerRoom: 6,
    requesters: 10,
    speed: 40,
    port: 8604,
    jobs: OFFERED_JOBS,
    submitEveryMs: 500,
  },
];

const figures = [];
for (const configuration of CONFIGURATIONS) {
  const directory = await mkdtemp(join(tmpdir(), "starminer-bench-devnet-"));
  const jobs = configuration.jobs ?? JOBS;
  console.log(`${configuration.name}: ${jobs} jobs`);
  try {
    const summary = await runDevnet(
      {
        directory,
        port: configuration.port,
        providers: configuration.providers,
        dishonest: 1,
        validators: 4,
        requesters: configuration.requesters,
        jobs,
        speed: configuration.speed,
        submitEveryMs: configuration.submitEveryMs ?? 500,
        ...(configuration.providerRoom === undefined ? {} : { providerRoom: configuration.providerRoom }),
        drainTimeoutSeconds: 900,
        progressEveryMs: 1_000,
        verbose: false,
        print: () => {},
      },
      new AbortController().signal,
    );
    const figure = {
      configuration: configuration.name,
      jobs: summary.tally.submitted,
      settled: summary.tally.settled,
      refunded: summary.tally.refunded,
      slashes: summary.tally.slashes,
      disputes: summary.tally.disputes,
      wallSeconds: Math.round(summary.seconds),
      jobsPerMinute: Number(summary.jobsPerMinute.toFixed(1)),
      busyJobsPerMinute: summary.busyJobsPerMinute === undefined ? null : Number(summary.busyJobsPerMinute.toFixed(1)),
      chainCpu: summary.cpu.chain === undefined ? null : Number(summary.cpu.chain.toFixed(2)),
      actorsCpu: Number(summary.cpu.actors.toFixed(2)),
      honestProvidersSlashed: Object.keys(summary.audit.honestProvidersSlashed).length,
      unfinished: summary.audit.unfinished.length,
    };
    console.log(`  ${figure.jobsPerMinute} jobs/minute (${figure.settled} settled, ${figure.refunded} refunded)`);
    figures.push(figure);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const machine = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version };
await writeFile(join(RESULTS_DIR, "devnet.json"), `${JSON.stringify({ machine, figures }, null, 2)}\n`);
const lines = [
  "# Devnet throughput",
  "",
  `Jobs ended (settled or refunded) per minute of wall time, from the first submission until every job of the run`,
  `had ended, on ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}. Every mode in the mix: Consensus (k-of-n`,
  'commit-reveal), Optimistic, TEE, ZK (a Groth16 dense-layer proof per job). Without the indexer. "Busy" is the',
  "pace between the progress lines (one a second) where a tenth and where nine tenths of the run's jobs had ended:",
  "the market's pace once full, without the first jobs' latency or the last ones' windows (a dispute's vote takes",
  "three hours of chain time). Each run is audited against the chain: honest providers slashed and jobs left",
  "unfinished are counted. What limits the pace: the CPU time the chain's node and the devnet's own process (the",
  "simulated actors with their proving and inference, and the content gateway) used while the actors ran, as a",
  "share of one core; the node used little more than one core in any run measured, so a share near 1 is a node at",
  "its limit.",
  "",
  "| configuration | jobs | settled | refunded | slashes | honest slashed | unfinished | wall s | jobs/minute | busy jobs/minute | node CPU | actors CPU |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...figures.map(
    (f) =>
      `| ${f.configuration} | ${f.jobs} | ${f.settled} | ${f.refunded} | ${f.slashes} | ${f.honestProvidersSlashed} | ` +
      `${f.unfinished} | ${f.wallSeconds} | ${f.jobsPerMinute} | ${f.busyJobsPerMinute ?? "-"} | ` +
      `${f.chainCpu ?? "-"} | ${f.actorsCpu} |`,
  ),
  "",
];
await writeFile(join(RESULTS_DIR, "devnet.md"), lines.join("\n"));

/**
 * Devnet throughput: how many jobs a local devnet settles end to end per minute — submitted, claimed, computed
 * (dense layer; a Groth16 proof for ZK jobs), committed and revealed or submitted with evidence, verified, through
 * the challenge window, finalized and paid — with every verification mode in the mix.
 *
 *   npm run bench:devnet    writes bench/results/devnet.json and bench/results/devnet.md
 *
 * Environment: BENCH_DEVNET_JOBS (default 40 per configuration). Runs without the indexer, on ports 8601-8602.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { runDevnet } from "../scripts/lib/devnet/devnet.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const JOBS = Number(process.env.BENCH_DEVNET_JOBS ?? 40);

const CONFIGURATIONS = [
  { name: "6 providers, 2 requesters, clock x60", providers: 6, requesters: 2, speed: 60, port: 8601 },
  { name: "9 providers, 4 requesters, clock x120", providers: 9, requesters: 4, speed: 120, port: 8602 },
];

const figures = [];
for (const configuration of CONFIGURATIONS) {
  const directory = await mkdtemp(join(tmpdir(), "starminer-bench-devnet-"));
  console.log(`${configuration.name}: ${JOBS} jobs`);
  try {
    const summary = await runDevnet(
      {
        directory,
        port: configuration.port,
        providers: configuration.providers,
        dishonest: 1,
        validators: 4,
        requesters: configuration.requesters,
        jobs: JOBS,
        speed: configuration.speed,
        submitEveryMs: 500,
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
  "commit-reveal), Optimistic, TEE, ZK (a Groth16 dense-layer proof per job). Without the indexer.",
  "",
  "| configuration | jobs | settled | refunded | slashes | wall s | jobs/minute |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...figures.map(
    (f) =>
      `| ${f.configuration} | ${f.jobs} | ${f.settled} | ${f.refunded} | ${f.slashes} | ${f.wallSeconds} | ${f.jobsPerMinute} |`,
  ),
  "",
];
await writeFile(join(RESULTS_DIR, "devnet.md"), lines.join("\n"));

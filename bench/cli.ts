/**
 * CLI start-up: how long `starminer` takes to answer, as a user's shell sees it (a new Node process each time),
 * for the built CLI (`dist/cli`, what `npm ci` builds) and for the TypeScript sources run through tsx (what a
 * checkout edited since its build runs). A local chain with the protocol deployed answers the read commands.
 *
 *   npm run bench:cli        writes bench/results/cli.json and bench/results/cli.md
 *
 * Environment: BENCH_CLI_RUNS (default 7 per command and way). Port 8621.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { PROJECT_ROOT, deployWithScript, startHardhatNode } from "../scripts/lib/devnet/processes.js";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 7);
const PORT = 8621;
const run = promisify(execFile);

const COMMANDS = [
  { name: "--help", args: ["--help"], target: 0.5 },
  { name: "--version", args: ["--version"], target: 0.5 },
  { name: "job submit --help", args: ["job", "submit", "--help"], target: 0.5 },
  { name: "price quote (a read)", args: ["price", "quote", "--zone", "eu-west", "--hours", "2"], target: 1.5 },
  {
    name: "token balance (a read)",
    args: ["token", "balance", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
    target: 1.5,
  },
  { name: "gov list (a read of events)", args: ["gov", "list"], target: 1.5 },
];

const WAYS = {
  // As users run it: the entry point, which checks that the build is newer than the sources and runs it.
  built: [join(PROJECT_ROOT, "bin", "starminer.mjs")],
  sources: ["--import", "tsx", join(PROJECT_ROOT, "scripts", "cli", "main.ts")],
} as const;

// The build, fresh, so that the entry point takes it.
await run(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "scripts", "build", "cli.ts")], {
  cwd: PROJECT_ROOT,
});

const directory = await mkdtemp(join(tmpdir(), "starminer-bench-cli-"));
const rpcUrl = `http://127.0.0.1:${PORT}`;
const chain = await startHardhatNode(PORT);
const figures = [];
try {
  const manifestDir = join(directory, "manifests");
  await deployWithScript(rpcUrl, manifestDir, "bench-cli-31337");
  const env = { ...process.env, STARMINER_RPC_URL: rpcUrl, STARMINER_MANIFEST_DIR: manifestDir };
  for (const command of COMMANDS) {
    const figure: Record<string, unknown> = { command: command.name, targetSeconds: command.target };
    for (const [way, prefix] of Object.entries(WAYS)) {
      const seconds = [];
      for (let i = 0; i < RUNS; i++) {
        const started = process.hrtime.bigint();
        await run(process.execPath, [...prefix, ...command.args], { cwd: PROJECT_ROOT, env });
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      }
      seconds.sort((a, b) => a - b);
      figure[way] = { median: round(seconds[Math.floor(seconds.length / 2)]!), worst: round(seconds.at(-1)!) };
    }
    console.log(`${command.name}: ${JSON.stringify(figure)}`);
    figures.push(figure);
  }
} finally {
  await chain.stop();
  await rm(directory, { recursive: true, force: true });
  await rm(join(PROJECT_ROOT, "ignition", "deployments", "bench-cli-31337"), { recursive: true, force: true });
}

function round(seconds: number): number {
  return Math.round(seconds * 1_000) / 1_000;
}

const machine = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version };
const resultsDir = join(PROJECT_ROOT, "bench", "results");
await writeFile(join(resultsDir, "cli.json"), `${JSON.stringify({ machine, runs: RUNS, figures }, null, 2)}\n`);
type Timing = { median: number; worst: number };
await writeFile(
  join(resultsDir, "cli.md"),
  [
    "# CLI start-up",
    "",
    `Seconds from starting \`node\` until the command exits, as a shell runs it: the median and the worst of ${RUNS}`,
    `runs, on ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, against a local chain. "built" is`,
    "`bin/starminer.mjs` running `dist/cli` (bundled by `npm run build:cli`; taken while newer than the sources);",
    '"sources" is the TypeScript run through tsx (what an edited checkout runs until it is built again).',
    "`npm run bench:cli`.",
    "",
    "| command | target s | built: median | built: worst | sources: median | sources: worst |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...figures.map((f) => {
      const built = f.built as Timing;
      const sources = f.sources as Timing;
      return `| ${f.command} | ${f.targetSeconds} | ${built.median} | ${built.worst} | ${sources.median} | ${sources.worst} |`;
    }),
    "",
  ].join("\n"),
);

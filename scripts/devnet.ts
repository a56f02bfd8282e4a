/**
 * The main job: `npm start`. A local chain with the whole protocol deployed, the indexer serving GraphQL, and
 * simulated providers, validators and requesters trading GPU jobs in every verification mode. Ctrl-C stops it.
 *
 *   npm start
 *   npm start -- --providers 9 --dishonest 2 --requesters 3 --speed 120
 *   npm start -- --jobs 20            submit 20 jobs, stop once every one has ended, print the summary
 *   npm start -- --duration 300       run for five minutes
 *   npm start -- --submit-for 600     submit for ten minutes, then wait for every job to end and audit the chain
 *   npm start -- --help
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";

import { describeError } from "@starminer/sdk";

import { auditPassed, describeAudit } from "./lib/devnet/audit.js";
import { runDevnet } from "./lib/devnet/devnet.js";
import { PROJECT_ROOT } from "./lib/devnet/processes.js";
import { UsageError } from "./lib/usage-error.js";

function whole(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${value}"`);
  }
  return Number(value);
}

const HELP = `usage: npm start -- [options]

A local chain with the protocol deployed, the indexer serving, and simulated providers, validators and requesters
at work in every verification mode. Prints the CLI's environment and funded development keys once it is up.

  --providers <n>        simulated providers, over up to three zones (6)
  --dishonest <n>        of them reporting wrong results (1)
  --validators <n>       auditors and jurors (4)
  --requesters <n>       each submits a job every --submit-every ms (2)
  --speed <n>            chain seconds per wall second (60)
  --submit-every <ms>    (4000)
  --progress-every <ms>  (5000)
  --jobs <n>             submit n jobs, wait for every one to end, audit the chain and stop
  --submit-for <s>       submit for s seconds, wait for every job to end, audit the chain and stop
  --drain-timeout <s>    with --jobs or --submit-for: stop waiting for the last jobs after s seconds (900)
  --duration <s>         stop after s seconds
  --port <n>             the chain's JSON-RPC port (8545)
  --indexer-port <n>     the indexer's port (42069)
  --no-indexer           run without the indexer (and the explorer)
  --explorer-port <n>    the explorer's port (5173)
  --no-explorer          run without the explorer
  --directory <dir>      where the devnet keeps its files, emptied at start (.devnet)
  --idle                 deploy and set up, then run no simulated actor: a quiet chain for trying the CLI,
                         whose clock only \`starminer devnet warp\` moves
  --quiet                progress lines only
  --help                 this text

Ends on Ctrl-C. With --jobs or --submit-for, exits 1 when a job did not end, an honest node was penalised, or the
tally disagrees with the chain.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: "boolean", default: false },
      "submit-for": { type: "string" },
      "drain-timeout": { type: "string", default: "900" },
      providers: { type: "string", default: "6" },
      dishonest: { type: "string", default: "1" },
      validators: { type: "string", default: "4" },
      requesters: { type: "string", default: "2" },
      jobs: { type: "string" },
      duration: { type: "string" },
      speed: { type: "string", default: "60" },
      "submit-every": { type: "string", default: "4000" },
      "progress-every": { type: "string", default: "5000" },
      port: { type: "string", default: "8545" },
      "indexer-port": { type: "string", default: "42069" },
      "no-indexer": { type: "boolean", default: false },
      "explorer-port": { type: "string", default: "5173" },
      "no-explorer": { type: "boolean", default: false },
      directory: { type: "string", default: resolve(PROJECT_ROOT, ".devnet") },
      quiet: { type: "boolean", default: false },
      idle: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const providers = whole("providers", values.providers, 2, 60)!;
  const dishonest = whole("dishonest", values.dishonest, 0, providers - 2)!;
  const validators = whole("validators", values.validators, 3, 30)!;
  const requesters = whole("requesters", values.requesters, 1, 30)!;
  const jobs = whole("jobs", values.jobs, 1, 100_000);
  const duration = whole("duration", values.duration, 1, 7 * 86_400);
  const submitFor = whole("submit-for", values["submit-for"], 1, 7 * 86_400);
  const stop = new AbortController();
  // `on`, not `once`: a second Ctrl-C (or a signal relayed twice) must find a listener too, or Node's default
  // would kill the devnet before it has stopped its chain and indexer.
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const summary = await runDevnet(
    {
      directory: resolve(values.directory),
      port: whole("port", values.port, 1, 65_535)!,
      ...(values["no-indexer"] ? {} : { indexerPort: whole("indexer-port", values["indexer-port"], 1, 65_535)! }),
      ...(values["no-indexer"] || values["no-explorer"]
        ? {}
        : { explorerPort: whole("explorer-port", values["explorer-port"], 1, 65_535)! }),
      providers,
      dishonest,
      validators,
      requesters,
      ...(jobs === undefined ? {} : { jobs }),
      ...(duration === undefined ? {} : { durationSeconds: duration }),
      ...(submitFor === undefined ? {} : { submitForSeconds: submitFor }),
      drainTimeoutSeconds: whole("drain-timeout", values["drain-timeout"], 1, 7 * 86_400)!,
      speed: whole("speed", values.speed, 1, 3_600)!,
      submitEveryMs: whole("submit-every", values["submit-every"], 100, 3_600_000)!,
      progressEveryMs: whole("progress-every", values["progress-every"], 500, 3_600_000)!,
      verbose: !values.quiet,
      idle: values.idle,
      print: (line) => console.log(line),
    },
    stop.signal,
  );
  console.log(
    `devnet stopped after ${summary.seconds.toFixed(0)} s: ${summary.tally.settled} settled, ` +
      `${summary.tally.refunded} refunded, ${summary.jobsPerMinute.toFixed(1)} jobs/minute ended`,
  );
  for (const line of describeAudit(summary.audit)) console.log(line);
  // A run asked to end with every job ended answers for the chain's state; a run stopped by Ctrl-C does not.
  if (jobs !== undefined || submitFor !== undefined) return auditPassed(summary.audit) ? 0 : 1;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`devnet: ${describeError(error)}${usage ? " (see npm start -- --help)" : ""}`);
    process.exitCode = usage ? 2 : 1;
  },
);

/**
 * The main job: `npm start`. A local chain with the whole protocol deployed, the indexer serving GraphQL, and
 * simulated providers, validators and requesters trading GPU jobs in every verification mode. Ctrl-C stops it.
 *
 *   npm start
 *   npm start -- --providers 9 --dishonest 2 --requesters 3 --speed 120
 *   npm start -- --jobs 20            submit 20 jobs, stop once every one has ended, print the summary
 *   npm start -- --duration 300       run for five minutes
 *
 * Options: --providers <n> (6), --dishonest <n> (1), --validators <n> (4), --requesters <n> (2), --jobs <n>,
 * --duration <s>, --speed <chain seconds per second> (60), --submit-every <ms> (4000), --port <n> (8545),
 * --indexer-port <n> (42069), --no-indexer, --directory <dir> (.devnet), --quiet (progress lines only).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";

import { describeError } from "./lib/errors.js";
import { runDevnet } from "./lib/devnet/devnet.js";
import { PROJECT_ROOT } from "./lib/devnet/processes.js";

function whole(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}; got "${value}"`);
  }
  return Number(value);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
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
      directory: { type: "string", default: resolve(PROJECT_ROOT, ".devnet") },
      quiet: { type: "boolean", default: false },
    },
  });
  const providers = whole("providers", values.providers, 2, 60)!;
  const dishonest = whole("dishonest", values.dishonest, 0, providers - 2)!;
  const validators = whole("validators", values.validators, 3, 30)!;
  const requesters = whole("requesters", values.requesters, 1, 30)!;
  const jobs = whole("jobs", values.jobs, 1, 100_000);
  const duration = whole("duration", values.duration, 1, 7 * 86_400);
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
      providers,
      dishonest,
      validators,
      requesters,
      ...(jobs === undefined ? {} : { jobs }),
      ...(duration === undefined ? {} : { durationSeconds: duration }),
      speed: whole("speed", values.speed, 1, 3_600)!,
      submitEveryMs: whole("submit-every", values["submit-every"], 100, 3_600_000)!,
      progressEveryMs: whole("progress-every", values["progress-every"], 500, 3_600_000)!,
      verbose: !values.quiet,
      print: (line) => console.log(line),
    },
    stop.signal,
  );
  console.log(
    `devnet stopped after ${summary.seconds.toFixed(0)} s: ${summary.tally.settled} settled, ` +
      `${summary.tally.refunded} refunded, ${summary.jobsPerMinute.toFixed(1)} jobs/minute ended`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`devnet: ${describeError(error)}`);
    process.exitCode = 1;
  },
);

/**
 * Soak: the default devnet (`npm start`'s settings: 6 providers, 1 of them dishonest, 4 validators, 2 requesters,
 * the chain's clock x60, the indexer serving) run for a long while, then drained and audited: every job must end,
 * no honest provider be slashed, no validator penalised, and the tally counted from events as they arrived must
 * match the chain's state (job statuses, penalties, the stake the nodes lost).
 *
 *   npm run bench:soak                        60 minutes of submissions; writes bench/results/soak.{json,md}
 *   npm run bench:soak -- --minutes 2 --results <dir>
 *
 * Exits 1 when the audit fails. Ports 8611 (chain) and 8612 (indexer) unless --port / --indexer-port say otherwise.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { formatEther } from "viem";

import { auditPassed, describeAudit } from "../scripts/lib/devnet/audit.js";
import { runDevnet } from "../scripts/lib/devnet/devnet.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "60" },
    results: { type: "string", default: join(dirname(fileURLToPath(import.meta.url)), "results") },
    port: { type: "string", default: "8611" },
    "indexer-port": { type: "string", default: "8612" },
  },
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes must be a positive number`);
const resultsDir = resolve(values.results);
const SETTINGS = { providers: 6, dishonest: 1, validators: 4, requesters: 2, speed: 60, submitEveryMs: 4_000 };

const directory = await mkdtemp(join(tmpdir(), "starminer-soak-"));
const stop = new AbortController();
process.on("SIGINT", () => stop.abort());
const samples: string[] = [];
let summary;
try {
  summary = await runDevnet(
    {
      directory,
      port: Number(values.port),
      indexerPort: Number(values["indexer-port"]),
      ...SETTINGS,
      submitForSeconds: minutes * 60,
      drainTimeoutSeconds: 1_800,
      progressEveryMs: 10_000,
      verbose: false,
      print: (line) => {
        console.log(line);
        if (line.startsWith("[") || line.startsWith("warning:")) samples.push(line);
      },
    },
    stop.signal,
  );
} finally {
  await rm(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
}

const { tally, audit } = summary;
const passed = auditPassed(audit);
const machine = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version };
const figures = {
  minutes,
  settings: SETTINGS,
  wallSeconds: Math.round(summary.seconds),
  chainHours: Number(((summary.seconds * SETTINGS.speed) / 3_600).toFixed(1)),
  jobsPerMinute: Number(summary.jobsPerMinute.toFixed(1)),
  tally: {
    ...tally,
    slashedAmount: formatEther(tally.slashedAmount),
    forfeitedAmount: formatEther(tally.forfeitedAmount),
    paidToProviders: formatEther(tally.paidToProviders),
  },
  audit,
  passed,
};
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, "soak.json"), `${JSON.stringify({ machine, ...figures }, null, 2)}\n`);
const every = Math.max(1, Math.floor(samples.length / 24));
await writeFile(
  join(resultsDir, "soak.md"),
  [
    "# Devnet soak",
    "",
    `The default devnet (${SETTINGS.providers} providers, ${SETTINGS.dishonest} of them dishonest, ` +
      `${SETTINGS.validators} validators, ${SETTINGS.requesters} requesters, a job every ` +
      `${SETTINGS.submitEveryMs / 1_000} s per requester, the chain's clock x${SETTINGS.speed}, the indexer serving) ` +
      `submitting for ${minutes} minute(s) of wall time (${((minutes * SETTINGS.speed) / 60).toFixed(0)} hour(s) of ` +
      `chain time), then left to finish every job; then the chain audited job by job. On ${machine.cpus} cores ` +
      `(${machine.cpu}), Node ${machine.node}. \`npm run bench:soak\`.`,
    "",
    `**${passed ? "Passed" : "FAILED"}**: ${summary.seconds.toFixed(0)} s of wall time in all, ` +
      `${tally.submitted} jobs, ${figures.jobsPerMinute} jobs ended per minute.`,
    "",
    "| figure | value |",
    "| --- | ---: |",
    `| jobs submitted | ${tally.submitted} |`,
    `| settled | ${tally.settled} |`,
    `| refunded | ${tally.refunded} |`,
    `| disputes (audits failed) | ${tally.disputes} (${tally.auditsFailed}) |`,
    `| slashes (AGPU) | ${tally.slashes} (${figures.tally.slashedAmount}) |`,
    `| paid to providers (AGPU) | ${figures.tally.paidToProviders} |`,
    `| actors' steps retried | ${tally.errors} |`,
    `| rounds behind the clock | ${tally.behindClock} |`,
    "",
    "## Audit of the chain at the end",
    "",
    ...describeAudit(audit).map((line) => `- ${line.replace(/^audit: /, "")}`),
    "",
    "## Progress (sampled)",
    "",
    "```",
    ...samples.filter((_, i) => i % every === 0 || i === samples.length - 1),
    "```",
    "",
  ].join("\n"),
);
console.log(`${passed ? "passed" : "FAILED"}: results in ${resultsDir}`);
process.exitCode = passed ? 0 : 1;

/**
 * Matcher figures: how long ranking takes over many providers (10 000 by default), for a job in one zone and with
 * spillover to neighbours.
 *
 *   npm run bench:matcher    writes bench/results/matcher.json and bench/results/matcher.md
 *
 * Environment: BENCH_MATCHER_PROVIDERS (default 10 000), BENCH_MATCHER_RUNS (default 50).
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Hex } from "viem";
import { DEFAULT_ZONES, zoneId } from "@starminer/sdk";

import { type Candidate, type JobRequirements, marketView, rankProviders } from "../scripts/lib/matcher.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const PROVIDERS = Number(process.env.BENCH_MATCHER_PROVIDERS ?? 10_000);
const RUNS = Number(process.env.BENCH_MATCHER_RUNS ?? 50);
const AGPU = 10n ** 18n;
const GPUS = [
  { vramMiB: 24_576, computeCapability: 89, tflopsCenti: 8_260 },
  { vramMiB: 49_152, computeCapability: 89, tflopsCenti: 9_100 },
  { vramMiB: 81_920, computeCapability: 80, tflopsCenti: 1_950 },
  { vramMiB: 81_920, computeCapability: 90, tflopsCenti: 6_700 },
];

/** A deterministic pseudo-random sequence (mulberry32), so every run ranks the same providers. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const zones = DEFAULT_ZONES.map((label) => zoneId(label));
const next = random(42);
const candidates: Candidate[] = Array.from({ length: PROVIDERS }, (_, n) => {
  const gpu = GPUS[Math.floor(next() * GPUS.length)]!;
  const claimed = Math.floor(next() * 200);
  const staked = BigInt(1_000 + Math.floor(next() * 20_000)) * AGPU;
  return {
    address: `0x${(n + 1).toString(16).padStart(40, "0")}` as Hex,
    active: next() > 0.05,
    zone: zones[Math.floor(next() * zones.length)]!,
    ...gpu,
    // Every runtime, so that the figures stay comparable with runs from before runtimes were advertised.
    runtimes: 0b111,
    attested: next() > 0.7,
    capabilityVerified: next() > 0.5,
    composite: next() > 0.1 ? Math.floor(next() * 10_000) : null,
    staked,
    locked: (staked * BigInt(Math.floor(next() * 100))) / 100n,
    slotsClaimed: claimed,
    slotsDelivered: Math.floor(claimed * (0.7 + next() * 0.3)),
    slotsMissed: Math.floor(claimed * next() * 0.1),
    slashCount: next() > 0.9 ? Math.floor(next() * 4) : 0,
  };
});
const market = marketView(
  zones.map((zone, i) => [zone, BigInt(2 + i) * AGPU] as [Hex, bigint]),
  [
    [zoneId("eu-west"), zoneId("eu-central"), 1_000],
    [zoneId("us-east"), zoneId("us-west"), 1_500],
  ],
);
const job: JobRequirements = {
  zone: zoneId("eu-west"),
  spilloverAllowed: false,
  minVramMiB: 40_960,
  minComputeCapability: 80,
  teeRequired: false,
  provenHardware: false,
  reputationFloor: 5_000,
};

function measure(name: string, requirements: JobRequirements) {
  for (let i = 0; i < 5; i++) rankProviders(requirements, candidates, market); // warm-up
  const times: number[] = [];
  let eligible = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const { excluded } = rankProviders(requirements, candidates, market);
    times.push(performance.now() - start);
    eligible = PROVIDERS - Object.values(excluded).reduce((sum, count) => sum + count, 0);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => Number(times[Math.min(times.length - 1, Math.floor(times.length * p))]!.toFixed(2));
  const figures = { job: name, providers: PROVIDERS, eligible, runs: RUNS, p50Ms: at(0.5), p95Ms: at(0.95) };
  console.log(`${name}: ${eligible} of ${PROVIDERS} eligible, p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms`);
  return figures;
}

const figures = [
  measure("eu-west, Standard floor, 40 GiB, compute 8.0", job),
  measure("the same, spilling over to eu-central", { ...job, spilloverAllowed: true }),
  measure("TEE and proven hardware required", { ...job, teeRequired: true, provenHardware: true }),
];
await writeFile(join(RESULTS_DIR, "matcher.json"), `${JSON.stringify({ figures }, null, 2)}\n`);
const lines = [
  "# Matcher",
  "",
  `Ranking ${PROVIDERS} synthetic providers (seeded, spread over the default zones and four GPU types) for a job,`,
  `top three returned; ${RUNS} runs after a warm-up, in one Node process.`,
  "",
  "| Job | Providers | Eligible | p50 (ms) | p95 (ms) |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...figures.map((f) => `| ${f.job} | ${f.providers} | ${f.eligible} | ${f.p50Ms} | ${f.p95Ms} |`),
  "",
];
await writeFile(join(RESULTS_DIR, "matcher.md"), lines.join("\n"));
console.log(`wrote ${join(RESULTS_DIR, "matcher.md")}`);

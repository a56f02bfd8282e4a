/**
 * Where a job's gas goes: each step of an Optimistic, a Consensus and a ZK job, as measured by `npm run bench`,
 * split by the call tree of its transaction into the intrinsic cost (21 000 + calldata), the market's own
 * execution (its storage, checks and events, its linked libraries included, net of refunds) and each call across a
 * boundary to another protocol contract (inclusive of what that contract calls in turn, the AccessManager's check
 * shown apart).
 *
 *   npm run bench:gas-breakdown    writes bench/results/gas-breakdown.md and bench/results/gas-breakdown.json
 *
 * The same scenario as `npm run bench` (bench/gas/market.ts), on the production build profile; each traced
 * transaction is read back with the node's `callTracer`.
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { network } from "hardhat";
import { type Abi, type Hex, hexToBigInt, hexToBytes, toFunctionSelector } from "viem";

import { deployProtocol } from "../scripts/deploy/protocol.js";
import { releaseProver } from "../scripts/lib/zk/groth16.js";
import { type GasMeasurement, createGasContext } from "./gas/context.js";
import { measureThroughMarket } from "./gas/scenario.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");

/** The steps traced: every transaction of the three whole jobs `npm run bench` totals. */
const JOBS: readonly { readonly job: string; readonly steps: readonly string[] }[] = [
  {
    job: "Optimistic, 1 provider",
    steps: [
      "submitJob (Optimistic, 1 provider)",
      "claimSlot (first slot)",
      "submitResult (Optimistic, verifies the job)",
      "finalize (1 provider, no model creator)",
    ],
  },
  {
    job: "Consensus, 3 providers",
    steps: [
      "submitJob (Consensus, 3 providers)",
      "claimSlot (slot 1 of 3)",
      "claimSlot (slot 2 of 3)",
      "claimSlot (slot 3 of 3)",
      "commitResult (slot 1 of 3)",
      "commitResult (slot 2 of 3)",
      "commitResult (last, opens reveals)",
      "revealResult (slot 1 of 3)",
      "revealResult (slot 2 of 3)",
      "revealResult (last, tallies 3 results)",
      "finalize (3 providers, with model creator)",
    ],
  },
  {
    job: "ZK (dense layer), 1 provider",
    steps: [
      "submitJob (ZK, dense layer)",
      "claimSlot (first slot, the zone's demand already recorded in the epoch)",
      "submitResult (ZK, dense-layer proof)",
      "finalize (ZK, dense layer, 1 provider)",
    ],
  },
];

/** A frame of the node's `callTracer` output. */
interface CallFrame {
  readonly type: string;
  readonly to: Hex;
  readonly input: Hex;
  readonly gasUsed: Hex;
  readonly calls?: readonly CallFrame[];
}

/** One call from the market into another protocol contract, and what it spent inside. */
interface Crossing {
  readonly call: string;
  readonly gas: number;
  readonly accessManager: number;
  readonly inside: string;
}

interface StepBreakdown {
  readonly step: string;
  readonly total: number;
  readonly intrinsic: number;
  readonly market: number;
  readonly crossings: readonly Crossing[];
}

const connection = await network.create();
const { manifest } = await deployProtocol(connection, { manifestDir: null, handOver: false });

// Addresses to names, and selectors to function names, from the deployment's own ABIs.
const names = new Map<string, string>();
const functions = new Map<string, string>();
for (const entry of Object.values(manifest.contracts)) {
  names.set(entry.address.toLowerCase(), entry.name);
  for (const item of entry.abi as Abi) {
    if (item.type === "function") functions.set(toFunctionSelector(item), item.name);
  }
}
const market = manifest.contracts.JobMarket!.address.toLowerCase();

const wanted = new Set(JOBS.flatMap((job) => job.steps));
const traced = new Map<string, StepBreakdown>();
const context = await createGasContext(connection, manifest, {
  async onRecord(measurement: GasMeasurement, hash: Hex) {
    if (!wanted.has(measurement.operation)) return;
    if (traced.has(measurement.operation)) throw new Error(`"${measurement.operation}" was measured twice`);
    const top = (await connection.provider.request({
      method: "debug_traceTransaction",
      params: [hash, { tracer: "callTracer" }],
    })) as CallFrame;
    if (top.to.toLowerCase() !== market) throw new Error(`"${measurement.operation}" was not sent to the JobMarket`);
    traced.set(measurement.operation, breakdown(measurement.operation, Number(measurement.gas), top));
  },
});
await measureThroughMarket(context);
await releaseProver();
await connection.close();

const missing = [...wanted].filter((step) => !traced.has(step));
if (missing.length > 0) throw new Error(`not measured by the scenario: ${missing.join(", ")}`);

const results = JOBS.map(({ job, steps }) => ({ job, steps: steps.map((step) => traced.get(step)!) }));
await writeFile(join(RESULTS_DIR, "gas-breakdown.json"), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(RESULTS_DIR, "gas-breakdown.md"), markdown(results));
console.log(markdown(results));

/** Splits a transaction's gas into its intrinsic cost, the market's own execution and its calls out. */
function breakdown(step: string, total: number, top: CallFrame): StepBreakdown {
  const crossings: Crossing[] = [];
  // DELEGATECALLs run in the market's context (its implementation, its linked libraries): still the market.
  const walk = (frame: CallFrame) => {
    for (const call of frame.calls ?? []) {
      if (call.type === "DELEGATECALL") walk(call);
      else crossings.push(crossing(call));
    }
  };
  walk(top);
  const intrinsic = intrinsicGas(top.input);
  const outside = crossings.reduce((sum, c) => sum + c.gas, 0);
  return { step, total, intrinsic, market: total - intrinsic - outside, crossings };
}

function crossing(call: CallFrame): Crossing {
  let accessManager = 0;
  const inside = new Map<string, number>();
  // What the callee called in turn (through its own proxy's DELEGATECALL), by contract and function.
  const visit = (frame: CallFrame) => {
    for (const nested of frame.calls ?? []) {
      if (nested.type === "DELEGATECALL") {
        visit(nested);
        continue;
      }
      const label = callLabel(nested);
      const gas = Number(hexToBigInt(nested.gasUsed));
      if (names.get(nested.to.toLowerCase()) === "AccessManager") accessManager += gas;
      else inside.set(label, (inside.get(label) ?? 0) + gas);
    }
  };
  visit(call);
  return {
    call: callLabel(call),
    gas: Number(hexToBigInt(call.gasUsed)),
    accessManager,
    inside: [...inside].map(([label, gas]) => `${label} ${gas.toLocaleString("en-US")}`).join("; "),
  };
}

function callLabel(frame: CallFrame): string {
  const contract = names.get(frame.to.toLowerCase()) ?? frame.to;
  const fn = functions.get(frame.input.slice(0, 10)) ?? frame.input.slice(0, 10);
  return `${contract}.${fn}`;
}

/** 21 000, plus 4 gas per zero byte and 16 per other byte of calldata. */
function intrinsicGas(input: Hex): number {
  let gas = 21_000;
  for (const byte of hexToBytes(input)) gas += byte === 0 ? 4 : 16;
  return gas;
}

function markdown(jobs: readonly { job: string; steps: readonly StepBreakdown[] }[]): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const lines = [
    "# Where a job's gas goes",
    "",
    "Measured by `npm run bench:gas-breakdown`: the transactions of `npm run bench`'s three whole jobs, each read back",
    "with the node's `callTracer`. *Intrinsic* is 21 000 plus the calldata; *the market's own* is the JobMarket's",
    "execution with its linked libraries (storage, checks, events), net of storage refunds; each other row is one call",
    "from the market into another protocol contract, inclusive of what that contract called in turn (the",
    "AccessManager's check shown apart, the rest named under *inside*).",
    "",
    "## Summary",
    "",
    "| job | total | intrinsic | the market's own | calls to other contracts | of which AccessManager checks |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const { job, steps } of jobs) {
    const sum = (pick: (s: StepBreakdown) => number) => steps.reduce((total, s) => total + pick(s), 0);
    const outside = sum((s) => s.crossings.reduce((total, c) => total + c.gas, 0));
    const checks = sum((s) => s.crossings.reduce((total, c) => total + c.accessManager, 0));
    lines.push(
      `| ${job} | ${n(sum((s) => s.total))} | ${n(sum((s) => s.intrinsic))} | ${n(sum((s) => s.market))} | ${n(outside)} | ${n(checks)} |`,
    );
  }
  for (const { job, steps } of jobs) {
    lines.push("", `## ${job}`);
    for (const s of steps) {
      lines.push(
        "",
        `### ${s.step}: ${n(s.total)}`,
        "",
        "| where | gas | AccessManager | inside |",
        "|---|---:|---:|---|",
        `| intrinsic | ${n(s.intrinsic)} | | |`,
        `| the market's own | ${n(s.market)} | | |`,
        ...s.crossings.map(
          (c) => `| ${c.call} | ${n(c.gas)} | ${c.accessManager === 0 ? "" : n(c.accessManager)} | ${c.inside} |`,
        ),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Gas per protocol operation, measured on the production build profile against the in-process chain.
 *
 *   npm run bench          writes bench/results/gas.json and bench/results/gas.md
 *   npm run bench:check    measures again and fails if any operation drifts from the committed figures
 *
 * Each concern adds its operations as a suite in bench/gas/.
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import hre, { network } from "hardhat";
import { type Address, createPublicClient, custom } from "viem";

import { deployProtocol } from "../scripts/deploy/protocol.js";
import { type GasMeasurement, createGasContext } from "./gas/context.js";
import { releaseProver } from "../scripts/lib/zk/groth16.js";
import { measureBridge } from "./gas/bridge.js";
import { measureGovernance } from "./gas/governance.js";
import { MARKET_TARGETS, SETTLEMENT_BATCH } from "./gas/market.js";
import { measureThroughMarket } from "./gas/scenario.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const JSON_PATH = join(RESULTS_DIR, "gas.json");
const MARKDOWN_PATH = join(RESULTS_DIR, "gas.md");
/** Signatures and timestamps change a few calldata bytes between runs; anything beyond this is a real change. */
const TOLERANCE = 0.01;

/** A whole job's gas against the market specification's target for it. */
interface Target {
  readonly job: string;
  readonly gas: bigint;
  readonly target: bigint;
}

interface GasReport {
  readonly compiler: string;
  readonly buildProfile: string;
  readonly operations: readonly { contract: string; operation: string; gas: number }[];
}

const connection = await network.create();
const client = createPublicClient({ transport: custom(connection.provider) });

const firstBlock = await client.getBlockNumber({ cacheTime: 0 });
// The bench plays the protocol's roles with the deployer's key, as a development deployment allows.
const { manifest } = await deployProtocol(connection, { manifestDir: null, handOver: false });
const lastBlock = await client.getBlockNumber({ cacheTime: 0 });
const deployments = await measureDeployments(firstBlock + 1n, lastBlock);

const context = await createGasContext(connection, manifest);
const lifecycles = await measureThroughMarket(context);
await measureGovernance(context);
await measureBridge(connection, context);
await releaseProver();
context.measurements.push(
  {
    contract: "JobMarket",
    operation: "Optimistic job, 1 provider, submit to settlement (total)",
    gas: lifecycles.optimistic,
  },
  {
    contract: "JobMarket",
    operation: "Consensus job, 3 providers, submit to settlement (total)",
    gas: lifecycles.consensus,
  },
  {
    contract: "JobMarket",
    operation: "ZK job (dense layer), 1 provider, submit to settlement (total)",
    gas: lifecycles.zkDenseLayer,
  },
);
const targets: readonly Target[] = [
  {
    job: "Optimistic, 1 provider, submit to settlement",
    gas: lifecycles.optimistic,
    target: MARKET_TARGETS.optimisticSingle,
  },
  {
    job: "Consensus, 3 providers, submit to settlement",
    gas: lifecycles.consensus,
    target: MARKET_TARGETS.consensusTriple,
  },
  {
    job: "ZK (dense layer), 1 provider, submit to settlement",
    gas: lifecycles.zkDenseLayer,
    target: MARKET_TARGETS.zkDenseLayer,
  },
  {
    job: `Batched settlement, per job in a batch of ${SETTLEMENT_BATCH} (the dearer of the two batches)`,
    gas: lifecycles.batchedSettlementPerJob,
    target: MARKET_TARGETS.batchedSettlementPerJob,
  },
  {
    job: `Batched claims, per job in a batch of ${SETTLEMENT_BATCH} (one provider)`,
    gas: lifecycles.batchedClaimPerJob,
    target: MARKET_TARGETS.batchedClaimPerJob,
  },
];

const report: GasReport = {
  compiler: describeCompiler(),
  buildProfile: "production",
  operations: [...deployments, ...context.measurements].map((m) => ({ ...m, gas: Number(m.gas) })),
};

// The snapshot is keyed by contract and operation: a repeated name would hide one of them.
const names = new Set(report.operations.map((o) => `${o.contract} · ${o.operation}`));
if (names.size !== report.operations.length) {
  throw new Error("two gas operations share one name: name them apart (the `operation` option of `send`)");
}

if (process.env.BENCH_GAS_CHECK === "1") {
  const committed = JSON.parse(await readFile(JSON_PATH, "utf8")) as GasReport;
  const problems = compare(committed, report);
  if (problems.length > 0) {
    console.error(
      `gas differs from bench/results/gas.json (run \`npm run bench\` to accept):\n  ${problems.join("\n  ")}`,
    );
    process.exitCode = 1;
  } else {
    console.log(
      `gas check: ${report.operations.length} operations within ${TOLERANCE * 100}% of bench/results/gas.json`,
    );
  }
} else {
  await writeFile(JSON_PATH, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(MARKDOWN_PATH, markdown(report));
  console.log(markdown(report));
  console.log(`written: ${JSON_PATH}, ${MARKDOWN_PATH}`);
}
await connection.close();

/** The gas of every contract creation in the deployment, and of the deployment as a whole. */
async function measureDeployments(from: bigint, to: bigint): Promise<GasMeasurement[]> {
  const names = new Map<Address, string>();
  for (const entry of Object.values(manifest.contracts)) {
    if (entry.implementation === undefined) {
      names.set(entry.address.toLowerCase() as Address, entry.name);
    } else {
      names.set(entry.address.toLowerCase() as Address, `${entry.name} (ERC1967Proxy + initialize)`);
      names.set(entry.implementation.toLowerCase() as Address, `${entry.name} (implementation)`);
    }
  }
  const measurements: GasMeasurement[] = [];
  let total = 0n;
  let transactions = 0;
  for (let block = from; block <= to; block++) {
    const { transactions: hashes } = await client.getBlock({ blockNumber: block });
    for (const hash of hashes) {
      const receipt = await client.getTransactionReceipt({ hash });
      total += receipt.gasUsed;
      transactions++;
      const created = receipt.contractAddress?.toLowerCase() as Address | undefined;
      const name = created === undefined ? undefined : names.get(created);
      if (name !== undefined) measurements.push({ contract: name, operation: "deploy", gas: receipt.gasUsed });
    }
  }
  measurements.push({
    contract: "Protocol",
    operation: `deploy and configure (${transactions} transactions)`,
    gas: total,
  });
  return measurements;
}

/** The production profile's compiler, as the figures depend on it. */
function describeCompiler(): string {
  const [compiler] = hre.config.solidity.profiles.production?.compilers ?? [];
  if (compiler === undefined) throw new Error("hardhat.config.ts has no production build profile");
  const { optimizer, evmVersion } = compiler.settings as {
    optimizer?: { enabled?: boolean; runs?: number };
    evmVersion?: string;
  };
  const optimization = optimizer?.enabled === true ? `optimizer on (${optimizer.runs} runs)` : "optimizer off";
  return `solc ${compiler.version}, ${optimization}, evm ${evmVersion ?? "default"}`;
}

function compare(committed: GasReport, current: GasReport): string[] {
  const key = (o: { contract: string; operation: string }) => `${o.contract} · ${o.operation}`;
  const problems: string[] = [];
  const before = new Map(committed.operations.map((o) => [key(o), o.gas]));
  const after = new Map(current.operations.map((o) => [key(o), o.gas]));
  if (after.size !== current.operations.length) problems.push("two operations share one name: name them apart");
  for (const [name, gas] of after) {
    const old = before.get(name);
    if (old === undefined) problems.push(`${name}: new operation (${gas})`);
    else if (Math.abs(gas - old) > old * TOLERANCE) problems.push(`${name}: ${old} -> ${gas}`);
  }
  for (const name of before.keys()) if (!after.has(name)) problems.push(`${name}: no longer measured`);
  return problems;
}

function markdown(gasReport: GasReport): string {
  const rows = gasReport.operations.map((o) => `| ${o.contract} | ${o.operation} | ${o.gas.toLocaleString("en-US")} |`);
  return [
    "# Gas per operation",
    "",
    `Measured by \`npm run bench\` (${gasReport.compiler}; build profile \`${gasReport.buildProfile}\`).`,
    "",
    "| contract | operation | gas |",
    "|---|---|---:|",
    ...rows,
    "",
    "## Jobs against their targets",
    "",
    "| job | gas | target | within |",
    "|---|---:|---:|---|",
    ...targets.map(
      (t) =>
        `| ${t.job} | ${t.gas.toLocaleString("en-US")} | ${t.target.toLocaleString("en-US")} | ${t.gas <= t.target ? "yes" : "no"} |`,
    ),
    "",
    'docs/decisions.md ("Gas") explains where a job\'s gas goes.',
    "",
  ].join("\n");
}

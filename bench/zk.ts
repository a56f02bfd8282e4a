/**
 * Zero-knowledge figures: constraints per circuit, proving time, and on-chain verification gas against the
 * EIP-1108 floor (181 000 + 6 150 per public input, for the pairing check and the input multiplications).
 *
 *   npm run bench:zk    writes bench/results/zk.json and bench/results/zk.md
 */
import { writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { network } from "hardhat";
import * as snarkjs from "snarkjs";
import {
  type Abi,
  type Address,
  type Hex,
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  hexToBytes,
} from "viem";
import { denseLayer, inputHash, modelHash, outputHash } from "@starminer/sdk";

import { capabilityCommitment } from "../scripts/lib/zk/capability.js";
import { CIRCUITS, type CircuitName, circuitPaths } from "../scripts/lib/zk/circuits.js";
import { resultCommitment, resultDigest } from "../scripts/lib/zk/commitment.js";
import { denseLayerWitnessInput } from "../scripts/lib/zk/dense-layer.js";
import { type Groth16Proof, prove, releaseProver } from "../scripts/lib/zk/groth16.js";
import {
  mlp,
  mlpInputHash,
  mlpModelHash,
  mlpOutputHash,
  mlpWitnessInput,
  readMlpModel,
} from "../scripts/lib/zk/mlp.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const RUNS = 5;
const digitsModel = readMlpModel();
const NODE: Address = "0x00000000000000000000000000000000000b0b00";

/** Each circuit's input, hashes and commitments computed beforehand: what the prover is given. */
const inputs: Record<CircuitName, () => Promise<Record<string, unknown>>> = {
  compute_commitment: async () => {
    const committed = { jobId: 1n, provider: NODE, resultDigest: resultDigest("0x01"), salt: 2n };
    return { ...committed, provider: BigInt(NODE), resultCommitment: resultCommitment(committed) };
  },
  dense_layer: async () => {
    const weights = Array.from({ length: 16 }, (_, j) =>
      Array.from({ length: 16 }, (_, i) => ((i * 7 + j * 13) % 256) - 128),
    );
    const model = { weights, biases: Array.from({ length: 16 }, (_, j) => j * 100 - 800) };
    const input = Array.from({ length: 16 }, (_, i) => ((i * 29) % 256) - 128);
    const hashes = {
      modelHash: modelHash(model),
      inputHash: inputHash(input),
      outputHash: outputHash(denseLayer(model, input)),
    };
    return denseLayerWitnessInput(model, input, hashes, { jobId: 1n, provider: NODE });
  },
  capability: async () => {
    const specs = { node: NODE, vramMiB: 81_920, computeCapability: 90, salt: 3n };
    const { node, ...hidden } = specs;
    return {
      node: BigInt(node),
      commitment: capabilityCommitment(specs),
      minVramMiB: 1,
      minComputeCapability: 1,
      ...hidden,
    };
  },
  digits_mlp: async () => {
    const model = await digitsModel;
    const image = Array.from({ length: 64 }, (_, i) => ((i * 37) % 128) * (i % 3 === 0 ? 1 : 0));
    const hashes = {
      modelHash: mlpModelHash(model),
      inputHash: mlpInputHash(image),
      outputHash: mlpOutputHash(mlp(model, image)),
    };
    return mlpWitnessInput(image, hashes, { jobId: 1n, provider: NODE });
  },
};

const connection = await network.create();
const transport = custom(connection.provider);
const publicClient = createPublicClient({ transport });
const walletClient = createWalletClient({ transport });
const [deployer] = (await walletClient.getAddresses()) as [Address];

interface Row {
  readonly circuit: CircuitName;
  readonly constraints: number;
  readonly publicInputs: number;
  readonly provingMsMedian: number;
  readonly fromFilesMsMedian: number;
}
const rows: (Row & Awaited<ReturnType<typeof verificationGas>>)[] = [];
try {
  for (const name of Object.keys(CIRCUITS) as CircuitName[]) {
    const constraints = await countConstraints(name);
    const input = await inputs[name]();
    const paths = circuitPaths(name);
    // Before: snarkjs's fullProve from the files, which compiles the witness calculator and reads the key each time.
    const fromFiles = () => snarkjs.groth16.fullProve(input as never, paths.wasm, paths.zkey);
    await fromFiles(); // warm-up: starts snarkjs's worker threads
    const fromFilesTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await fromFiles();
      fromFilesTimes.push(performance.now() - started);
    }
    // Now: the provers' way, with the circuit loaded once.
    await prove(name, input);
    const times: number[] = [];
    let proof: Groth16Proof | undefined;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      proof = await prove(name, input);
      times.push(performance.now() - started);
    }
    const gas = await verificationGas(name, proof!);
    rows.push({
      circuit: name,
      constraints,
      publicInputs: CIRCUITS[name].publicSignals,
      provingMsMedian: median(times),
      fromFilesMsMedian: median(fromFilesTimes),
      ...gas,
    });
  }
} finally {
  await releaseProver();
}

await writeFile(join(RESULTS_DIR, "zk.json"), `${JSON.stringify({ runs: RUNS, circuits: rows }, null, 2)}\n`);
await writeFile(join(RESULTS_DIR, "zk.md"), markdown());
console.log(markdown());
await connection.close();
process.exit(0);

/** Constraints of the committed R1CS (the tests check that the sources still compile to it). */
async function countConstraints(name: CircuitName): Promise<number> {
  const info = (await snarkjs.r1cs.info(circuitPaths(name).r1cs)) as { nConstraints: number };
  return info.nConstraints;
}

/** Gas of a verifyProof call: the whole transaction, and its execution once the base cost and calldata are removed. */
async function verificationGas(name: CircuitName, proof: Groth16Proof) {
  const artifact = await import(
    `../artifacts/contracts/verification/generated/${CIRCUITS[name].verifier}.sol/${CIRCUITS[name].verifier}.json`,
    {
      with: { type: "json" },
    }
  );
  const { abi, bytecode } = artifact.default as { abi: Abi; bytecode: Hex };
  const hash = await walletClient.deployContract({ abi, bytecode, account: deployer, chain: null });
  const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash });
  const data = encodeFunctionData({
    abi,
    functionName: "verifyProof",
    args: [proof.a, proof.b, proof.c, proof.publicSignals] as never,
  });
  const accepted = await publicClient.call({ to: contractAddress!, data });
  if (BigInt(accepted.data ?? "0x0") !== 1n) throw new Error(`${name}: the verifier rejected a valid proof`);
  const total = Number(await publicClient.estimateGas({ account: deployer, to: contractAddress!, data }));
  const calldata = hexToBytes(data).reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
  const execution = total - 21_000 - calldata;
  const floor = 181_000 + 6_150 * CIRCUITS[name].publicSignals;
  return {
    verifyGasTotal: total,
    calldataGas: calldata,
    verifyGasExecution: execution,
    eip1108Floor: floor,
    overFloorPercent: Number((((execution - floor) / floor) * 100).toFixed(1)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
}

function markdown(): string {
  return [
    "# Zero-knowledge circuits",
    "",
    `Measured by \`npm run bench:zk\`: constraints with circom --O2; proving time is the median of ${RUNS} Groth16 proofs`,
    `in Node (snarkjs, witness included, the input's hashes computed before) on ${cpus()[0]?.model ?? "an unknown CPU"},`,
    `${availableParallelism()} hardware threads. "From the files" is snarkjs's \`fullProve\`, which compiles the witness`,
    'calculator and reads the key for every proof (the provers\' way before); "proving" keeps both loaded (now).',
    "Verification gas is `eth_estimateGas` of `verifyProof` on the generated verifier, minus the 21 000 base cost and",
    "the calldata, against the EIP-1108 floor.",
    "",
    "| circuit | constraints | public inputs | from the files (ms) | proving (ms) | verify tx gas | calldata gas | execution gas | EIP-1108 floor | over floor |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.circuit} | ${r.constraints.toLocaleString("en-US")} | ${r.publicInputs} | ${r.fromFilesMsMedian} | ${r.provingMsMedian} | ${r.verifyGasTotal.toLocaleString("en-US")} | ${r.calldataGas.toLocaleString("en-US")} | ${r.verifyGasExecution.toLocaleString("en-US")} | ${r.eip1108Floor.toLocaleString("en-US")} | ${r.overFloorPercent}% |`,
    ),
    "",
  ].join("\n");
}

/**
 * Builds every circuit and its development Groth16 keys, and generates the Solidity verifiers.
 *
 *   npm run zk:setup                        every circuit, on the committed development phase-1 file
 *   npm run zk:setup -- dense_layer         only the circuits named
 *   npm run zk:setup -- --new-phase1        first make a new development phase-1 file (2^12, one contributor)
 *
 * Outputs (committed, so tests and CI never redo a ceremony):
 *   circuits/ceremony/development.ptau                     the development phase-1 file
 *   circuits/build/<circuit>/<circuit>.r1cs                the constraint system the key was made for
 *   circuits/build/<circuit>/<circuit>_js/<circuit>.wasm   witness generator
 *   circuits/build/<circuit>/<circuit>.zkey                proving key
 *   circuits/build/<circuit>/verification_key.json
 *   circuits/build/<circuit>/transcript.json               phase 1, the contribution, the hashes (kind "development")
 *   contracts/verification/generated/<Name>Verifier.sol
 *
 * A development key has one phase-2 contribution, made here from fresh randomness that is then forgotten: fast, and
 * refused by a production deployment. Production keys come from `npm run zk:ceremony` (docs/operations.md,
 * "Trusted setup").
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import {
  DEVELOPMENT_CONTRIBUTION,
  DEVELOPMENT_PHASE1,
  DEVELOPMENT_PHASE1_POWER,
  compileCircuit,
  contribute,
  initialKey,
  installKey,
  newDevelopmentPhase1,
} from "../lib/zk/ceremony.js";
import { CIRCUITS, type CircuitName, circuitPaths } from "../lib/zk/circuits.js";
import { releaseProver } from "../lib/zk/groth16.js";

const { values, positionals } = parseArgs({
  options: { "new-phase1": { type: "boolean", default: false } },
  allowPositionals: true,
});
for (const name of positionals) {
  if (!(name in CIRCUITS)) throw new Error(`unknown circuit ${name} (circuits: ${Object.keys(CIRCUITS).join(", ")})`);
}
const circuits = (positionals.length > 0 ? positionals : Object.keys(CIRCUITS)) as CircuitName[];

const started = Date.now();
const work = join(tmpdir(), `starminer-zk-${process.pid}`);
await mkdir(work, { recursive: true });
try {
  if (values["new-phase1"] || !existsSync(DEVELOPMENT_PHASE1)) {
    step(`development phase 1: 2^${DEVELOPMENT_PHASE1_POWER}, one contribution, prepared for phase 2`);
    await newDevelopmentPhase1(DEVELOPMENT_PHASE1, DEVELOPMENT_PHASE1_POWER, randomBytes(32).toString("hex"), work);
  }
  for (const name of circuits) {
    const paths = circuitPaths(name);
    await rm(paths.build, { recursive: true, force: true });
    step(`${name}: compile`);
    await compileCircuit(paths.source, paths.build);
    step(`${name}: development key`);
    const initial = join(work, `${name}_0000.zkey`);
    const contributed = join(work, `${name}_0001.zkey`);
    await initialKey(paths.r1cs, DEVELOPMENT_PHASE1, initial);
    await contribute(initial, contributed, DEVELOPMENT_CONTRIBUTION, randomBytes(32).toString("hex"));
    step(`${name}: verify, then install the key, its verifier and its transcript`);
    await installKey(name, contributed, paths, { path: DEVELOPMENT_PHASE1, file: "development.ptau" }, "development");
  }
} finally {
  await rm(work, { recursive: true, force: true });
  await releaseProver();
}
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);

function step(message: string) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

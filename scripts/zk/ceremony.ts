/**
 * A multi-party trusted setup (phase 2) for StarMiner's circuits, on a public phase-1 file.
 *
 *   npm run zk:ceremony -- new --ptau FILE --dir DIR [circuit...]
 *       the coordinator: checks FILE against the pinned public phase-1 hashes (scripts/lib/zk/phase1.ts), compiles
 *       the circuits into DIR and makes each one's initial key (DIR/<circuit>/<circuit>_0000.zkey)
 *   npm run zk:ceremony -- contribute --dir DIR --name NAME [--entropy TEXT]
 *       each contributor in turn, on its own machine: adds a contribution of fresh randomness (mixed with TEXT if
 *       given) to every circuit's latest key, and prints the contribution hashes to publish
 *   npm run zk:ceremony -- beacon --dir DIR --value HEX --source TEXT [--iterations-exp N]
 *       the coordinator, after the last contribution: applies a public random beacon announced in advance (e.g.
 *       the hash of a named future block), hashed 2^N times (default 10)
 *   npm run zk:ceremony -- finish --dir DIR --ptau FILE [--out ROOT]
 *       verifies every key from scratch and installs it with its R1CS, witness generator, verification key,
 *       Solidity verifier and transcript (into the project, or ROOT/build and ROOT/generated to review first)
 *   npm run zk:ceremony -- verify [--ptau FILE] [--production] [circuit...]
 *       anyone: re-verifies the committed keys against their R1CS and the phase-1 file (the development file for
 *       development keys), and with --production also requires a production transcript
 *
 * `--development` on `new` accepts a phase-1 file that is not pinned: a rehearsal, whose keys are marked
 * development and refused by a production deployment. The procedure is in docs/operations.md ("Trusted setup").
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";

import {
  type CeremonyTranscript,
  DEVELOPMENT_PHASE1,
  applyBeacon,
  blake2bOfFile,
  checkCommittedKey,
  compileCircuit,
  contribute,
  initialKey,
  installKey,
  productionProblems,
  readTranscript,
} from "../lib/zk/ceremony.js";
import { CIRCUITS, type CircuitName, circuitPaths } from "../lib/zk/circuits.js";
import { releaseProver } from "../lib/zk/groth16.js";
import { PUBLIC_PHASE1, publicPhase1 } from "../lib/zk/phase1.js";
import { UsageError } from "../lib/usage-error.js";

/** What `new` records in DIR/ceremony.json, for the later steps. */
interface CeremonyState {
  readonly kind: CeremonyTranscript["kind"];
  readonly phase1: { readonly file: string; readonly blake2b: string };
  readonly circuits: readonly CircuitName[];
}

const STATE_FILE = "ceremony.json";

const { values, positionals } = parseArgs({
  options: {
    ptau: { type: "string" },
    dir: { type: "string" },
    name: { type: "string" },
    entropy: { type: "string" },
    value: { type: "string" },
    source: { type: "string" },
    "iterations-exp": { type: "string", default: "10" },
    out: { type: "string" },
    development: { type: "boolean", default: false },
    production: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const [command, ...circuitArgs] = positionals;

try {
  switch (command) {
    case "new":
      await start();
      break;
    case "contribute":
      await addContribution();
      break;
    case "beacon":
      await addBeacon();
      break;
    case "finish":
      await finish();
      break;
    case "verify":
      process.exitCode = (await verify()) ? 0 : 1;
      break;
    default:
      throw new UsageError(
        `unknown command ${JSON.stringify(command ?? "")}: new, contribute, beacon, finish or verify`,
      );
  }
} catch (error) {
  console.error(`zk:ceremony: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
} finally {
  await releaseProver();
}
process.exit();

function required(option: "ptau" | "dir" | "name" | "value" | "source"): string {
  const value = values[option];
  if (value === undefined || value === "") throw new UsageError(`${command} needs --${option}`);
  return value;
}

function circuitsNamed(): CircuitName[] {
  for (const name of circuitArgs) {
    if (!(name in CIRCUITS)) {
      throw new UsageError(`unknown circuit ${name} (circuits: ${Object.keys(CIRCUITS).join(", ")})`);
    }
  }
  return (circuitArgs.length > 0 ? circuitArgs : Object.keys(CIRCUITS)) as CircuitName[];
}

async function readState(dir: string): Promise<CeremonyState> {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) throw new Error(`${dir} holds no ceremony (no ${STATE_FILE}): start one with new`);
  return JSON.parse(await readFile(path, "utf8")) as CeremonyState;
}

/** The newest key of a circuit in the ceremony directory, and the number the next one takes. */
async function latestKey(dir: string, name: CircuitName): Promise<{ path: string; next: string }> {
  const keys = (await readdir(join(dir, name)))
    .map((file) => new RegExp(`^${name}_(\\d{4})\\.zkey$`).exec(file))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
  const last = keys.at(-1);
  if (last === undefined) throw new Error(`${join(dir, name)} holds no key of ${name}`);
  const file = (n: number) => join(dir, name, `${name}_${String(n).padStart(4, "0")}.zkey`);
  return { path: file(last), next: file(last + 1) };
}

async function checkedPhase1(path: string, development: boolean): Promise<CeremonyState["phase1"]> {
  if (!existsSync(path)) throw new Error(`no phase-1 file at ${path}`);
  const blake2b = await blake2bOfFile(path);
  const pinned = publicPhase1(blake2b);
  if (pinned === undefined && !development) {
    throw new Error(
      `${path} is not a pinned public phase-1 file (blake2b ${blake2b.slice(0, 16)}…): use one of ` +
        `${PUBLIC_PHASE1.map((entry) => entry.file).join(", ")}, or --development for a rehearsal`,
    );
  }
  return { file: pinned?.file ?? basename(path), blake2b };
}

async function start(): Promise<void> {
  const dir = resolve(required("dir"));
  const phase1Path = resolve(required("ptau"));
  if (existsSync(join(dir, STATE_FILE))) throw new Error(`${dir} already holds a ceremony`);
  const phase1 = await checkedPhase1(phase1Path, values.development);
  const circuits = circuitsNamed();
  for (const name of circuits) {
    const build = join(dir, name);
    console.log(`${name}: compile into ${build}`);
    await compileCircuit(circuitPaths(name).source, build);
    console.log(`${name}: initial key from ${phase1.file}`);
    await initialKey(join(build, `${name}.r1cs`), phase1Path, join(build, `${name}_0000.zkey`));
  }
  const state: CeremonyState = { kind: values.development ? "development" : "production", phase1, circuits };
  await writeFile(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  console.log(`ceremony ready in ${dir}: pass it to the first contributor`);
}

async function addContribution(): Promise<void> {
  const dir = resolve(required("dir"));
  const name = required("name");
  const state = await readState(dir);
  console.log(`contributions of ${name} (publish these hashes):`);
  for (const circuit of state.circuits) {
    const { path, next } = await latestKey(dir, circuit);
    // Fresh randomness for every circuit; the optional text only adds to it.
    const entropy = randomBytes(64).toString("hex") + (values.entropy ?? "");
    const hash = await contribute(path, next, name, entropy);
    console.log(`  ${circuit}  ${basename(next)}  ${hash}`);
  }
}

async function addBeacon(): Promise<void> {
  const dir = resolve(required("dir"));
  const value = required("value");
  const source = required("source");
  const iterationsExp = Number(values["iterations-exp"]);
  const state = await readState(dir);
  for (const circuit of state.circuits) {
    const { path, next } = await latestKey(dir, circuit);
    const hash = await applyBeacon(path, next, `beacon: ${source}`, value, iterationsExp);
    console.log(`  ${circuit}  ${basename(next)}  ${hash}`);
  }
}

async function finish(): Promise<void> {
  const dir = resolve(required("dir"));
  const phase1Path = resolve(required("ptau"));
  const state = await readState(dir);
  if ((await blake2bOfFile(phase1Path)) !== state.phase1.blake2b) {
    throw new Error(`${phase1Path} is not the phase-1 file the ceremony started from (${state.phase1.file})`);
  }
  const root = values.out === undefined ? undefined : resolve(values.out);
  for (const circuit of state.circuits) {
    const { path } = await latestKey(dir, circuit);
    const compiled = { r1cs: join(dir, circuit, `${circuit}.r1cs`), build: join(dir, circuit) };
    const transcript = await installKey(
      circuit,
      path,
      compiled,
      { path: phase1Path, file: state.phase1.file },
      state.kind,
      circuitPaths(circuit, root),
    );
    console.log(`${circuit}: verified and installed (${transcript.contributions.length} contributions)`);
    for (const problem of productionProblems(transcript)) console.log(`  not for production: ${problem}`);
  }
}

async function verify(): Promise<boolean> {
  let good = true;
  for (const name of circuitsNamed()) {
    const transcript = await readTranscript(name);
    const phase1 =
      values.ptau !== undefined
        ? resolve(values.ptau)
        : transcript.kind === "development"
          ? DEVELOPMENT_PHASE1
          : required("ptau");
    const problems = [
      ...(values.production ? productionProblems(transcript) : []),
      ...(await checkCommittedKey(name, phase1)),
    ];
    const contributions = transcript.contributions.length;
    if (problems.length === 0) console.log(`${name}: ${transcript.kind} key verified (${contributions} contributions)`);
    for (const problem of problems) console.error(`${problem}`);
    good &&= problems.length === 0;
  }
  return good;
}

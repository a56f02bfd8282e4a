/**
 * Groth16 trusted setups, and the record that lets anyone check one.
 *
 * A circuit's proving key is made in two phases. Phase 1 (powers of tau) is universal: production keys build on a
 * public file pinned in `phase1.ts`; development keys on `circuits/ceremony/development.ptau`, made here by one
 * machine. Phase 2 is per circuit: starting from the key phase 1 and the circuit's R1CS determine, each contributor
 * mixes in secret randomness and publishes the hash of its contribution; a public random beacon (a value nobody
 * could know in advance, such as a future block hash or drand round) ends it. The key is sound if any one
 * contributor destroyed its secret.
 *
 * Beside each key (`circuits/build/<circuit>/`) lie the R1CS it was made for and `transcript.json`: the phase-1
 * file's hash, the R1CS's and the key's hashes, and every contribution's name and hash (and the beacon's value).
 * `checkCommittedKey` re-verifies a key from scratch (`snarkjs zkey verify`: every contribution follows from the
 * previous one and the key from the R1CS and phase 1) and compares it, its verification key and its Solidity
 * verifier with what is committed; `productionProblems` says why a transcript is not good enough for production.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";

import * as snarkjs from "snarkjs";

import {
  CIRCUITS,
  CIRCUITS_ROOT,
  type CircuitName,
  type CircuitPaths,
  NODE_MODULES,
  circuitPaths,
} from "./circuits.js";
import { PUBLIC_PHASE1 } from "./phase1.js";

const run = promisify(execFile);

/** The development phase-1 file: 2^12 constraints, one local contribution. Committed, so CI can verify keys. */
export const DEVELOPMENT_PHASE1 = join(CIRCUITS_ROOT, "ceremony", "development.ptau");
export const DEVELOPMENT_PHASE1_POWER = 12;
/** A production key needs at least this many independent phase-2 contributions before its beacon. */
export const MIN_PRODUCTION_CONTRIBUTIONS = 3;
/** The name of a development key's only contribution: it says what the key is. */
export const DEVELOPMENT_CONTRIBUTION = "StarMiner development key: one contributor, not for production";

/** One phase-2 contribution, as the key records it. */
export interface Contribution {
  readonly name: string;
  /** blake2b-512 of the contribution's public key, lowercase hex (what snarkjs prints for it). */
  readonly hash: string;
  /** Present when the contribution is a random beacon. */
  readonly beacon?: { readonly value: string; readonly iterationsExp: number };
}

/** What `transcript.json` records about a circuit's committed key. */
export interface CeremonyTranscript {
  readonly circuit: CircuitName;
  readonly kind: "development" | "production";
  readonly phase1: { readonly file: string; readonly blake2b: string };
  /** blake2b-512 of the R1CS the key was made for. */
  readonly r1cs: string;
  /** Every phase-2 contribution, first to last. */
  readonly contributions: readonly Contribution[];
  /** blake2b-512 of the final key. */
  readonly zkey: string;
}

/** blake2b-512 of a file, lowercase hex: how snarkjs and the public ceremonies name their files (`b2sum`). */
export async function blake2bOfFile(path: string): Promise<string> {
  const hash = createHash("blake2b512");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** `curves` is exported at run time but missing from @types/snarkjs. */
async function bn128(): Promise<unknown> {
  const { curves } = snarkjs as unknown as { curves: { getCurveFromName(name: string): Promise<unknown> } };
  return curves.getCurveFromName("bn128");
}

/** Makes a development phase-1 file at `path`: a new accumulator, one contribution of fresh randomness, prepared. */
export async function newDevelopmentPhase1(path: string, power: number, entropy: string, work: string) {
  const initial = join(work, "phase1_0000.ptau");
  const contributed = join(work, "phase1_0001.ptau");
  await snarkjs.powersOfTau.newAccumulator(await bn128(), power, initial);
  await snarkjs.powersOfTau.contribute(initial, contributed, "StarMiner development phase 1", entropy);
  await mkdir(dirname(path), { recursive: true });
  await snarkjs.powersOfTau.preparePhase2(contributed, path);
}

/**
 * Compiles a Circom file into `outDir`: `<name>.r1cs` and the witness generator `<name>_js/`. Circom fails, naming the
 * template, when an instance breaks a template's `assert`ed preconditions.
 */
export async function compileCircuit(file: string, outDir: string) {
  await mkdir(outDir, { recursive: true });
  const compiler = join(NODE_MODULES, "circom2", "cli.js");
  try {
    // Includes resolve against circomlib's package and circuits/ (its lib/ templates), wherever `file` is.
    const libraries = ["-l", NODE_MODULES, "-l", CIRCUITS_ROOT];
    await run(process.execPath, [compiler, file, "--r1cs", "--wasm", "--O2", ...libraries, "-o", outDir], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    const text = `${stderr}\n${stdout}`.replace(/\x1b\[[0-9;]*m/g, "").trim();
    throw new Error(`circom could not compile ${file}:\n${text}`);
  }
  // The generated witness calculator is CommonJS inside an ESM package.
  const base = basename(file, ".circom");
  await writeFile(join(outDir, `${base}_js`, "package.json"), '{ "type": "commonjs" }\n');
}

/** The key phase 1 and the R1CS determine, before any phase-2 contribution. */
export async function initialKey(r1cs: string, phase1: string, out: string): Promise<void> {
  await snarkjs.zKey.newZKey(r1cs, phase1, out);
}

/** Adds one contribution of `entropy` to `inKey`, writing `outKey`; returns the contribution's hash. */
export async function contribute(inKey: string, outKey: string, name: string, entropy: string): Promise<string> {
  return hex(await snarkjs.zKey.contribute(inKey, outKey, name, entropy));
}

/**
 * Ends phase 2 with a random beacon: `value` (hex) hashed 2^iterationsExp times, so that nobody could have chosen
 * it knowing the contributions before it. Returns the contribution's hash.
 */
export async function applyBeacon(inKey: string, outKey: string, name: string, value: string, iterationsExp: number) {
  if (!/^(0x)?[0-9a-fA-F]{2,}$/.test(value) || value.replace(/^0x/, "").length % 2 !== 0) {
    throw new Error(`the beacon value must be hex bytes (got ${JSON.stringify(value)})`);
  }
  if (!Number.isInteger(iterationsExp) || iterationsExp < 10 || iterationsExp > 63) {
    throw new Error(`the beacon's iterations exponent must be a whole number from 10 to 63 (got ${iterationsExp})`);
  }
  const hash = await snarkjs.zKey.beacon(inKey, outKey, name, value.replace(/^0x/, ""), iterationsExp);
  if (hash === false) throw new Error(`snarkjs refused the beacon on ${inKey}`);
  return hex(hash as Uint8Array);
}

/**
 * Verifies a key from scratch against its R1CS and phase-1 file (`snarkjs zkey verify`), and reads its
 * contributions as the verification found them.
 */
export async function verifyKey(
  r1cs: string,
  phase1: string,
  zkey: string,
): Promise<{ valid: boolean; contributions: Contribution[]; errors: string[] }> {
  const messages: string[] = [];
  const errors: string[] = [];
  const logger = {
    info: (message: string) => messages.push(message),
    warn: (message: string) => errors.push(message),
    error: (message: string) => errors.push(message),
    debug: () => undefined,
  };
  const valid = (await snarkjs.zKey.verifyFromR1cs(r1cs, phase1, zkey, logger as never)) === true;
  // snarkjs logs the contributions last to first, each beacon's value and iterations after its hash.
  const contributions: { name: string; hash: string; beacon?: { value: string; iterationsExp: number } }[] = [];
  for (const message of messages) {
    const contribution = /^contribution #\d+ (.*):\n([\s\S]+)$/.exec(message);
    if (contribution !== null) {
      contributions.unshift({ name: contribution[1]!, hash: contribution[2]!.replace(/\s+/g, "") });
      continue;
    }
    const generator = /^Beacon generator: ([0-9a-f]+)$/.exec(message);
    if (generator !== null) contributions[0]!.beacon = { value: generator[1]!, iterationsExp: 0 };
    const iterations = /^Beacon iterations Exp: (\d+)$/.exec(message);
    if (iterations !== null) contributions[0]!.beacon!.iterationsExp = Number(iterations[1]);
  }
  return { valid, contributions, errors };
}

/** The Solidity verifier of a key, named for its circuit and headed as generated. */
export async function verifierSource(name: CircuitName, zkey: string): Promise<string> {
  const template = await readFile(join(NODE_MODULES, "snarkjs", "templates", "verifier_groth16.sol.ejs"), "utf8");
  const solidity = (await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template })) as string;
  if (!solidity.includes("contract Groth16Verifier")) throw new Error("unexpected verifier template");
  const header =
    `// GENERATED by the StarMiner trusted setup (scripts/zk) from circuits/${name}.circom and the key in ` +
    `circuits/build/${name}/: do not edit.\n`;
  return header + solidity.replace("contract Groth16Verifier", `contract ${CIRCUITS[name].verifier}`);
}

const verificationKeyText = async (zkey: string) =>
  `${JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkey), null, 2)}\n`;

/**
 * Installs `zkey` as the circuit's key once it verifies against `compiled`'s R1CS and `phase1`: the R1CS and the
 * witness generator it was made from (when they are elsewhere), the key, its verification key, its Solidity verifier
 * and its transcript, at `target` (the project's own build and verifier by default).
 */
export async function installKey(
  name: CircuitName,
  zkey: string,
  compiled: { readonly r1cs: string; readonly build: string },
  phase1: { readonly path: string; readonly file: string },
  kind: CeremonyTranscript["kind"],
  target: CircuitPaths = circuitPaths(name),
): Promise<CeremonyTranscript> {
  const verified = await verifyKey(compiled.r1cs, phase1.path, zkey);
  if (!verified.valid) throw new Error(`${name}: the key does not verify: ${verified.errors.join("; ")}`);
  await mkdir(target.build, { recursive: true });
  if (compiled.build !== target.build) {
    await cp(compiled.r1cs, target.r1cs);
    await cp(join(compiled.build, `${name}_js`), join(target.build, `${name}_js`), { recursive: true });
  }
  if (zkey !== target.zkey) await cp(zkey, target.zkey);
  const transcript: CeremonyTranscript = {
    circuit: name,
    kind,
    phase1: { file: phase1.file, blake2b: await blake2bOfFile(phase1.path) },
    r1cs: await blake2bOfFile(target.r1cs),
    contributions: verified.contributions,
    zkey: await blake2bOfFile(target.zkey),
  };
  await writeFile(target.verificationKey, await verificationKeyText(target.zkey));
  await mkdir(dirname(target.verifier), { recursive: true });
  await writeFile(target.verifier, await verifierSource(name, target.zkey));
  await writeFile(target.transcript, `${JSON.stringify(transcript, null, 2)}\n`);
  return transcript;
}

export async function readTranscript(name: CircuitName, paths = circuitPaths(name)): Promise<CeremonyTranscript> {
  let text: string;
  try {
    text = await readFile(paths.transcript, "utf8");
  } catch {
    throw new Error(
      `${name}: no ceremony transcript at ${paths.transcript}: make its key with npm run zk:setup or zk:ceremony`,
    );
  }
  return JSON.parse(text) as CeremonyTranscript;
}

/**
 * Every way the key of `name` at `paths` differs from what its transcript, its R1CS and `phase1` say, or from the
 * verification key and verifier beside it. Empty when the key is exactly what the transcript records.
 */
export async function checkCommittedKey(
  name: CircuitName,
  phase1: string,
  paths: CircuitPaths = circuitPaths(name),
): Promise<string[]> {
  const transcript = await readTranscript(name, paths);
  const problems: string[] = [];
  const [phase1Hash, r1csHash, zkeyHash] = await Promise.all([
    blake2bOfFile(phase1),
    blake2bOfFile(paths.r1cs),
    blake2bOfFile(paths.zkey),
  ]);
  if (phase1Hash !== transcript.phase1.blake2b) {
    problems.push(`the phase-1 file given is not the one the transcript names (${transcript.phase1.file})`);
  }
  if (r1csHash !== transcript.r1cs) problems.push("the R1CS is not the one the transcript names");
  if (zkeyHash !== transcript.zkey) problems.push("the key is not the one the transcript names");
  if (problems.length > 0) return problems.map((problem) => `${name}: ${problem}`);

  const verified = await verifyKey(paths.r1cs, phase1, paths.zkey);
  if (!verified.valid) problems.push(`the key does not verify (${verified.errors.join("; ")})`);
  if (JSON.stringify(verified.contributions) !== JSON.stringify(transcript.contributions)) {
    problems.push("the key's contributions are not the transcript's");
  }
  if ((await readFile(paths.verificationKey, "utf8")) !== (await verificationKeyText(paths.zkey))) {
    problems.push("verification_key.json is not the key's");
  }
  if ((await readFile(paths.verifier, "utf8")) !== (await verifierSource(name, paths.zkey))) {
    problems.push(`${CIRCUITS[name].verifier}.sol is not the key's verifier`);
  }
  return problems.map((problem) => `${name}: ${problem}`);
}

/**
 * Why a transcript does not describe a production key, or nothing when it does: phase 1 from a pinned public
 * ceremony, at least MIN_PRODUCTION_CONTRIBUTIONS contributions by distinct names, and a random beacon last.
 * `trustedPhase1` is the pinned public files' hashes (tests may pin others).
 */
export function productionProblems(
  transcript: CeremonyTranscript,
  trustedPhase1: readonly string[] = PUBLIC_PHASE1.map((entry) => entry.blake2b),
): string[] {
  const problems: string[] = [];
  const name = transcript.circuit;
  if (transcript.kind !== "production") problems.push(`${name}'s key is a ${transcript.kind} key`);
  if (!trustedPhase1.includes(transcript.phase1.blake2b)) {
    problems.push(`${name}'s phase 1 (${transcript.phase1.file}) is not a pinned public ceremony`);
  }
  const last = transcript.contributions.at(-1);
  const contributors = transcript.contributions.filter((contribution) => contribution.beacon === undefined);
  const names = new Set(contributors.map((contribution) => contribution.name.trim().toLowerCase()));
  if (contributors.length < MIN_PRODUCTION_CONTRIBUTIONS || names.size < contributors.length) {
    problems.push(
      `${name}'s key has ${contributors.length} phase-2 contribution(s) by ${names.size} distinct name(s); ` +
        `production needs at least ${MIN_PRODUCTION_CONTRIBUTIONS} independent contributors`,
    );
  }
  if (last?.beacon === undefined) problems.push(`${name}'s key does not end with a random beacon`);
  return problems;
}

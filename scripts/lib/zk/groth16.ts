import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import * as snarkjs from "snarkjs";

import { type CircuitName, circuitPaths } from "./circuits.js";

const require = createRequire(import.meta.url);

/** A Groth16 proof in the order the generated Solidity verifiers take it, with its public signals. */
export interface Groth16Proof {
  readonly a: [bigint, bigint];
  readonly b: [[bigint, bigint], [bigint, bigint]];
  readonly c: [bigint, bigint];
  readonly publicSignals: bigint[];
}

type SnarkjsProof = { pi_a: string[]; pi_b: string[][]; pi_c: string[] };

/** The witness calculator circom generates beside each circuit's wasm (`<name>_js/witness_calculator.js`). */
interface WitnessCalculator {
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
}

/** A circuit ready to prove: its compiled witness calculator and its key's bytes, as of the files' `stamp`. */
interface LoadedCircuit {
  readonly stamp: string;
  readonly calculator: WitnessCalculator;
  readonly zkey: Uint8Array;
}

const loaded = new Map<CircuitName, Promise<LoadedCircuit>>();

/**
 * snarkjs's BN254 curve (its worker threads), built once per process. snarkjs builds it on first use and keeps it in
 * a global, but two first uses at once each built one, the later replacing the former in the global: the former's
 * workers were never stopped, and a process that had proved concurrently (the devnet's providers) never exited.
 */
let curve: Promise<unknown> | undefined;
const curves = (snarkjs as unknown as { curves: { getCurveFromName(name: string): Promise<unknown> } }).curves;

function builtCurve(): Promise<unknown> {
  if (curve === undefined) {
    const building = curves.getCurveFromName("bn128");
    curve = building;
    building.catch(() => {
      if (curve === building) curve = undefined; // a failed build is tried again by the next use
    });
  }
  return curve;
}

/**
 * The circuit's witness calculator and key, loaded once per process: compiling the 2 MB witness wasm and reading
 * the key took more than a third of a small circuit's proving time. Reloaded when either file changes (a new setup).
 */
async function load(circuit: CircuitName): Promise<LoadedCircuit> {
  const paths = circuitPaths(circuit);
  const [wasmFile, zkeyFile] = await Promise.all([stat(paths.wasm), stat(paths.zkey)]);
  const stamp = `${wasmFile.mtimeMs}:${wasmFile.size}:${zkeyFile.mtimeMs}:${zkeyFile.size}`;
  const cached = loaded.get(circuit);
  if (cached !== undefined && (await cached.catch(() => undefined))?.stamp === stamp) return cached;
  const loading = (async () => {
    const builder = require(join(dirname(paths.wasm), "witness_calculator.js")) as (
      code: Uint8Array,
    ) => Promise<WitnessCalculator>;
    const [wasm, zkey] = await Promise.all([readFile(paths.wasm), readFile(paths.zkey)]);
    return { stamp, calculator: await builder(wasm), zkey };
  })();
  loaded.set(circuit, loading);
  return loading;
}

/** Computes the witness of `circuit` for `input` and proves it. Throws when the input violates a constraint. */
export async function prove(circuit: CircuitName, input: Record<string, unknown>): Promise<Groth16Proof> {
  return proveWitness(circuit, await witness(circuit, input));
}

/** Proves from an already computed witness (a `.wtns` file's bytes), without checking any constraint. */
export async function proveWitness(circuit: CircuitName, witness: Uint8Array): Promise<Groth16Proof> {
  const [{ zkey }] = await Promise.all([load(circuit), builtCurve()]);
  const { proof, publicSignals } = await snarkjs.groth16.prove(
    { type: "mem", data: zkey } as never,
    { type: "mem", data: witness } as never,
  );
  return fromSnarkjs(proof as unknown as SnarkjsProof, publicSignals as string[]);
}

/** Computes the witness of `circuit` for `input` as `.wtns` bytes; throws when the input violates a constraint. */
export async function witness(circuit: CircuitName, input: Record<string, unknown>): Promise<Uint8Array> {
  const { calculator } = await load(circuit);
  try {
    return await calculator.calculateWTNSBin(input);
  } catch (error) {
    // The calculator keeps a failed assertion's message for the next error: start the next witness afresh.
    loaded.delete(circuit);
    throw error;
  }
}

/**
 * Whether a witness (`.wtns` bytes) satisfies every constraint of the circuit's committed R1CS: what a prover's key
 * can only prove, checked constraint by constraint.
 */
export async function satisfiesConstraints(circuit: CircuitName, witness: Uint8Array): Promise<boolean> {
  // snarkjs reports the first failing constraint through the logger, which it then requires.
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  const witnessFile = { type: "mem", data: witness } as never;
  await builtCurve();
  return (await snarkjs.wtns.check(circuitPaths(circuit).r1cs, witnessFile, quiet as never)) === true;
}

/** Checks `proof` against the circuit's verification key, off-chain. */
export async function verify(circuit: CircuitName, proof: Groth16Proof): Promise<boolean> {
  const key = JSON.parse(await readFile(circuitPaths(circuit).verificationKey, "utf8"));
  await builtCurve();
  return snarkjs.groth16.verify(key, proof.publicSignals.map(String), toSnarkjs(proof));
}

/** Stops the worker threads snarkjs keeps alive and frees the loaded circuits, so that a script can exit. */
export async function releaseProver(): Promise<void> {
  loaded.clear();
  const building = curve;
  curve = undefined;
  await building?.catch(() => undefined);
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128?.terminate();
}

function fromSnarkjs(proof: SnarkjsProof, publicSignals: string[]): Groth16Proof {
  const n = (value: string | undefined) => BigInt(value ?? "0");
  const [a, b, c] = [proof.pi_a, proof.pi_b, proof.pi_c];
  return {
    a: [n(a[0]), n(a[1])],
    // The precompile takes G2 coordinates as (imaginary, real).
    b: [
      [n(b[0]?.[1]), n(b[0]?.[0])],
      [n(b[1]?.[1]), n(b[1]?.[0])],
    ],
    c: [n(c[0]), n(c[1])],
    publicSignals: publicSignals.map(BigInt),
  };
}

function toSnarkjs(proof: Groth16Proof): SnarkjsProof & { protocol: string; curve: string } {
  const s = (value: bigint) => value.toString();
  return {
    pi_a: [s(proof.a[0]), s(proof.a[1]), "1"],
    pi_b: [
      [s(proof.b[0][1]), s(proof.b[0][0])],
      [s(proof.b[1][1]), s(proof.b[1][0])],
      ["1", "0"],
    ],
    pi_c: [s(proof.c[0]), s(proof.c[1]), "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

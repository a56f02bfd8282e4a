import { readFile } from "node:fs/promises";

import * as snarkjs from "snarkjs";

import { type CircuitName, circuitPaths } from "./circuits.js";

/** A Groth16 proof in the order the generated Solidity verifiers take it, with its public signals. */
export interface Groth16Proof {
  readonly a: [bigint, bigint];
  readonly b: [[bigint, bigint], [bigint, bigint]];
  readonly c: [bigint, bigint];
  readonly publicSignals: bigint[];
}

type SnarkjsProof = { pi_a: string[]; pi_b: string[][]; pi_c: string[] };

/** Computes the witness of `circuit` for `input` and proves it. Throws when the input violates a constraint. */
export async function prove(circuit: CircuitName, input: Record<string, unknown>): Promise<Groth16Proof> {
  const paths = circuitPaths(circuit);
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input as never, paths.wasm, paths.zkey);
  return fromSnarkjs(proof as unknown as SnarkjsProof, publicSignals as string[]);
}

/** Proves from an already computed witness (a `.wtns` file's bytes), without checking any constraint. */
export async function proveWitness(circuit: CircuitName, witness: Uint8Array): Promise<Groth16Proof> {
  const { proof, publicSignals } = await snarkjs.groth16.prove(circuitPaths(circuit).zkey, {
    type: "mem",
    data: witness,
  } as never);
  return fromSnarkjs(proof as unknown as SnarkjsProof, publicSignals as string[]);
}

/** Computes the witness of `circuit` for `input` as `.wtns` bytes. */
export async function witness(circuit: CircuitName, input: Record<string, unknown>): Promise<Uint8Array> {
  const out = { type: "mem" } as { type: "mem"; data?: Uint8Array };
  await snarkjs.wtns.calculate(input as never, circuitPaths(circuit).wasm, out as never);
  if (out.data === undefined) throw new Error("the witness calculator produced nothing");
  return out.data;
}

/**
 * Whether a witness (`.wtns` bytes) satisfies every constraint of the circuit's committed R1CS: what a prover's key
 * can only prove, checked constraint by constraint.
 */
export async function satisfiesConstraints(circuit: CircuitName, witness: Uint8Array): Promise<boolean> {
  // snarkjs reports the first failing constraint through the logger, which it then requires.
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  const witnessFile = { type: "mem", data: witness } as never;
  return (await snarkjs.wtns.check(circuitPaths(circuit).r1cs, witnessFile, quiet as never)) === true;
}

/** Checks `proof` against the circuit's verification key, off-chain. */
export async function verify(circuit: CircuitName, proof: Groth16Proof): Promise<boolean> {
  const key = JSON.parse(await readFile(circuitPaths(circuit).verificationKey, "utf8"));
  return snarkjs.groth16.verify(key, proof.publicSignals.map(String), toSnarkjs(proof));
}

/** Stops the worker threads snarkjs keeps alive, so that a script can exit. */
export async function releaseProver(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
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

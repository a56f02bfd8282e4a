import * as lite from "poseidon-lite";

import { pack } from "./field.js";

const HASHES: Record<number, (inputs: bigint[]) => bigint> = {
  1: lite.poseidon1,
  2: lite.poseidon2,
  3: lite.poseidon3,
  4: lite.poseidon4,
  5: lite.poseidon5,
  6: lite.poseidon6,
  7: lite.poseidon7,
  8: lite.poseidon8,
  9: lite.poseidon9,
  10: lite.poseidon10,
  11: lite.poseidon11,
  12: lite.poseidon12,
  13: lite.poseidon13,
  14: lite.poseidon14,
  15: lite.poseidon15,
  16: lite.poseidon16,
};

/** Poseidon over 1 to 16 field elements, the same function as circomlib's `Poseidon(n)`. */
export function poseidon(inputs: readonly bigint[]): bigint {
  const hash = HASHES[inputs.length];
  if (hash === undefined) throw new Error(`Poseidon takes 1 to 16 inputs, got ${inputs.length}`);
  return hash([...inputs]);
}

/** The commitment of an int8 vector: Poseidon over its values + 128 packed 31 to a field element (≤ 496 values). */
export function int8VectorHash(values: readonly number[]): bigint {
  return poseidon(
    pack(
      values.map((x) => BigInt(x + 128)),
      8,
    ),
  );
}

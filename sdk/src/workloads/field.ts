import { type Hex, keccak256, toHex } from "viem";

/** The BN254 scalar field: every circuit signal is an element of it. */
export const SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A signed integer as a field element: a negative `v` becomes `p - |v|`. */
export function signedToField(value: number | bigint): bigint {
  const v = BigInt(value);
  return v >= 0n ? v : SNARK_FIELD + v;
}

/** keccak256 of `data`, reduced into the field (a 256-bit digest does not fit in BN254's ~254 bits). */
export function digestToField(data: Hex | Uint8Array): bigint {
  return BigInt(keccak256(data)) % SNARK_FIELD;
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkRange(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Packs values below 2^bits into field elements, floor(248 / bits) per element, least significant first. */
export function pack(values: readonly bigint[], bits: number): bigint[] {
  const perElement = Math.floor(248 / bits);
  const packed: bigint[] = [];
  values.forEach((value, i) => {
    const k = Math.floor(i / perElement);
    packed[k] = (packed[k] ?? 0n) + (value << BigInt(bits * (i % perElement)));
  });
  return packed;
}

/** A field element as the bytes32 a job spec or a result carries. */
export function fieldToBytes32(value: bigint): Hex {
  return toHex(value, { size: 32 });
}

import type { Address } from "viem";
import { SNARK_FIELD, checkRange, poseidon } from "@starminer/sdk";

import { type Groth16Proof, prove } from "./groth16.js";

/** The hardware a node commits to, and the secret salt that hides it. */
export interface CapabilitySpecs {
  readonly node: Address;
  readonly vramMiB: number;
  readonly computeCapability: number;
  readonly salt: bigint;
}

/** Poseidon(node, vramMiB, computeCapability, salt): what a node registers with `commitCapability`. */
export function capabilityCommitment(specs: CapabilitySpecs): bigint {
  checkRange("vramMiB", specs.vramMiB, 0, 2 ** 32 - 1);
  checkRange("computeCapability", specs.computeCapability, 0, 2 ** 16 - 1);
  if (specs.salt < 0n || specs.salt >= SNARK_FIELD) throw new Error("salt must be a field element");
  return poseidon([BigInt(specs.node), BigInt(specs.vramMiB), BigInt(specs.computeCapability), specs.salt]);
}

/** Proves that the committed specs meet the thresholds, revealing neither. */
export async function proveCapability(
  specs: CapabilitySpecs,
  thresholds: { minVramMiB: number; minComputeCapability: number },
): Promise<{ commitment: bigint; proof: Groth16Proof }> {
  checkRange("minVramMiB", thresholds.minVramMiB, 0, 2 ** 32 - 1);
  checkRange("minComputeCapability", thresholds.minComputeCapability, 0, 2 ** 16 - 1);
  if (specs.vramMiB < thresholds.minVramMiB || specs.computeCapability < thresholds.minComputeCapability) {
    throw new Error("the hardware does not meet the thresholds: no proof exists");
  }
  const commitment = capabilityCommitment(specs);
  const proof = await prove("capability", {
    node: BigInt(specs.node),
    commitment,
    minVramMiB: thresholds.minVramMiB,
    minComputeCapability: thresholds.minComputeCapability,
    vramMiB: specs.vramMiB,
    computeCapability: specs.computeCapability,
    salt: specs.salt,
  });
  return { commitment, proof };
}

import type { Address, Hex } from "viem";
import { SNARK_FIELD, digestToField, poseidon } from "@starminer/sdk";

import { type Groth16Proof, prove } from "./groth16.js";

/** What a provider commits to for a job: the job, itself, the result's digest and a secret salt. */
export interface ResultCommitmentInput {
  readonly jobId: bigint;
  readonly provider: Address;
  /** keccak256 of the result bytes, reduced into the field: see {@link resultDigest}. */
  readonly resultDigest: bigint;
  readonly salt: bigint;
}

/** The field element a result is committed by. */
export function resultDigest(result: Hex | Uint8Array): bigint {
  return digestToField(result);
}

/** Poseidon(jobId, provider, resultDigest, salt): the public result commitment of the compute_commitment circuit. */
export function resultCommitment(input: ResultCommitmentInput): bigint {
  for (const [name, value] of [
    ["jobId", input.jobId],
    ["resultDigest", input.resultDigest],
    ["salt", input.salt],
  ] as const) {
    if (value < 0n || value >= SNARK_FIELD) throw new Error(`${name} must be a field element`);
  }
  return poseidon([input.jobId, BigInt(input.provider), input.resultDigest, input.salt]);
}

/** Proves knowledge of the digest and salt behind the commitment, bound to the job and the provider. */
export async function proveResultCommitment(
  input: ResultCommitmentInput,
): Promise<{ commitment: bigint; proof: Groth16Proof }> {
  const commitment = resultCommitment(input);
  const proof = await prove("compute_commitment", {
    jobId: input.jobId,
    provider: BigInt(input.provider),
    resultCommitment: commitment,
    resultDigest: input.resultDigest,
    salt: input.salt,
  });
  return { commitment, proof };
}

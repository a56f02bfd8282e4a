import { type Address, type Hex, encodeAbiParameters, keccak256, parseEther, toHex, zeroAddress } from "viem";

import { zoneId } from "./zones.js";

/** Verification modes, job and slot statuses as the JobMarket numbers them. */
export const Mode = { Consensus: 0, Optimistic: 1, TEE: 2, ZK: 3 } as const;
export const JobStatus = { None: 0, Open: 1, Verified: 2, Disputed: 3, Settled: 4, Refunded: 5, Cancelled: 6 } as const;
export const SlotStatus = { Open: 0, Claimed: 1, Committed: 2, Revealed: 3, Missed: 4 } as const;
export const Tier = { Economy: 0, Standard: 1, Priority: 2 } as const;

/** The name of `value` in one of the numberings above: `enumName(Mode, 2)` is `"TEE"`. */
export function enumName<NumberingT extends Record<string, number>>(numbering: NumberingT, value: number): string {
  const name = Object.keys(numbering).find((key) => numbering[key] === value);
  if (name === undefined) throw new Error(`${value} is not one of ${Object.keys(numbering).join(", ")}`);
  return name;
}

/** A numbering keyed by lower-case name, for reading names people type: `{ economy: 0, standard: 1, ... }`. */
export function byLowerCaseName(numbering: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(numbering).map(([name, value]) => [name.toLowerCase(), value]));
}

/** `JobMarket.submitJob`'s argument. */
export interface JobSpec {
  modelCommitment: Hex;
  inputCommitment: Hex;
  zone: Hex;
  tier: number;
  spilloverAllowed: boolean;
  redundancy: number;
  mode: number;
  workloadClass: number;
  gpuHours: number;
  minVramMiB: number;
  minComputeCapability: number;
  teeRequired: boolean;
  provenHardware: boolean;
  deadline: bigint;
  deliveryWindow: number;
  modelCreator: Address;
  maxTotal: bigint;
}

/**
 * A 10 GPU-hour Standard Optimistic job in eu-west for one provider on an H100-class GPU, one hour per delivery,
 * paying at most 1 000 000 AGPU, with no model creator and placeholder commitments: every field but the deadline.
 */
export const JOB_SPEC_DEFAULTS: Readonly<Omit<JobSpec, "deadline">> = {
  modelCommitment: keccak256(toHex("model")),
  inputCommitment: keccak256(toHex("input")),
  zone: zoneId("eu-west"),
  tier: Tier.Standard,
  spilloverAllowed: false,
  redundancy: 1,
  mode: Mode.Optimistic,
  workloadClass: 0,
  gpuHours: 10,
  minVramMiB: 24_576,
  minComputeCapability: 80,
  teeRequired: false,
  provenHardware: false,
  deliveryWindow: 3_600,
  modelCreator: zeroAddress,
  maxTotal: parseEther("1000000"),
};

/** {@link JOB_SPEC_DEFAULTS} due a day after `now`, with any field overridden. */
export function jobSpec(now: bigint | number, overrides: Partial<JobSpec> = {}): JobSpec {
  return { ...JOB_SPEC_DEFAULTS, deadline: BigInt(now) + 86_400n, ...overrides };
}

/** A job's spec hash: the model and input commitments as the JobMarket hashes them (and ZK verifiers open). */
export function specHash(spec: Pick<JobSpec, "modelCommitment" | "inputCommitment">): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [spec.modelCommitment, spec.inputCommitment]),
  );
}

/** The commitment a provider posts for `result` with `salt`, as `JobMarket.commitmentOf` computes it. */
export function resultCommitment(jobId: bigint, slot: number | bigint, provider: Address, result: Hex, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [jobId, BigInt(slot), provider, result, salt],
    ),
  );
}

/** The most jobs one `claimMany` claims a slot of (the market's `MAX_CLAIM_BATCH`). */
export const MAX_CLAIM_BATCH = 64;

/** The most jobs one `finalizeMany` settles (the market's `MAX_FINALIZE_BATCH`). */
export const MAX_FINALIZE_BATCH = 64;

/** `jobIds` cut into batches `finalizeMany` takes, in order. */
export function finalizeBatches(jobIds: readonly bigint[]): bigint[][] {
  const batches: bigint[][] = [];
  for (let start = 0; start < jobIds.length; start += MAX_FINALIZE_BATCH) {
    batches.push(jobIds.slice(start, start + MAX_FINALIZE_BATCH));
  }
  return batches;
}

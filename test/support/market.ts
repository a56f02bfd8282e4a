import { AbiCoder, type BigNumberish, keccak256, toBeHex } from "ethers";

import { Role } from "../../scripts/lib/roles.js";
import { zoneId } from "../../scripts/lib/zones.js";
import { NodeRole, providerMetadata } from "./nodes.js";
import { type Connection, type Protocol, protocolFixture, spareSigners } from "./protocol.js";

export const AGPU = 10n ** 18n;
export const HOUR = 3_600;
export const DAY = 86_400;

/** Verification modes, job and slot statuses as the JobMarket numbers them. */
export const Mode = { Consensus: 0, Optimistic: 1, TEE: 2, ZK: 3 } as const;
export const JobStatus = { None: 0, Open: 1, Verified: 2, Disputed: 3, Settled: 4, Refunded: 5, Cancelled: 6 } as const;
export const SlotStatus = { Open: 0, Claimed: 1, Committed: 2, Revealed: 3, Missed: 4 } as const;
export const Tier = { Economy: 0, Standard: 1, Priority: 2 } as const;
export const Outcome = { Completed: 0, Missed: 1, Faulty: 2 } as const;
export const Verdict = { Pending: 0, Upheld: 1, Rejected: 2, NoDecision: 3 } as const;

export const EU_WEST = zoneId("eu-west");
export const US_EAST = zoneId("us-east");
export const PROVIDER_STAKE = 10_000n * AGPU;
export const VALIDATOR_STAKE = 5_000n * AGPU;
export const REQUESTER_FUNDS = 100_000n * AGPU;

export interface JobSpec {
  modelCommitment: string;
  inputCommitment: string;
  zone: string;
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
  modelCreator: string;
  maxTotal: bigint;
}

/** A 10 GPU-hour Standard job in eu-west, one hour per delivery, due in a day; any field overridden. */
export function jobSpec(now: number | bigint, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    modelCommitment: keccak256("0x6d6f64656c"),
    inputCommitment: keccak256("0x696e707574"),
    zone: EU_WEST,
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
    deadline: BigInt(now) + BigInt(DAY),
    deliveryWindow: HOUR,
    modelCreator: "0x0000000000000000000000000000000000000000",
    maxTotal: 1_000_000n * AGPU,
    ...overrides,
  };
}

/** The commitment a provider posts for `result` with `salt`, as JobMarket.commitmentOf computes it. */
export function commitmentOf(jobId: BigNumberish, slot: BigNumberish, provider: string, result: string, salt: string) {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["uint256", "uint256", "address", "bytes32", "bytes32"],
      [jobId, slot, provider, result, salt],
    ),
  );
}

/** A result hash for a label, e.g. `result("A")`. */
export const result = (label: string) => keccak256(toBeHex(BigInt(`0x${Buffer.from(label).toString("hex")}`)));
export const salt = (n: number) => toBeHex(n, 32);

/**
 * The protocol with a working market: Alice and Bob are requesters with funds approved to the market and the hub,
 * four providers in eu-west (H100s, 10 000 AGPU staked each), and four validators with the validator minimum staked.
 */
export function marketFixture(connection: Connection) {
  const deployed = protocolFixture(connection);
  return async function marketReady() {
    const protocol = await deployed();
    const { agpu, staking, nodeRegistry, jobMarket, verificationHub, accounts } = protocol;
    const spare = await spareSigners(connection, protocol, 8);
    const providers = spare.slice(0, 4);
    const validators = spare.slice(4, 8);

    for (const requester of [accounts.alice, accounts.bob]) {
      await agpu.connect(accounts.deployer).transfer(requester.address, REQUESTER_FUNDS);
      await agpu.connect(requester).approve(await jobMarket.getAddress(), REQUESTER_FUNDS);
      await agpu.connect(requester).approve(await verificationHub.getAddress(), REQUESTER_FUNDS);
    }
    for (const [index, provider] of providers.entries()) {
      await stakeFor(protocol, provider, PROVIDER_STAKE);
      await nodeRegistry
        .connect(provider)
        .register(NodeRole.PROVIDER, providerMetadata({ endpoint: `https://gpu-${index}.example` }));
    }
    for (const [index, validator] of validators.entries()) {
      await stakeFor(protocol, validator, VALIDATOR_STAKE);
      const metadata = providerMetadata({ gpuModel: "", vramMiB: 0, computeCapability: 0, tflopsCenti: 0 });
      await nodeRegistry
        .connect(validator)
        .register(NodeRole.VALIDATOR, { ...metadata, endpoint: `https://validator-${index}.example` });
    }
    return { ...protocol, providers, validators };
  };
}

export type Market = Awaited<ReturnType<ReturnType<typeof marketFixture>>>;
type Signer = Market["providers"][number];

async function stakeFor(protocol: Protocol, node: Signer, amount: bigint) {
  const { agpu, staking, accounts } = protocol;
  await agpu.connect(accounts.deployer).transfer(node.address, amount);
  await agpu.connect(node).approve(await staking.getAddress(), amount);
  await staking.connect(node).stake(amount);
}

/** Lifts `provider`'s composite reputation above the optimistic floor (through the stand-in reputation writer). */
export async function raiseReputation(market: Market, provider: string, completions = 4) {
  const { reputation, accounts, accessManager } = market;
  const [isWriter] = await accessManager.hasRole(Role.REPUTATION_WRITER, accounts.market.address);
  if (!isWriter) throw new Error("the market stand-in lost REPUTATION_WRITER");
  for (let i = 0; i < completions; i++) {
    await reputation.connect(accounts.market).recordOutcome(provider, Outcome.Completed, 10_000, toBeHex(i + 1, 32));
  }
}

/** Submits `spec` as `requester` and returns the new job's id. */
export async function submit(market: Market, spec: JobSpec, requester = market.accounts.alice): Promise<bigint> {
  const { jobMarket } = market;
  await jobMarket.connect(requester).submitJob(spec);
  return jobMarket.jobCount();
}

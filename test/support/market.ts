import { SigningKey, hashMessage, id, keccak256, toBeHex } from "ethers";
import type { Address, Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { type JobSpec, Mode, jobSpec, resultCommitment, zoneId } from "@starminer/sdk";

import { Role } from "../../scripts/lib/roles.js";
import { NodeRole, Tee, providerMetadata, serviceNodeMetadata } from "./nodes.js";
import {
  type Connection,
  type FixtureDeployment,
  type Protocol,
  type Signer,
  protocolFixture,
  spareSigners,
  stakeFrom,
} from "./protocol.js";

export const AGPU = 10n ** 18n;
export const HOUR = 3_600;
export const DAY = 86_400;

export { JobStatus, Mode, SlotStatus, Tier, jobSpec } from "@starminer/sdk";
export type { JobSpec } from "@starminer/sdk";
export const Outcome = { Completed: 0, Missed: 1, Faulty: 2 } as const;
export const Verdict = { Pending: 0, Upheld: 1, Rejected: 2, NoDecision: 3 } as const;
export const AuditDraw = { None: 0, Pending: 1, Sampled: 2, Skipped: 3 } as const;

export const EU_WEST = zoneId("eu-west");
export const US_EAST = zoneId("us-east");
export const PROVIDER_STAKE = 10_000n * AGPU;
export const VALIDATOR_STAKE = 5_000n * AGPU;
export const REQUESTER_FUNDS = 100_000n * AGPU;

/** The commitment a provider posts for `result` with `salt`, as JobMarket.commitmentOf computes it. */
export function commitmentOf(jobId: bigint, slot: number, provider: string, result: string, salt: string) {
  return resultCommitment(jobId, slot, provider as Address, result as Hex, salt as Hex);
}

/**
 * An Optimistic single-provider job submitted by Alice and claimed by the first provider (its reputation raised above
 * the optimistic floor first). `latest` reads the chain's time.
 */
export async function claimedOptimisticJob(market: Market, latest: () => Promise<number>) {
  const provider = market.providers[0]!;
  await raiseReputation(market, provider.address);
  const jobId = await submit(market, jobSpec(await latest()));
  await market.jobMarket.connect(provider).claimSlot(jobId);
  return { ...market, jobId, provider };
}

/** A three-provider Consensus job submitted by Alice, every slot claimed by the first three providers. */
export async function claimedConsensusJob(market: Market, latest: () => Promise<number>) {
  const jobId = await submit(market, jobSpec(await latest(), { mode: Mode.Consensus, redundancy: 3 }));
  const trio = market.providers.slice(0, 3);
  for (const provider of trio) await market.jobMarket.connect(provider).claimSlot(jobId);
  return { ...market, jobId, trio };
}

/** The 64-byte public key (uncompressed, without its 0x04) of `signer`'s account, as a key request gives it. */
export async function publicKeyOf(signer: Signer): Promise<string> {
  const message = "starminer key";
  const full = SigningKey.recoverPublicKey(hashMessage(message), await signer.signMessage(message));
  return `0x${full.slice(4)}`;
}

/** A result hash for a label, e.g. `result("A")`. */
export const result = (label: string) => keccak256(toBeHex(BigInt(`0x${Buffer.from(label).toString("hex")}`)));
export const salt = (n: number) => toBeHex(n, 32);

/**
 * The protocol with a working market: Alice and Bob are requesters with funds approved to the market and the hub,
 * four providers in eu-west (H100s, 10 000 AGPU staked each), and four validators with the validator minimum staked.
 */
export function marketFixture(connection: Connection, deployment: FixtureDeployment = {}) {
  const deployed = protocolFixture(connection, deployment);
  return async function marketReady() {
    const protocol = await deployed();
    const { agpu, jobMarket, verificationHub, accounts } = protocol;
    const spare = await spareSigners(connection, protocol, 8);
    const providers = spare.slice(0, 4);
    const validators = spare.slice(4, 8);

    for (const requester of [accounts.alice, accounts.bob]) {
      await agpu.connect(accounts.deployer).transfer(requester.address, REQUESTER_FUNDS);
      await agpu.connect(requester).approve(await jobMarket.getAddress(), REQUESTER_FUNDS);
      await agpu.connect(requester).approve(await verificationHub.getAddress(), REQUESTER_FUNDS);
    }
    for (const [index, provider] of providers.entries()) {
      await enrolProvider(protocol, provider, `https://gpu-${index}.example`);
    }
    for (const [index, validator] of validators.entries()) {
      await enrolValidator(protocol, validator, `https://validator-${index}.example`);
    }
    return { ...protocol, providers, validators };
  };
}

/** Stakes 10 000 AGPU for `provider` (from the deployer) and registers it as an H100 provider in eu-west. */
export async function enrolProvider(protocol: Protocol, provider: Signer, endpoint: string): Promise<void> {
  await stakeFrom(protocol, provider, PROVIDER_STAKE);
  await protocol.nodeRegistry.connect(provider).register(NodeRole.PROVIDER, providerMetadata({ endpoint }));
}

/** Stakes the validator minimum for `validator` (from the deployer), registers it and adds it to the juror pool. */
export async function enrolValidator(protocol: Protocol, validator: Signer, endpoint: string): Promise<void> {
  await stakeFrom(protocol, validator, VALIDATOR_STAKE);
  await protocol.nodeRegistry.connect(validator).register(NodeRole.VALIDATOR, serviceNodeMetadata({ endpoint }));
  await protocol.verificationHub.connect(validator).joinPool();
}

export type Market = Awaited<ReturnType<ReturnType<typeof marketFixture>>>;

/** Lifts `provider`'s composite reputation above the optimistic floor (through the stand-in reputation writer). */
export async function raiseReputation(market: Market, provider: string, completions = 4) {
  const { reputation, accounts, accessManager } = market;
  const [isWriter] = await accessManager.hasRole(Role.REPUTATION_WRITER, accounts.market.address);
  if (!isWriter) throw new Error("the market stand-in lost REPUTATION_WRITER");
  for (let i = 0; i < completions; i++) {
    // Jobs worth the reference value, each for a different requester: what eligibility needs.
    await reputation
      .connect(accounts.market)
      .recordOutcome(provider, Outcome.Completed, 10_000, toBeHex(i + 1, 32), 1_000n * AGPU, toBeHex(0xa000 + i, 20));
  }
}

/** Submits `spec` as `requester` and returns the new job's id. */
export async function submit(market: Market, spec: JobSpec, requester = market.accounts.alice): Promise<bigint> {
  const { jobMarket } = market;
  await jobMarket.connect(requester).submitJob(spec);
  return jobMarket.jobCount();
}

/**
 * An Optimistic single-provider job delivered with `answer` by the first provider (its reputation raised above the
 * floor), now Verified; the audit rate is set to `auditRateBps` first. One block is mined after the verification:
 * the audit draw reads its hash. Returns the job's id and its provider.
 */
export async function deliverVerifiedJob(market: Market, auditRateBps = 0, answer = result("answer")) {
  const { jobMarket } = market;
  await setAuditRate(market, auditRateBps);
  const [provider] = market.providers;
  if (provider === undefined) throw new Error("the market fixture has no provider");
  await raiseReputation(market, provider.address);
  const jobId = await submit(market, jobSpec(await latestTimestamp(market)));
  await jobMarket.connect(provider).claimSlot(jobId);
  await jobMarket.connect(provider).submitResult(jobId, 0, answer, "0x");
  await advanceChain(market, 0);
  return { jobId, provider };
}

/**
 * Each of `claimants` claims a slot of `jobId` (slot i for claimant i), then all commit, then all reveal
 * `answers[i]`: the whole commit-reveal round of a multi-provider job.
 */
export async function claimCommitReveal(market: Market, jobId: bigint, claimants: Signer[], answers: string[]) {
  const { jobMarket } = market;
  for (const provider of claimants) await jobMarket.connect(provider).claimSlot(jobId);
  for (const [slot, provider] of claimants.entries()) {
    await jobMarket
      .connect(provider)
      .commitResult(jobId, slot, commitmentOf(jobId, slot, provider.address, answers[slot]!, salt(slot + 1)));
  }
  for (const [slot, provider] of claimants.entries()) {
    await jobMarket.connect(provider).revealResult(jobId, slot, answers[slot]!, salt(slot + 1), "0x");
  }
}

/**
 * Draws the committee of `jobId`'s open dispute (its draw block must have passed: this mines one block first), has
 * every juror commit and reveal its vote (`uphold` for all, or per juror), and lets the appeal period pass, so that
 * the dispute can be resolved. Returns the jurors' signers.
 */
export async function decideDispute(
  market: Market,
  jobId: bigint,
  uphold: boolean | ((juror: Signer, index: number) => boolean | undefined),
): Promise<Signer[]> {
  const jurors = await drawCommittee(market, jobId);
  await voteAll(market, jobId, uphold);
  await waitOutAppeals(market, jobId);
  return jurors;
}

/** Moves the chain's clock past the appeal period of `jobId`'s current round (its votes must be in). */
export async function waitOutAppeals(market: Market, jobId: bigint): Promise<void> {
  const { appealEndsAt } = await market.verificationHub.disputeOf(jobId);
  const now = await latestTimestamp(market);
  if (now <= appealEndsAt) await advanceChain(market, Number(appealEndsAt - now) + 1);
}

/** Every juror of `jobId`'s drawn committee commits and then reveals its vote (undefined: stays silent). */
export async function voteAll(
  market: Market,
  jobId: bigint,
  uphold: boolean | ((juror: Signer, index: number) => boolean | undefined),
): Promise<void> {
  const { verificationHub } = market;
  const jurors = await jurorSigners(market, jobId);
  const votes = jurors.map((juror, index) => (typeof uphold === "boolean" ? uphold : uphold(juror, index)));
  for (const [index, juror] of jurors.entries()) {
    const vote = votes[index];
    if (vote === undefined) continue;
    await verificationHub
      .connect(juror)
      .commitVote(jobId, await verificationHub.voteCommitment(jobId, juror.address, vote, salt(index + 1)));
  }
  // Reveals open once every juror has committed, or else once the commit phase is over: wait for it once.
  if ((await verificationHub.disputeOf(jobId)).commits < jurors.length) {
    await advanceChain(market, Number((await verificationHub.parameters()).votingPeriod) + 1);
  }
  for (const [index, juror] of jurors.entries()) {
    const vote = votes[index];
    if (vote === undefined) continue;
    await verificationHub.connect(juror).revealVote(jobId, vote, salt(index + 1));
  }
}

/** Mines a block so that the dispute's draw block has passed, draws its committee and returns the jurors' signers. */
export async function drawCommittee(market: Market, jobId: bigint): Promise<Signer[]> {
  await advanceChain(market, 0);
  await market.verificationHub.drawCommittee(jobId);
  return jurorSigners(market, jobId);
}

/** The signers of the jurors of `jobId`'s current round, among the fixture's validators. */
async function jurorSigners(market: Market, jobId: bigint): Promise<Signer[]> {
  const { verificationHub, validators } = market;
  const { round } = await verificationHub.disputeOf(jobId);
  const addresses: string[] = [];
  for (const address of await verificationHub.jurorsOf(jobId)) {
    if ((await verificationHub.jurorOf(jobId, address)).round === round) addresses.push(address);
  }
  return addresses.map((address) => {
    const signer = validators.find((validator) => validator.address === address);
    if (signer === undefined) throw new Error(`juror ${address} is not one of the fixture's validators`);
    return signer;
  });
}

/** The timestamp of the chain's latest block. */
async function latestTimestamp(market: Market): Promise<bigint> {
  const { provider } = market.accounts.deployer;
  if (provider === null) throw new Error("the deployer's signer has no provider");
  return BigInt((await provider.getBlock("latest"))!.timestamp);
}

/** Moves the chain's clock `seconds` forward and mines a block. */
async function advanceChain(market: Market, seconds: number): Promise<void> {
  const provider = market.accounts.deployer.provider as unknown as {
    send(method: string, params: unknown[]): Promise<unknown>;
  };
  if (seconds > 0) await provider.send("evm_increaseTime", [seconds]);
  await provider.send("evm_mine", []);
}

/** The hub's governed parameters, as `setParameters` takes them. */
type HubParameters = Parameters<Market["verificationHub"]["setParameters"]>[0];

/** Governance changes some of the hub's parameters, keeping the others. */
export async function setHubParameters(
  market: Pick<Market, "verificationHub" | "accounts">,
  changes: Partial<HubParameters>,
): Promise<void> {
  const { verificationHub, accounts } = market;
  const current = await verificationHub.parameters();
  await verificationHub.connect(accounts.governor).setParameters({
    auditRateBps: current.auditRateBps,
    disputeBondBps: current.disputeBondBps,
    votingPeriod: current.votingPeriod,
    committeeSize: current.committeeSize,
    revealPeriod: current.revealPeriod,
    jurorCollateral: current.jurorCollateral,
    appealPeriod: current.appealPeriod,
    jurorFeeBps: current.jurorFeeBps,
    ...changes,
  });
}

/** Governance sets the audit rate, keeping the hub's other parameters. */
export async function setAuditRate(market: Pick<Market, "verificationHub" | "accounts">, auditRateBps: number) {
  await setHubParameters(market, { auditRateBps });
}

/** Governance lowers the Optimistic reputation floor to neutral, so that new providers may take Optimistic jobs. */
export async function admitNewProvidersToOptimistic(market: Market): Promise<void> {
  const { jobMarket, accounts } = market;
  const parameters = await jobMarket.marketParameters();
  await jobMarket.connect(accounts.governor).setMarketParameters({
    collateralBps: parameters.collateralBps,
    optimisticReputationFloor: 5_000,
    revealWindow: parameters.revealWindow,
    challengeWindow: parameters.challengeWindow,
    minDeliveryWindow: parameters.minDeliveryWindow,
    maxJobDuration: parameters.maxJobDuration,
  });
}

/**
 * Makes `provider` a TEE node: it claims an NVIDIA confidential-computing GPU, governance allows `measurement`, and
 * the attester registers its enclave, whose signing key is `enclaveKey`.
 */
export async function attestEnclave(market: Market, provider: Signer, measurement: string, enclaveKey: Hex) {
  const { nodeRegistry, accounts } = market;
  await nodeRegistry
    .connect(provider)
    .updateMetadata(providerMetadata({ teeType: Tee.NvidiaCc, endpoint: "https://gpu-0.example" }));
  await nodeRegistry.connect(accounts.governor).setEnclaveMeasurementAllowed(measurement, true);
  await nodeRegistry
    .connect(accounts.attester)
    .registerAttestation(provider.address, Tee.NvidiaCc, measurement, id("report"), privateKeyToAddress(enclaveKey));
}

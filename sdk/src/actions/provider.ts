import { type Hex, keccak256, parseEventLogs, toHex } from "viem";

import { jobMarketAbi } from "../abis/JobMarket.js";
import { jobMarketLensAbi } from "../abis/JobMarketLens.js";
import { nodeRegistryAbi } from "../abis/NodeRegistry.js";
import { stakingAbi } from "../abis/Staking.js";
import type { StarMinerClient } from "../client.js";
import { StarMinerError } from "../client-error.js";
import { contractAddress } from "../deployment.js";
import { resultCommitment } from "../market.js";
import { type NodeMetadata, NodeRole } from "../nodes.js";
import { accountOf, writeAndWait } from "../transactions.js";
import { ensureAgpuAllowance } from "./tokens.js";

const market = (client: Pick<StarMinerClient, "deployment">) => ({
  address: contractAddress(client.deployment, "JobMarket"),
  abi: jobMarketAbi,
});

/** Stakes `amount` AGPU (approving Staking first if it may not take it yet). */
export async function stake(client: StarMinerClient, amount: bigint) {
  const staking = { address: contractAddress(client.deployment, "Staking"), abi: stakingAbi } as const;
  await ensureAgpuAllowance(client, staking.address, amount);
  return writeAndWait(client, staking, "stake", [amount]);
}

/** Registers the client's account as a node with `roles` (default: provider); stake the minimum first. */
export async function registerNode(client: StarMinerClient, metadata: NodeMetadata, roles: number = NodeRole.PROVIDER) {
  const registry = { address: contractAddress(client.deployment, "NodeRegistry"), abi: nodeRegistryAbi };
  return writeAndWait(client, registry, "register", [roles, metadata]);
}

/**
 * The open jobs in `zone` at `tier` (at every tier when `tier` is absent) among the `count` jobs from `fromId` on, in
 * id order.
 */
export async function openJobs(
  client: Pick<StarMinerClient, "publicClient" | "deployment">,
  parameters: { zone: Hex; tier?: number; fromId?: bigint; count?: bigint },
): Promise<readonly bigint[]> {
  const lens = { address: contractAddress(client.deployment, "JobMarketLens"), abi: jobMarketLensAbi } as const;
  const { zone, tier } = parameters;
  const fromId = parameters.fromId ?? 1n;
  const count = parameters.count ?? 64n;
  return tier === undefined
    ? client.publicClient.readContract({ ...lens, functionName: "openJobsInZone", args: [zone, fromId, count] })
    : client.publicClient.readContract({ ...lens, functionName: "openJobs", args: [zone, tier, fromId, count] });
}

/** A claimed slot: which one, the collateral locked for it and when the result is due. */
export interface ClaimedSlot {
  readonly jobId: bigint;
  readonly slot: number;
  readonly collateral: bigint;
  readonly deliverBy: bigint;
}

/** Claims a slot of an open job; the market locks collateral from the client's stake. */
export async function claimSlot(client: StarMinerClient, jobId: bigint): Promise<ClaimedSlot> {
  const { hash, receipt } = await writeAndWait(client, market(client), "claimSlot", [jobId]);
  const [claimed] = parseEventLogs({ abi: jobMarketAbi, eventName: "SlotClaimed", logs: receipt.logs });
  if (claimed === undefined) throw new StarMinerError(`transaction ${hash} claimed no slot`);
  const { slot, collateral, deliverBy } = claimed.args;
  return { jobId, slot: Number(slot), collateral, deliverBy: BigInt(deliverBy) };
}

/** Delivers the result of an Optimistic, TEE or ZK job's slot, with its evidence (an enclave signature, a proof). */
export async function submitResult(
  client: StarMinerClient,
  parameters: { jobId: bigint; slot: number; result: Hex; evidence?: Hex },
) {
  const { jobId, slot, result, evidence = "0x" } = parameters;
  return writeAndWait(client, market(client), "submitResult", [jobId, BigInt(slot), result, evidence]);
}

/**
 * Commits to a Consensus job's result, hidden until every slot has committed. Returns the salt: keep it, the
 * reveal needs it (a fresh random one unless given).
 */
export async function commitResult(
  client: StarMinerClient,
  parameters: { jobId: bigint; slot: number; result: Hex; salt?: Hex },
): Promise<{ salt: Hex; commitment: Hex }> {
  const salt = parameters.salt ?? keccak256(toHex(globalThis.crypto.getRandomValues(new Uint8Array(32))));
  const commitment = resultCommitment(
    parameters.jobId,
    parameters.slot,
    accountOf(client).address,
    parameters.result,
    salt,
  );
  await writeAndWait(client, market(client), "commitResult", [parameters.jobId, BigInt(parameters.slot), commitment]);
  return { salt, commitment };
}

/** Reveals a committed Consensus result once reveals are open; the last reveal tallies the job. */
export async function revealResult(
  client: StarMinerClient,
  parameters: { jobId: bigint; slot: number; result: Hex; salt: Hex; evidence?: Hex },
) {
  const { jobId, slot, result, salt, evidence = "0x" } = parameters;
  return writeAndWait(client, market(client), "revealResult", [jobId, BigInt(slot), result, salt, evidence]);
}

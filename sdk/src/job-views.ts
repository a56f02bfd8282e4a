import type { ContractFunctionReturnType, Hash, Hex, PublicClient } from "viem";

import { jobMarketAbi } from "./abis/JobMarket.js";
import { jobMarketLensAbi } from "./abis/JobMarketLens.js";
import type { StarMinerClient } from "./client.js";
import { StarMinerError } from "./client-error.js";
import { contractAddress } from "./deployment.js";

/** A job as the market returns it. */
export type ChainJob = ContractFunctionReturnType<typeof jobMarketAbi, "view", "jobOf">;
/** One of a job's slots as the market returns it. */
export type ChainSlot = ContractFunctionReturnType<typeof jobMarketAbi, "view", "slotsOf">[number];

/** A job and its slots, as one read returned them. */
export interface JobView {
  readonly job: ChainJob;
  readonly slots: readonly ChainSlot[];
}

/** How many jobs one lens call reads. */
const VIEW_BATCH = 64;

/**
 * The jobs `jobIds` with their slots, read through the market's lens in one call per 64 jobs: an actor that
 * follows many jobs costs the node a few calls a round rather than one or two per job. Every id must be a job of
 * the market (at most its `jobCount`).
 */
export async function readJobViews(
  client: Pick<StarMinerClient, "publicClient" | "deployment">,
  jobIds: readonly bigint[],
): Promise<Map<bigint, JobView>> {
  const lens = { address: contractAddress(client.deployment, "JobMarketLens"), abi: jobMarketLensAbi };
  const publicClient: PublicClient = client.publicClient;
  const views = new Map<bigint, JobView>();
  for (let i = 0; i < jobIds.length; i += VIEW_BATCH) {
    const batch = jobIds.slice(i, i + VIEW_BATCH);
    const read = await publicClient.readContract({ ...lens, functionName: "jobsWithSlots", args: [batch] });
    for (const { jobId, job, slots } of read) views.set(jobId, { job, slots });
  }
  return views;
}

/** What a job's spec commits to, as `JobSubmitted` carries it (the market keeps only a ZK job's spec hash). */
export interface JobCommitments {
  readonly specHash: Hex;
  readonly modelCommitment: Hex;
  readonly inputCommitment: Hex;
}

/**
 * A job's commitments and the transaction that submitted it, from its `JobSubmitted` event (looked for from the
 * market's first block on): what a provider checks a job against before claiming it.
 */
export async function readJobCommitments(
  client: Pick<StarMinerClient, "publicClient" | "deployment">,
  jobId: bigint,
): Promise<JobCommitments & { transactionHash: Hash }> {
  const market = client.deployment.contracts.JobMarket;
  const [submitted] = await client.publicClient.getContractEvents({
    address: contractAddress(client.deployment, "JobMarket"),
    abi: jobMarketAbi,
    eventName: "JobSubmitted",
    args: { jobId },
    fromBlock: BigInt(market?.startBlock ?? 0),
    toBlock: "latest",
  });
  const { specHash, modelCommitment, inputCommitment } = submitted?.args ?? {};
  if (specHash === undefined || modelCommitment === undefined || inputCommitment === undefined) {
    throw new StarMinerError(`job ${jobId} has no JobSubmitted event`);
  }
  return { specHash, modelCommitment, inputCommitment, transactionHash: submitted!.transactionHash };
}

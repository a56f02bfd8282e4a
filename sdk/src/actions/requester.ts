import { type Hash, type Hex, type TransactionReceipt, formatEther, parseEventLogs } from "viem";

import { jobMarketAbi } from "../abis/JobMarket.js";
import { pricingEngineAbi } from "../abis/PricingEngine.js";
import { verificationHubAbi } from "../abis/VerificationHub.js";
import type { StarMinerClient } from "../client.js";
import { StarMinerError } from "../client-error.js";
import { contractAddress } from "../deployment.js";
import { type JobView, readJobViews } from "../job-views.js";
import { JOB_SPEC_DEFAULTS, JobStatus, type JobSpec, Mode, enumName } from "../market.js";
import { accountOf, writeAndWait } from "../transactions.js";
import { WorkloadClass } from "../workloads/classes.js";
import { type DenseLayerJob, jobCommitments } from "../workloads/dense-layer.js";
import { agpuBalance, ensureAgpuAllowance } from "./tokens.js";

/** What a read needs: the public client and the deployment (no wallet). */
export type Reader = Pick<StarMinerClient, "publicClient" | "deployment">;

const market = (client: Reader) => ({ address: contractAddress(client.deployment, "JobMarket"), abi: jobMarketAbi });

/** What a job of `gpuHours` at `tier` in `zone` costs now, and where it would run (spillover may move it). */
export async function quoteJob(
  client: Reader,
  parameters: Pick<JobSpec, "zone" | "tier" | "gpuHours" | "redundancy" | "spilloverAllowed">,
) {
  const { zone, tier, gpuHours, redundancy, spilloverAllowed } = parameters;
  return client.publicClient.readContract({
    address: contractAddress(client.deployment, "PricingEngine"),
    abi: pricingEngineAbi,
    functionName: "quote",
    args: [zone, tier, BigInt(gpuHours), BigInt(redundancy), spilloverAllowed],
  });
}

/** A job spec to submit; the deadline defaults to a day after the chain's latest block. */
export type SubmitJobParameters = Omit<JobSpec, "deadline"> & { readonly deadline?: bigint };

/**
 * The spec of a job that runs the dense layer `job`: its commitments, with {@link JOB_SPEC_DEFAULTS} (an Optimistic
 * job for one provider) for everything `overrides` leaves out. A ZK job (`mode: Mode.ZK`) gets the dense-layer
 * workload class, so that its provider must prove the result.
 */
export function denseLayerJobSpec(
  job: DenseLayerJob,
  overrides: Partial<SubmitJobParameters> = {},
): SubmitJobParameters {
  const { modelCommitment, inputCommitment } = jobCommitments(job);
  const zk = overrides.mode === Mode.ZK;
  return {
    ...JOB_SPEC_DEFAULTS,
    modelCommitment,
    inputCommitment,
    ...(zk ? { workloadClass: WorkloadClass.DenseLayer } : {}),
    ...overrides,
  };
}

/** A submitted job: its id, the escrow the market took and the price it was taken at. */
export interface SubmittedJob {
  readonly jobId: bigint;
  readonly escrow: bigint;
  readonly pricePerGpuHour: bigint;
  /** The zone the job runs in (spillover may have moved it from the one asked for). */
  readonly zone: Hex;
  readonly hash: Hash;
  readonly receipt: TransactionReceipt;
}

/**
 * Submits a job: quotes it, approves the market to take exactly that price if it may not yet, then submits. The
 * market escrows the price until the job settles or is refunded. A price above the spec's `maxTotal` is refused
 * before anything is sent (a {@link StarMinerError}); so is a balance below it.
 */
export async function submitJob(client: StarMinerClient, spec: SubmitJobParameters): Promise<SubmittedJob> {
  const deadline = spec.deadline ?? (await client.publicClient.getBlock()).timestamp + 86_400n;
  const target = market(client);
  const { total } = await quoteJob(client, spec);
  if (total > spec.maxTotal) {
    throw new StarMinerError(
      `the job costs ${formatEther(total)} AGPU now, above its maxTotal of ${formatEther(spec.maxTotal)}`,
    );
  }
  const balance = await agpuBalance(client, accountOf(client).address);
  if (balance < total) {
    throw new StarMinerError(
      `the account holds ${formatEther(balance)} AGPU, less than the job's ${formatEther(total)}`,
    );
  }
  await ensureAgpuAllowance(client, target.address, total);
  const { hash, receipt } = await writeAndWait(client, target, "submitJob", [{ ...spec, deadline }]);
  const [submitted] = parseEventLogs({ abi: jobMarketAbi, eventName: "JobSubmitted", logs: receipt.logs });
  if (submitted === undefined) throw new StarMinerError(`transaction ${hash} submitted no job`);
  const { jobId, escrow, pricePerGpuHour, zone } = submitted.args;
  return { jobId, escrow, pricePerGpuHour, zone, hash, receipt };
}

/** A job and its slots, or a {@link StarMinerError} when the market has no such job. */
export async function getJob(client: Reader, jobId: bigint): Promise<JobView> {
  const count = await client.publicClient.readContract({ ...market(client), functionName: "jobCount" });
  if (jobId < 1n || jobId > count) throw new StarMinerError(`job ${jobId} does not exist (the market has ${count})`);
  return (await readJobViews(client, [jobId])).get(jobId)!;
}

/** The result the market accepted for the job (the result of its accepted slots), if it accepted one. */
export function acceptedResult(view: JobView): Hex | undefined {
  return view.slots.find((_, slot) => (view.job.acceptedSlots & (1 << slot)) !== 0)?.result;
}

/** The statuses a job never leaves. */
const FINAL = new Set<number>([JobStatus.Settled, JobStatus.Refunded, JobStatus.Cancelled]);

export interface WatchOptions {
  /** How often to look, in milliseconds (default 1 000). */
  readonly pollingInterval?: number;
  /** Give up after this many milliseconds (default: never). */
  readonly timeout?: number;
  /** Stops waiting when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Calls `onChange` with the job's view whenever its status or a slot's changes, first with the view as it is, until
 * the job is final (settled, refunded or cancelled) or the returned function is called. It polls: a state that
 * lasts less than `pollingInterval` may pass unseen.
 */
export function watchJob(
  client: Reader,
  jobId: bigint,
  onChange: (view: JobView) => void,
  options: Pick<WatchOptions, "pollingInterval"> & { onError?: (error: unknown) => void } = {},
): () => void {
  let stopped = false;
  let last = "";
  const look = async () => {
    while (!stopped) {
      try {
        const view = await getJob(client, jobId);
        const key = JSON.stringify([view.job.status, view.slots], (_, v) => (typeof v === "bigint" ? `${v}` : v));
        if (key !== last) {
          last = key;
          onChange(view);
        }
        if (FINAL.has(view.job.status)) return;
      } catch (error) {
        options.onError?.(error);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollingInterval ?? 1_000));
    }
  };
  void look();
  return () => {
    stopped = true;
  };
}

/**
 * Waits until the job reaches one of `statuses` (default: verified or settled) and returns its view; throws a
 * {@link StarMinerError} if it becomes final in another status first, or on timeout.
 */
export async function waitForJob(
  client: Reader,
  jobId: bigint,
  statuses: readonly number[] = [JobStatus.Verified, JobStatus.Settled],
  options: WatchOptions = {},
): Promise<JobView> {
  const started = Date.now();
  for (;;) {
    const view = await getJob(client, jobId);
    if (statuses.includes(view.job.status)) return view;
    const status = enumName(JobStatus, view.job.status);
    if (FINAL.has(view.job.status)) throw new StarMinerError(`job ${jobId} ended ${status}`);
    if (options.timeout !== undefined && Date.now() - started > options.timeout) {
      throw new StarMinerError(`job ${jobId} is still ${status} after ${options.timeout} ms`);
    }
    if (options.signal?.aborted) throw new StarMinerError(`stopped waiting for job ${jobId}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollingInterval ?? 1_000));
  }
}

/** Waits for the job's accepted result (verified or settled) and returns it with the job's view. */
export async function waitForResult(
  client: Reader,
  jobId: bigint,
  options: WatchOptions = {},
): Promise<{ result: Hex; view: JobView }> {
  const view = await waitForJob(client, jobId, [JobStatus.Verified, JobStatus.Settled], options);
  const result = acceptedResult(view);
  if (result === undefined)
    throw new StarMinerError(`job ${jobId} is ${enumName(JobStatus, view.job.status)} with no accepted result`);
  return { result, view };
}

/**
 * Disputes a verified job's result within its challenge window: approves the hub to take the dispute's bond if it
 * may not yet, and opens the dispute. A committee of validators rules; the loser pays the court.
 */
export async function disputeJob(client: StarMinerClient, jobId: bigint) {
  const hub = { address: contractAddress(client.deployment, "VerificationHub"), abi: verificationHubAbi } as const;
  const bond = await client.publicClient.readContract({ ...hub, functionName: "disputeBondOf", args: [jobId] });
  await ensureAgpuAllowance(client, hub.address, bond);
  return writeAndWait(client, hub, "openDispute", [jobId]);
}

/** Cancels an open job nobody has claimed and refunds its escrow. */
export async function cancelJob(client: StarMinerClient, jobId: bigint) {
  return writeAndWait(client, market(client), "cancelJob", [jobId]);
}

/** Settles a verified job whose challenge window has passed: pays its providers, the treasury, the model creator. */
export async function finalizeJob(client: StarMinerClient, jobId: bigint) {
  return writeAndWait(client, market(client), "finalize", [jobId]);
}

import { parseArgs } from "node:util";

import { parseEventLogs } from "viem";

import { requireAccount } from "../../lib/client.js";
import { JobStatus, Mode, SlotStatus, Tier, enumName } from "../../lib/market.js";
import { zoneLabel } from "../../lib/zones.js";
import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseJobId, readSpecFile } from "../parse.js";
import { send } from "../transactions.js";
import type { Command, CommandContext } from "./context.js";

/** The job's id from the command's first argument, and the job, or a one-line error for an unknown job. */
async function existingJob({ args, protocol }: CommandContext) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError(`one job id expected, got ${positionals.length} arguments`);
  const jobId = parseJobId(positionals[0]);
  const client = await protocol();
  if (jobId > (await client.jobMarket.read.jobCount())) throw new Error(`job ${jobId} does not exist`);
  return { jobId, client, job: await client.jobMarket.read.jobOf([jobId]) };
}

/** `job submit --spec <file>`: approves the escrow if needed and submits; prints the job's id and price. */
export const jobSubmit: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({ args, options: { spec: { type: "string" } } });
  if (values.spec === undefined) throw new UsageError("--spec <file> is required");
  const client = await protocol();
  const block = await client.publicClient.getBlock();
  const spec = await readSpecFile(values.spec, block.timestamp);
  const account = requireAccount(client);
  // Refuse a price above the limit before approving anything: a refused submission sends nothing.
  const quote = await client.pricingEngine.read.quote([
    spec.zone,
    spec.tier,
    BigInt(spec.gpuHours),
    BigInt(spec.redundancy),
    spec.spilloverAllowed,
  ]);
  if (quote.total > spec.maxTotal) {
    throw new Error(`the job costs ${agpu(quote.total)} now, above the spec's maxTotal of ${agpu(spec.maxTotal)}`);
  }
  const allowance = await client.agpu.read.allowance([account.address, client.jobMarket.address]);
  if (allowance < spec.maxTotal) {
    out.progress(`approving the market to take up to ${agpu(spec.maxTotal)}`);
    await send(client, client.agpu, "approve", [client.jobMarket.address, spec.maxTotal]);
  }
  const { receipt } = await send(client, client.jobMarket, "submitJob", [spec]);
  const [submitted] = parseEventLogs({ abi: client.jobMarket.abi, logs: receipt.logs, eventName: "JobSubmitted" });
  if (submitted === undefined) throw new Error("the submission emitted no JobSubmitted event");
  const a = submitted.args;
  out.record({
    jobId: a.jobId,
    zone: zoneLabel(a.zone),
    tier: enumName(Tier, a.tier),
    mode: enumName(Mode, a.mode),
    redundancy: a.redundancy,
    pricePerGpuHour: out.json ? a.pricePerGpuHour : agpu(a.pricePerGpuHour),
    escrow: out.json ? a.escrow : agpu(a.escrow),
    transaction: receipt.transactionHash,
  });
};

/** `job status <id>`: the job and its slots. */
export const jobStatus: Command = async (context) => {
  const { jobId, client, job } = await existingJob(context);
  const slots = await client.jobMarket.read.slotsOf([jobId]);
  const { out } = context;
  out.record({
    jobId,
    status: enumName(JobStatus, job.status),
    mode: enumName(Mode, job.mode),
    zone: zoneLabel(job.zone),
    tier: enumName(Tier, job.tier),
    requester: job.requester,
    escrow: out.json ? job.escrow : agpu(job.escrow),
    deadline: new Date(Number(job.deadline) * 1_000).toISOString(),
    challengeEndsAt: job.challengeEndsAt === 0 ? null : new Date(Number(job.challengeEndsAt) * 1_000).toISOString(),
    slots: out.json
      ? slots.map((slot, index) => ({ index, status: enumName(SlotStatus, slot.status), provider: slot.provider }))
      : slots.map((slot, index) => `${index}:${enumName(SlotStatus, slot.status)}`).join(" "),
  });
};

/** `job result <id>`: the accepted result of a Verified or Settled job. */
export const jobResult: Command = async (context) => {
  const { jobId, client, job } = await existingJob(context);
  const status = enumName(JobStatus, job.status);
  if (!["Verified", "Disputed", "Settled"].includes(status)) {
    throw new Error(`job ${jobId} has no accepted result: it is ${status}`);
  }
  const slots = await client.jobMarket.read.slotsOf([jobId]);
  const accepted = slots.filter((_, index) => (job.acceptedSlots & (1 << index)) !== 0);
  context.out.record({ jobId, status, result: accepted[0]!.result, acceptedBy: accepted.map((slot) => slot.provider) });
};

/** `job cancel <id>`: cancels an unclaimed job and refunds its escrow. */
export const jobCancel: Command = async (context) => {
  const { jobId, client, job } = await existingJob(context);
  const { receipt } = await send(client, client.jobMarket, "cancelJob", [jobId]);
  context.out.record({
    jobId,
    status: "Cancelled",
    refund: context.out.json ? job.escrow : agpu(job.escrow),
    transaction: receipt.transactionHash,
  });
};

/** `job dispute <id>`: approves the bond and opens a dispute within the challenge window. */
export const jobDispute: Command = async (context) => {
  const { jobId, client } = await existingJob(context);
  const account = requireAccount(client);
  const bond = await client.verificationHub.read.disputeBondOf([jobId]);
  const allowance = await client.agpu.read.allowance([account.address, client.verificationHub.address]);
  if (allowance < bond) {
    context.out.progress(`approving the verification hub to take the dispute bond of ${agpu(bond)}`);
    await send(client, client.agpu, "approve", [client.verificationHub.address, bond]);
  }
  const { receipt } = await send(client, client.verificationHub, "openDispute", [jobId]);
  const [opened] = parseEventLogs({ abi: client.verificationHub.abi, logs: receipt.logs, eventName: "DisputeOpened" });
  context.out.record({
    jobId,
    status: "Disputed",
    bond: opened === undefined ? null : context.out.json ? opened.args.bond : agpu(opened.args.bond),
    votingEndsAt: opened === undefined ? null : new Date(Number(opened.args.votingEndsAt) * 1_000).toISOString(),
    transaction: receipt.transactionHash,
  });
};

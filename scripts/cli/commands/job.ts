import { parseArgs } from "node:util";

import { parseEventLogs } from "viem";
import {
  type JobSpec,
  JobStatus,
  Mode,
  type PreparedJob,
  SlotStatus,
  Tier,
  byLowerCaseName,
  enumName,
  failureOf,
  writeAndWait,
  zoneLabel,
} from "@starminer/sdk";

import { type ProtocolClient, requireAccount } from "../../lib/client.js";
import { ContentStore } from "../../lib/content.js";
import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseAddress, parseInteger, parseJobId, parseJobWaitArgs, readSpecFile } from "../parse.js";
import { enabledZone } from "../zones.js";
import type { Command, CommandContext } from "./context.js";
import {
  describeOutputs,
  keepJobKey,
  manifestJobOutput,
  publishFromManifest,
  releaseKeysUntil,
} from "./job-manifest.js";

const isoTime = (seconds: number | bigint) => new Date(Number(seconds) * 1_000).toISOString();

/** The job's id from the command's first argument, and the job, or a one-line error for an unknown job. */
async function existingJob({ args, protocol }: CommandContext) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError(`one job id expected, got ${positionals.length} arguments`);
  const jobId = parseJobId(positionals[0]);
  const client = await protocol();
  if (jobId > (await client.jobMarket.read.jobCount())) throw new Error(`job ${jobId} does not exist`);
  return { jobId, client, job: await client.jobMarket.read.jobOf([jobId]) };
}

/**
 * `job submit --spec <file> [--manifest <job.json> [--files <dir>] [--encrypt none|inputs|all] [--detach]
 * [--timeout-seconds <s>]]`: approves the escrow if needed and submits; prints the job's id and price. With
 * `--manifest`, the job's artifacts (sealed under a fresh job key unless `--encrypt none`) and manifest are published
 * to the content gateway first, the spec commits to the manifest, and the command stays to release the job key to
 * each claimer until every slot has delivered (`--detach` leaves that to `job release-keys`).
 */
export const jobSubmit: Command = async (context) => {
  const { args, config, out, protocol } = context;
  const { values } = parseArgs({
    args,
    options: {
      spec: { type: "string" },
      manifest: { type: "string" },
      files: { type: "string" },
      encrypt: { type: "string", default: "inputs" },
      detach: { type: "boolean", default: false },
      "timeout-seconds": { type: "string" },
    },
  });
  if (values.spec === undefined) throw new UsageError("--spec <file> is required");
  if (values.manifest === undefined && values.files !== undefined) throw new UsageError("--files goes with --manifest");
  const timeout =
    values["timeout-seconds"] === undefined ? undefined : parseInteger("timeout-seconds", values["timeout-seconds"]);
  const client = await protocol();
  const block = await client.publicClient.getBlock();
  const read = await readSpecFile(values.spec, block.timestamp);
  const { workload } = read;
  let spec = read.spec;
  let prepared: PreparedJob | undefined;
  if (values.manifest !== undefined) {
    if (workload !== undefined || read.commitmentsGiven) {
      throw new UsageError(
        `${values.spec}: a manifest job's commitments come from --manifest: give no workload or commitments`,
      );
    }
    if (spec.mode === Mode.ZK)
      throw new UsageError("a ZK job proves the dense layer: give it a workload, not a manifest");
    prepared = await publishFromManifest(config, values.manifest, values.files, values.encrypt);
    out.progress(`published the manifest and ${prepared.artifacts.length} artifact(s) to ${config.gatewayUrl}`);
    spec = { ...spec, modelCommitment: prepared.modelCommitment, inputCommitment: prepared.inputCommitment };
  }
  const account = requireAccount(client);
  // Refuse what the market would refuse before approving anything: a refused submission sends nothing.
  await enabledZone(client, zoneLabel(spec.zone), `${values.spec}: "zone"`);
  await preflight(client, spec, block.timestamp);
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
  // A key that cannot pay is refused before anything is sent; the approval is for the price, not the limit.
  const balance = await client.agpu.read.balanceOf([account.address]);
  if (balance < quote.total) {
    throw new Error(`${account.address} holds ${agpu(balance)}, less than the job's price of ${agpu(quote.total)}`);
  }
  const allowance = await client.agpu.read.allowance([account.address, client.jobMarket.address]);
  if (allowance < quote.total) {
    out.progress(`approving the market to take the job's price, ${agpu(quote.total)}`);
    await writeAndWait(client, client.agpu, "approve", [client.jobMarket.address, quote.total]);
  }
  if (workload !== undefined) {
    // Providers fetch the model and input by the job's spec hash, so they are published before the job exists.
    const { specHash } = await new ContentStore(config.contentDir).putJob(workload);
    out.progress(`published the workload to ${config.contentDir} as ${specHash}`);
  }
  const { receipt } = await writeAndWait(client, client.jobMarket, "submitJob", [spec]);
  const [submitted] = parseEventLogs({ abi: client.jobMarket.abi, logs: receipt.logs, eventName: "JobSubmitted" });
  if (submitted === undefined) throw new Error("the submission emitted no JobSubmitted event");
  const a = submitted.args;
  if (prepared?.jobKey !== undefined) {
    const path = await keepJobKey(client, a.jobId, prepared.jobKey);
    out.progress(`job ${a.jobId}: its key is kept in ${path}`);
    if (!values.detach) {
      await releaseKeysUntil(context, client, a.jobId, prepared.jobKey, "verified", 1_000, timeout);
      out.progress(`every slot delivered; \`starminer job release-keys ${a.jobId}\` answers auditors and jurors`);
    }
  }
  out.record({
    jobId: a.jobId,
    zone: zoneLabel(a.zone),
    tier: enumName(Tier, a.tier),
    mode: enumName(Mode, a.mode),
    redundancy: a.redundancy,
    pricePerGpuHour: out.json ? a.pricePerGpuHour : agpu(a.pricePerGpuHour),
    escrow: out.json ? a.escrow : agpu(a.escrow),
    ...(prepared === undefined
      ? {}
      : { modelCommitment: prepared.modelCommitment, encrypted: prepared.jobKey !== undefined }),
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

/**
 * `job result <id> [--output <file>]`: the accepted result of a Verified or Settled job, and its output when it can be
 * had and checked against the result: a dense-layer job's from the content store, a manifest job's from the gateway
 * (opened with the requester's key when it was sealed), written to `--output` as canonical bytes.
 */
export const jobResult: Command = async (context) => {
  const { values, positionals } = parseArgs({
    args: context.args,
    allowPositionals: true,
    options: { output: { type: "string" } },
  });
  const { jobId, client, job } = await existingJob({ ...context, args: positionals });
  const status = enumName(JobStatus, job.status);
  if (!["Verified", "Disputed", "Settled"].includes(status)) {
    throw new Error(`job ${jobId} has no accepted result: it is ${status}`);
  }
  const slots = await client.jobMarket.read.slotsOf([jobId]);
  const accepted = slots.filter((_, index) => (job.acceptedSlots & (1 << index)) !== 0);
  const result = accepted[0]!.result;
  const acceptedBy = context.out.json
    ? accepted.map((slot) => slot.provider)
    : accepted.map((slot) => slot.provider).join(" ");
  const providers = accepted.map((slot) => slot.provider);
  const manifestJob = await manifestJobOutput(context, client, jobId, result, providers, job.requester, values.output);
  if (manifestJob !== undefined) {
    const { outputs } = manifestJob;
    const failure = failureOf(result);
    context.out.record({
      jobId,
      status,
      runtime: manifestJob.manifest.runtime,
      result,
      // A job that failed by its own fault (a model that does not load, a limit exceeded) has no output.
      ...(failure === undefined ? {} : { failure }),
      acceptedBy,
      output: outputs === null ? null : context.out.json ? outputs : describeOutputs(outputs),
    });
    return;
  }
  if (values.output !== undefined) throw new UsageError("--output is for manifest jobs");
  // The output itself, when the content store has it: checked against the result on chain.
  const output = await new ContentStore(context.config.contentDir).getOutput(result);
  context.out.record({
    jobId,
    status,
    result,
    acceptedBy,
    output: output === undefined ? null : context.out.json ? output : output.join(" "),
  });
};

const TERMINAL: readonly number[] = [JobStatus.Settled, JobStatus.Refunded, JobStatus.Cancelled];

/**
 * `job watch <id> [--until verified|ended] [--interval-ms <ms>] [--timeout-seconds <s>]`: prints the job's status
 * and slots each time they change, until the job is verified (or ended, by default); a timeout is an error.
 */
export const jobWatch: Command = async (context) => {
  const { positionals, until, intervalMs: interval, timeoutSeconds: timeout } = parseJobWaitArgs(context.args);
  const { jobId, client } = await existingJob({ ...context, args: positionals });
  const { out } = context;
  const started = Date.now();
  let last = "";
  for (;;) {
    const job = await client.jobMarket.read.jobOf([jobId]);
    const slots = await client.jobMarket.read.slotsOf([jobId]);
    const state = {
      jobId,
      status: enumName(JobStatus, job.status),
      slots: slots.map((slot) => enumName(SlotStatus, slot.status)).join(" "),
    };
    const key = JSON.stringify(state, (_, v) => (typeof v === "bigint" ? v.toString() : v));
    if (key !== last) {
      last = key;
      if (out.json) console.log(key);
      else
        console.log(
          `${new Date().toISOString().slice(11, 19)}  job ${jobId}  ${state.status.padEnd(9)}  ${state.slots}`,
        );
    }
    const reached = TERMINAL.includes(job.status) || (until === "verified" && job.status !== JobStatus.Open);
    if (reached) return;
    if (timeout !== undefined && Date.now() - started > timeout * 1_000) {
      throw new Error(`job ${jobId} is still ${state.status} after ${timeout} s`);
    }
    await new Promise((done) => setTimeout(done, interval));
  }
};

/** Refuses, before anything is sent, a spec the market would refuse for its windows, redundancy or workload. */
async function preflight(client: ProtocolClient, spec: JobSpec, now: bigint): Promise<void> {
  const parameters = await client.jobMarket.read.marketParameters();
  const { minDeliveryWindow, maxJobDuration } = parameters;
  if (spec.deliveryWindow < minDeliveryWindow || spec.deliveryWindow > maxJobDuration) {
    throw new Error(
      `the delivery window of ${spec.deliveryWindow} s is outside the market's ${minDeliveryWindow}-${maxJobDuration} s`,
    );
  }
  const latest = now + BigInt(maxJobDuration);
  if (spec.deadline < now + BigInt(spec.deliveryWindow) || spec.deadline > latest) {
    throw new Error(`the deadline must leave at least one delivery window and at most ${maxJobDuration} s from now`);
  }
  if (spec.mode === Mode.Consensus && spec.redundancy < 3) {
    throw new Error("a Consensus job needs a redundancy of 3 (three providers)");
  }
  if (spec.mode === Mode.ZK && !(await client.verificationHub.read.isWorkloadSupported([spec.workloadClass]))) {
    throw new Error(`ZK workload class ${spec.workloadClass} has no verifier on this deployment`);
  }
}

/** `job cancel <id>`: cancels an unclaimed job and refunds its escrow. */
export const jobCancel: Command = async (context) => {
  const { jobId, client, job } = await existingJob(context);
  const { receipt } = await writeAndWait(client, client.jobMarket, "cancelJob", [jobId]);
  context.out.record({
    jobId,
    status: "Cancelled",
    refund: context.out.json ? job.escrow : agpu(job.escrow),
    transaction: receipt.transactionHash,
  });
};

/** `job dispute <id>`: approves the bond and opens a dispute within the challenge window. */
export const jobDispute: Command = async (context) => {
  const { jobId, client, job } = await existingJob(context);
  const account = requireAccount(client);
  // What the hub would refuse is refused here, before the bond is approved: a refused dispute sends nothing.
  if (job.status !== JobStatus.Verified) {
    throw new Error(`job ${jobId} is ${enumName(JobStatus, job.status)}: only a Verified job's result can be disputed`);
  }
  // The dispute lands in a later block than the latest: at the window's last second it would be too late.
  const now = (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  if (now >= BigInt(job.challengeEndsAt)) {
    throw new Error(`job ${jobId}'s challenge window closed at ${isoTime(job.challengeEndsAt)}`);
  }
  const bond = await client.verificationHub.read.disputeBondOf([jobId]);
  const balance = await client.agpu.read.balanceOf([account.address]);
  if (balance < bond) throw new Error(`${account.address} holds ${agpu(balance)}, less than the bond of ${agpu(bond)}`);
  const allowance = await client.agpu.read.allowance([account.address, client.verificationHub.address]);
  if (allowance < bond) {
    context.out.progress(`approving the verification hub to take the dispute bond of ${agpu(bond)}`);
    await writeAndWait(client, client.agpu, "approve", [client.verificationHub.address, bond]);
  }
  const { receipt } = await writeAndWait(client, client.verificationHub, "openDispute", [jobId]);
  const [opened] = parseEventLogs({ abi: client.verificationHub.abi, logs: receipt.logs, eventName: "DisputeOpened" });
  context.out.record({
    jobId,
    status: "Disputed",
    bond: opened === undefined ? null : context.out.json ? opened.args.bond : agpu(opened.args.bond),
    // The committee is drawn from this block's hash, by anyone, once it is mined.
    committeeDrawBlock: opened === undefined ? null : opened.args.drawBlock,
    transaction: receipt.transactionHash,
  });
};

/** `job finalize <id>`: settles a verified job whose challenge window is over; anyone may, and is refused before. */
export const jobFinalize: Command = async (context) => {
  const { jobId, client, job } = await existingJob(context);
  if (job.status !== JobStatus.Verified) {
    throw new Error(`job ${jobId} is ${enumName(JobStatus, job.status)}: only a Verified job is finalized`);
  }
  // The settlement lands in a later block than the latest: from the window's last second on, the simulation decides.
  const now = (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  if (now < BigInt(job.challengeEndsAt)) {
    throw new Error(`job ${jobId}'s challenge window is open until ${isoTime(job.challengeEndsAt)}`);
  }
  const { receipt } = await writeAndWait(client, client.jobMarket, "finalize", [jobId]);
  const settled = await client.jobMarket.read.jobOf([jobId]);
  context.out.record({ jobId, status: enumName(JobStatus, settled.status), transaction: receipt.transactionHash });
};

/**
 * `job expire <id> [--slot <n>]`: expires the job's overdue slots, as anyone may: a claimed slot past its delivery
 * time or a commitment never revealed is missed (its provider's collateral slashed) and reopened; an open slot past
 * the job's deadline ends the job. Refused, with nothing sent, when no slot is overdue.
 */
export const jobExpire: Command = async (context) => {
  const { values, positionals } = parseArgs({
    args: context.args,
    allowPositionals: true,
    options: { slot: { type: "string" } },
  });
  const { jobId, client, job } = await existingJob({ ...context, args: positionals });
  const slots = await client.jobMarket.read.slotsOf([jobId]);
  const chosen = values.slot === undefined ? undefined : parseInteger("slot", values.slot, 0, slots.length - 1);
  if (job.status !== JobStatus.Open) {
    throw new Error(`job ${jobId} is ${enumName(JobStatus, job.status)}: only an Open job's slots expire`);
  }
  const now = (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  const overdue = slots.flatMap((slot, index) => {
    if (chosen !== undefined && index !== chosen) return [];
    const late =
      (slot.status === SlotStatus.Claimed && now > BigInt(slot.deliverBy)) ||
      (slot.status === SlotStatus.Committed && job.revealEndsAt !== 0 && now > BigInt(job.revealEndsAt)) ||
      (slot.status === SlotStatus.Open && now >= BigInt(job.deadline));
    return late ? [index] : [];
  });
  if (overdue.length === 0) {
    throw new Error(`no slot of job ${jobId}${chosen === undefined ? "" : ` (slot ${chosen})`} is overdue`);
  }
  const expired = [];
  for (const index of overdue) {
    // An open slot's expiry may end the job, and then the later open slots with it.
    if ((await client.jobMarket.read.jobOf([jobId])).status !== JobStatus.Open) break;
    const { receipt } = await writeAndWait(client, client.jobMarket, "expireSlot", [jobId, BigInt(index)]);
    expired.push({ slot: index, provider: slots[index]!.provider, transaction: receipt.transactionHash });
  }
  const after = await client.jobMarket.read.jobOf([jobId]);
  context.out.record({
    jobId,
    status: enumName(JobStatus, after.status),
    expired: context.out.json ? expired : expired.map((e) => `slot ${e.slot}`).join(", "),
  });
};

const STATUSES = byLowerCaseName(JobStatus);

/** `job list [--requester <address|me>] [--status <status>] [--limit <n>]`: the newest jobs first. */
export const jobList: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({
    args,
    options: {
      requester: { type: "string" },
      status: { type: "string" },
      limit: { type: "string", default: "20" },
    },
  });
  const limit = parseInteger("limit", values.limit, 1, 1_000);
  const status = values.status === undefined ? undefined : STATUSES[values.status.toLowerCase()];
  if (values.status !== undefined && (status === undefined || status === JobStatus.None)) {
    throw new UsageError(
      `--status must be one of ${Object.keys(STATUSES)
        .filter((name) => name !== "none")
        .join(", ")}`,
    );
  }
  const client = await protocol();
  const requester =
    values.requester === undefined
      ? undefined
      : values.requester === "me"
        ? requireAccount(client).address
        : parseAddress("--requester", values.requester);
  const count = await client.jobMarket.read.jobCount();
  const rows = [];
  // Newest first, a page at a time; a filter looks at the newest 5,000 jobs at most.
  for (let first = count; first >= 1n && rows.length < limit && count - first < 5_000n; first -= 50n) {
    const ids = [];
    for (let id = first; id > first - 50n && id >= 1n; id--) ids.push(id);
    const jobs = await Promise.all(ids.map((id) => client.jobMarket.read.jobOf([id])));
    for (const [i, job] of jobs.entries()) {
      if (requester !== undefined && job.requester.toLowerCase() !== requester.toLowerCase()) continue;
      if (status !== undefined && job.status !== status) continue;
      rows.push({
        jobId: ids[i]!,
        status: enumName(JobStatus, job.status),
        mode: enumName(Mode, job.mode),
        zone: zoneLabel(job.zone),
        tier: enumName(Tier, job.tier),
        escrow: out.json ? job.escrow : agpu(job.escrow),
        requester: job.requester,
        deadline: isoTime(job.deadline),
      });
      if (rows.length === limit) break;
    }
  }
  out.table(rows, ["jobId", "status", "mode", "zone", "tier", "escrow", "requester", "deadline"]);
};

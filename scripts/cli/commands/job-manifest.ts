import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import type { Address, Hex } from "viem";
import {
  AUDIT_SLOT,
  type CanonicalOutput,
  ENCRYPTION_CHOICES,
  type EncryptionChoice,
  GatewayClient,
  type JobManifest,
  JobStatus,
  type PreparedJob,
  SlotStatus,
  decodeOutputs,
  enumName,
  failureOf,
  fetchJobOutput,
  fetchManifest,
  isManifestJob,
  parseJobManifest,
  prepareManifestJob,
  publishManifestJob,
  readJobCommitments,
  releaseJobKeys,
} from "@starminer/sdk";

import { type ClientConfig, type ProtocolClient, starminerHome } from "../../lib/client.js";
import { filesByCid } from "../../lib/workloads/artifact-store.js";
import { jobKeyPath, loadJobKey, saveJobKey } from "../../lib/workloads/job-keys.js";
import { UsageError } from "../errors.js";
import { parseJobId, parseJobWaitArgs } from "../parse.js";
import type { Command, CommandContext } from "./context.js";

const ENDED: readonly number[] = [JobStatus.Settled, JobStatus.Refunded, JobStatus.Cancelled];

/** The content gateway of `config`, or a one-line error saying how to name one. */
export function requireGateway(config: ClientConfig): GatewayClient {
  if (config.gatewayUrl === undefined) {
    throw new UsageError(
      "manifest jobs need a content gateway: set STARMINER_GATEWAY_URL (or gatewayUrl in the config)",
    );
  }
  return new GatewayClient(config.gatewayUrl, config.gatewayToken);
}

/**
 * Reads the manifest of `job submit --manifest`, seals its artifacts as `--encrypt` says (`inputs` by default) and
 * publishes them and the manifest to the gateway. The spec then carries the manifest's commitments.
 */
export async function publishFromManifest(
  config: ClientConfig,
  manifestPath: string,
  filesDir: string | undefined,
  encrypt: string,
): Promise<PreparedJob> {
  if (!ENCRYPTION_CHOICES.includes(encrypt as EncryptionChoice)) {
    throw new UsageError(`--encrypt must be one of ${ENCRYPTION_CHOICES.join(", ")}; got "${encrypt}"`);
  }
  const gateway = requireGateway(config);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(manifestPath, "utf8"));
  } catch {
    throw new UsageError(`cannot read the manifest ${manifestPath} as JSON`);
  }
  const manifest = parseJobManifest(value);
  const files = await filesByCid(resolve(filesDir ?? dirname(manifestPath)));
  const prepared = await prepareManifestJob(manifest, files, encrypt as EncryptionChoice);
  await publishManifestJob(gateway, prepared);
  return prepared;
}

/** Saves a submitted manifest job's key, where `job release-keys` finds it. */
export async function keepJobKey(client: ProtocolClient, jobId: bigint, key: Uint8Array): Promise<string> {
  const path = jobKeyPath(starminerHome(), client.chain.id, client.jobMarket.address, jobId);
  await saveJobKey(path, key);
  return path;
}

/**
 * Releases a job's key to each claimer (and, once the job is verified, each validator re-executing it) that asks for
 * it, round after round, until the job is verified (every slot delivered) or, with `until: "ended"`, settled or
 * refunded; or until `timeoutSeconds` pass. Prints each release.
 */
export async function releaseKeysUntil(
  context: CommandContext,
  client: ProtocolClient,
  jobId: bigint,
  key: Uint8Array,
  until: "verified" | "ended",
  intervalMs: number,
  timeoutSeconds: number | undefined,
): Promise<void> {
  const { config, out } = context;
  const gateway = requireGateway(config);
  if (config.privateKey === undefined) throw new UsageError("releasing job keys needs the requester's key");
  const started = Date.now();
  for (;;) {
    for (const { slot, to } of await releaseJobKeys(client, { gateway, jobId, jobKey: key })) {
      out.progress(
        `job ${jobId}: key released to ${to} (${slot === AUDIT_SLOT ? "a validator re-executing it" : `slot ${slot}`})`,
      );
    }
    const job = await client.jobMarket.read.jobOf([jobId]);
    if (until === "verified" ? job.status !== JobStatus.Open : ENDED.includes(job.status)) return;
    if (timeoutSeconds !== undefined && Date.now() - started > timeoutSeconds * 1_000) {
      const slots = await client.jobMarket.read.slotsOf([jobId]);
      const waiting = slots.filter((slot) => slot.status === SlotStatus.Claimed).length;
      throw new Error(
        `job ${jobId} is still open after ${timeoutSeconds} s (${waiting} slot(s) claimed, not delivered)`,
      );
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/**
 * `job release-keys <id> [--until verified|ended] [--interval-ms <ms>] [--timeout-seconds <s>]`: releases a manifest
 * job's key (kept by `job submit --manifest`) to the providers that claimed its slots and the validators auditing or
 * judging it, until the job ends (or, `--until verified`, until every slot has delivered).
 */
export const jobReleaseKeys: Command = async (context) => {
  const { positionals, until, intervalMs, timeoutSeconds } = parseJobWaitArgs(context.args);
  if (positionals.length !== 1) throw new UsageError("one job id expected");
  const jobId = parseJobId(positionals[0]);
  const client = await context.protocol();
  if (jobId > (await client.jobMarket.read.jobCount())) throw new Error(`job ${jobId} does not exist`);
  const key = await loadJobKey(jobKeyPath(starminerHome(), client.chain.id, client.jobMarket.address, jobId));
  await releaseKeysUntil(context, client, jobId, key, until, intervalMs, timeoutSeconds);
  const job = await client.jobMarket.read.jobOf([jobId]);
  context.out.record({ jobId, status: enumName(JobStatus, job.status) });
};

/**
 * The output of a manifest job's accepted `result`, for `job result`: the manifest from the gateway, the output
 * published in the clear or sealed to the requester (opened with the requester's key), checked against the result;
 * written to `outputPath` when given. Undefined when the job is not a manifest job.
 */
export async function manifestJobOutput(
  context: CommandContext,
  client: ProtocolClient,
  jobId: bigint,
  result: Hex,
  providers: readonly Address[],
  requester: Address,
  outputPath: string | undefined,
): Promise<{ manifest: JobManifest; outputs: CanonicalOutput[] | null } | undefined> {
  const commitments = await readJobCommitments(client, jobId);
  if (!isManifestJob(commitments)) return undefined;
  const gateway = requireGateway(context.config);
  const manifest = await fetchManifest(gateway, commitments.modelCommitment);
  if (failureOf(result) !== undefined) return { manifest, outputs: null };
  const output = await fetchJobOutput(client, {
    gateway,
    manifest,
    jobId,
    result,
    providers,
    requester,
    ...(context.config.privateKey === undefined ? {} : { requesterKey: context.config.privateKey }),
  });
  if (output === undefined) return { manifest, outputs: null };
  if (outputPath !== undefined) await writeFile(outputPath, output);
  return { manifest, outputs: decodeOutputs(output) };
}

/** A short line per canonical output, for people. */
export function describeOutputs(outputs: readonly CanonicalOutput[]): string {
  return outputs
    .map((output) => {
      if (output.kind === "fixed" || output.kind === "argmax") {
        const values = output.values.slice(0, 16).join(" ");
        return `${output.name} [${output.values.length}]: ${values}${output.values.length > 16 ? " …" : ""}`;
      }
      const bytes = Buffer.from(output.base64, "base64");
      if (output.kind === "file") {
        const text = bytes.toString("utf8");
        return `${output.name} (${bytes.length} bytes): ${text.length > 80 ? `${text.slice(0, 80)}…` : text.trim()}`;
      }
      return `${output.name} (${bytes.length} bytes, ${output.type})`;
    })
    .join("; ");
}

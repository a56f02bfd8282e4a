import { type Address, type Hex, type LocalAccount, getAddress, hexToBytes } from "viem";
import { privateKeyToAccount, publicKeyToAddress } from "viem/accounts";

import { type StarMinerClient, protocolContract } from "../client.js";
import { StarMinerError } from "../client-error.js";
import { contractAddress } from "../deployment.js";
import { contractErrorOf } from "../errors.js";
import type { JobView } from "../job-views.js";
import { JOB_SPEC_DEFAULTS, JobStatus, SlotStatus } from "../market.js";
import { NodeRole } from "../nodes.js";
import { accountOf, writeAndWait } from "../transactions.js";
import { type ArtifactSource, fetchSealedArtifacts } from "../workloads/artifacts.js";
import { artifactCid, artifactCidFromDigest, verifyContent } from "../workloads/cid.js";
import {
  SEALED_OVERHEAD_BYTES,
  generateJobKey,
  isWrapOf,
  openArtifact,
  sealArtifact,
  unwrapKey,
  wrapKey,
} from "../workloads/encryption.js";
import type { GatewayClient } from "../workloads/gateway-client.js";
import {
  AUDIT_SLOT,
  OUTPUT_SLOT,
  decodeWrappedKey,
  encodeWrappedKey,
  envelopeSignerKey,
  mailboxName,
  recordedKeyExchange,
  requestedPublicKey,
  signEnvelope,
} from "../workloads/key-release.js";
import {
  type ArtifactRef,
  type ArtifactRole,
  type JobManifest,
  artifactsOf,
  canonicalManifestBytes,
  manifestCommitments,
  mapArtifacts,
} from "../workloads/manifest.js";
import { outputMatchesResult } from "../workloads/results.js";
import { type SubmitJobParameters, type SubmittedJob, submitJob } from "./requester.js";

/** Which artifacts a requester seals: none, the data (`inputs`: ONNX inputs, WASM files), or the program too. */
export type EncryptionChoice = "none" | "inputs" | "all";
export const ENCRYPTION_CHOICES: readonly EncryptionChoice[] = ["none", "inputs", "all"];

/** A manifest job ready to publish: the manifest as the chain will commit to it, and the bytes it names. */
export interface PreparedJob {
  readonly manifest: JobManifest;
  readonly manifestBytes: Uint8Array;
  readonly modelCommitment: Hex;
  readonly inputCommitment: Hex;
  /** Every artifact the manifest names, as published (sealed where encrypted). */
  readonly artifacts: readonly Uint8Array[];
  /** The job key, when anything is sealed: the requester keeps it to release to claimers ({@link releaseJobKeys}). */
  readonly jobKey?: Uint8Array;
}

const isData = (role: ArtifactRole) => role === "input" || role === "file";

/**
 * Prepares a job from a requester's manifest, whose artifacts name plaintext held by `files`: each artifact is read
 * and checked against its CID, then sealed under a fresh job key when `encrypt` says so, and the manifest rewritten
 * to name the sealed bytes.
 */
export async function prepareManifestJob(
  manifest: JobManifest,
  files: ArtifactSource,
  encrypt: EncryptionChoice,
): Promise<PreparedJob> {
  if (!ENCRYPTION_CHOICES.includes(encrypt)) {
    throw new StarMinerError(`encrypt must be one of ${ENCRYPTION_CHOICES.join(", ")}; got "${String(encrypt)}"`);
  }
  if (artifactsOf(manifest).some((ref) => ref.encrypted)) {
    throw new StarMinerError("the manifest already names sealed artifacts: give the manifest of the plaintext files");
  }
  const plaintext = await fetchSealedArtifacts(manifest, files);
  const jobKey = encrypt === "none" ? undefined : generateJobKey();
  const published = new Map<string, Uint8Array>();
  const sealedOf = new Map<string, ArtifactRef>();
  const sealed = mapArtifacts(manifest, (ref, role) => {
    const bytes = plaintext.get(ref.cid)!;
    if (jobKey === undefined || (encrypt === "inputs" && !isData(role))) {
      published.set(ref.cid, bytes);
      return ref;
    }
    // The same plaintext named twice is sealed once, so the manifest names one sealed artifact for it.
    let sealedRef = sealedOf.get(ref.cid);
    if (sealedRef === undefined) {
      const ciphertext = sealArtifact(bytes, jobKey);
      sealedRef = { cid: artifactCid(ciphertext), bytes: ciphertext.length, encrypted: true };
      sealedOf.set(ref.cid, sealedRef);
      published.set(sealedRef.cid, ciphertext);
    }
    return sealedRef;
  });
  return {
    manifest: sealed,
    manifestBytes: canonicalManifestBytes(sealed),
    ...manifestCommitments(sealed),
    artifacts: [...published.values()],
    ...(jobKey === undefined ? {} : { jobKey }),
  };
}

/** Uploads a prepared job's artifacts and manifest to `gateway` (the manifest as a raw block of its digest). */
export async function publishManifestJob(gateway: GatewayClient, job: PreparedJob): Promise<void> {
  for (const bytes of job.artifacts) await gateway.put(bytes);
  const { cid } = await gateway.put(job.manifestBytes);
  const expected = artifactCidFromDigest(hexToBytes(job.modelCommitment));
  if (cid !== expected) throw new StarMinerError(`the manifest was filed as ${cid}, not ${expected}`);
}

/**
 * The spec of a job that runs a prepared manifest: its commitments, with the SDK's defaults (an Optimistic job for
 * one provider) for everything `overrides` leaves out.
 */
export function manifestJobSpec(
  job: Pick<PreparedJob, "modelCommitment" | "inputCommitment">,
  overrides: Partial<SubmitJobParameters> = {},
): SubmitJobParameters {
  return {
    ...JOB_SPEC_DEFAULTS,
    ...overrides,
    modelCommitment: job.modelCommitment,
    inputCommitment: job.inputCommitment,
  };
}

export interface SubmitManifestJobParameters {
  /** The manifest of the plaintext artifacts (`parseJobManifest` reads one from JSON). */
  readonly manifest: JobManifest;
  /** Where the plaintext artifacts are read from, by CID. */
  readonly files: ArtifactSource;
  /** Where the job's (sealed) artifacts and manifest are published for providers to fetch. */
  readonly gateway: GatewayClient;
  /** What to seal (default `inputs`: the data, not the program). */
  readonly encrypt?: EncryptionChoice;
  /** The rest of the job's spec (mode, redundancy, zone, tier, gpu hours, maxTotal…). */
  readonly spec?: Partial<SubmitJobParameters>;
}

/** A submitted manifest job: the job, the manifest as published, and the job key when anything was sealed. */
export interface SubmittedManifestJob extends SubmittedJob {
  readonly prepared: PreparedJob;
}

/**
 * Submits a job from a manifest: seals its artifacts ({@link prepareManifestJob}), publishes them and the manifest to
 * the gateway, then submits the job committing to the manifest ({@link submitJob}: quoted, refused above `maxTotal`).
 * Keep `prepared.jobKey`: claimers of a sealed job ask for it on chain, and {@link releaseJobKeys} answers them.
 */
export async function submitManifestJob(
  client: StarMinerClient,
  parameters: SubmitManifestJobParameters,
): Promise<SubmittedManifestJob> {
  const prepared = await prepareManifestJob(parameters.manifest, parameters.files, parameters.encrypt ?? "inputs");
  await publishManifestJob(parameters.gateway, prepared);
  const submitted = await submitJob(client, manifestJobSpec(prepared, parameters.spec));
  return { ...submitted, prepared };
}

/** The mailboxes a validator's key request and its answer travel through (see `workloads/key-release.ts`). */
export function auditMailboxes(
  client: Pick<StarMinerClient, "deployment">,
  jobId: bigint,
  requester: Address,
  validator: Address,
): { request: Hex; release: Hex } {
  const market = contractAddress(client.deployment, "JobMarket");
  const base = { chainId: client.deployment.chainId, market, jobId, slot: AUDIT_SLOT };
  return {
    request: mailboxName({ ...base, recipient: requester }),
    release: mailboxName({ ...base, recipient: validator }),
  };
}

/** One release of a job key: to the claimer of a slot, or to a validator re-executing the job (`AUDIT_SLOT`). */
export interface KeyRelease {
  readonly slot: number;
  /** The address of the key it was wrapped to: the claimer's node key, its enclave's, or the validator's. */
  readonly to: Address;
}

/** Signs envelopes with the client's account: a local account itself, any other through the wallet client. */
function envelopeAccount(client: StarMinerClient): Pick<LocalAccount, "address" | "signMessage"> {
  const account = accountOf(client);
  if (account.type === "local") return account;
  const walletClient = client.walletClient!;
  return { address: account.address, signMessage: ({ message }) => walletClient.signMessage({ account, message }) };
}

/**
 * Releases `jobKey` to everyone entitled to it who asked and has not been given it yet:
 * - the claimer of each slot that asked on chain, wrapped to the public key it asked with (the market checked it is
 *   the claimer's node key, or its attested enclave's for a TEE job), released on chain by `client`'s account (the
 *   job's requester);
 * - while the job is Verified or Disputed, any eligible validator that asked in the audit mailbox (an auditor or a
 *   juror re-executes the job, and an audit protects the requester).
 * Safe to call every round; a requester calls it until the job ends (a claimer that asks in time and is not
 * answered is excused, and the requester pays for its `key-withheld` result).
 */
export async function releaseJobKeys(
  client: StarMinerClient,
  parameters: {
    readonly gateway: GatewayClient;
    readonly jobId: bigint;
    readonly jobKey: Uint8Array;
    /**
     * The job and its slots, when the caller has just read them (`readJobViews`, one call for many jobs): saves
     * reading them again. A view a little behind the chain is safe: a slot that moved on since is passed over, one
     * claimed since is served at the next call.
     */
    readonly view?: JobView;
  },
): Promise<KeyRelease[]> {
  const { gateway, jobId, jobKey } = parameters;
  const chainId = client.deployment.chainId;
  const jobMarket = protocolContract(client, "JobMarket");
  const requester = envelopeAccount(client);
  const { job, slots } = parameters.view ?? {
    job: await jobMarket.read.jobOf([jobId]),
    slots: await jobMarket.read.slotsOf([jobId]),
  };
  const released: KeyRelease[] = [];
  if (job.status === JobStatus.Open) {
    for (const [index, slot] of slots.entries()) {
      if (slot.status !== SlotStatus.Claimed) continue;
      const exchange = await jobMarket.read.keyExchangeOf([jobId, BigInt(index)]);
      if (exchange.released || getAddress(exchange.requestedBy) !== getAddress(slot.provider)) continue;
      const publicKey = requestedPublicKey(
        (await recordedKeyExchange(client, "request", jobId, index, slot.provider))!,
      );
      const holder = getAddress(publicKeyToAddress(publicKey));
      const wrapped = wrapKey(jobKey, publicKey, { chainId, jobId, slot: index, recipient: holder });
      try {
        await writeAndWait(client, jobMarket, "releaseJobKey", [jobId, BigInt(index), encodeWrappedKey(wrapped)]);
      } catch (error) {
        // The claimer delivered (or the job moved on) since the slot was read, or half its window has passed and it
        // may report the key withheld (the requester pays for the slot): nothing can be released to it any more.
        if (/^Market(Slot|Job)NotInStatus$|^MarketKeyReleaseLate$/.test(contractErrorOf(error)?.errorName ?? ""))
          continue;
        throw error;
      }
      released.push({ slot: index, to: holder });
    }
  }
  if (job.status === JobStatus.Verified || job.status === JobStatus.Disputed) {
    const nodeRegistry = protocolContract(client, "NodeRegistry");
    const requests = auditMailboxes(client, jobId, requester.address, requester.address).request;
    for (const validator of await gateway.senders(requests)) {
      const boxes = auditMailboxes(client, jobId, requester.address, validator);
      // Already answered (asked of the gateway, not the chain: most calls find every request answered).
      if ((await gateway.envelope(boxes.release, requester.address)) !== undefined) continue;
      if (!(await nodeRegistry.read.isEligible([validator, NodeRole.VALIDATOR]))) continue;
      const request = await gateway.envelope(boxes.request, validator);
      if (request === undefined) continue;
      const publicKey = await envelopeSignerKey(boxes.request, request);
      const wrapped = wrapKey(jobKey, publicKey, { chainId, jobId, slot: AUDIT_SLOT, recipient: validator });
      await gateway.postEnvelope(
        boxes.release,
        requester.address,
        await signEnvelope(requester, boxes.release, { wrapped }),
      );
      released.push({ slot: AUDIT_SLOT, to: validator });
    }
  }
  return released;
}

/**
 * The slots of `jobId` whose claimer the requester answered with a wrap that is not `jobKey`'s (bytes that open to
 * nothing, or another key): wraps are deterministic, so whoever holds the key recomputes each recorded release and
 * compares. A claimer given such a release could not open the job, and its failure (`decryption-failed`) is the
 * requester's doing.
 */
export async function misreleasedSlots(
  client: Pick<StarMinerClient, "publicClient" | "deployment">,
  jobId: bigint,
  jobKey: Uint8Array,
): Promise<number[]> {
  const { publicClient, deployment } = client;
  const jobMarket = protocolContract(client, "JobMarket");
  const events = { address: jobMarket.address, abi: jobMarket.abi, args: { jobId }, fromBlock: 0n } as const;
  const requests = await publicClient.getContractEvents({ ...events, eventName: "JobKeyRequested" });
  const releases = await publicClient.getContractEvents({ ...events, eventName: "JobKeyReleased" });
  const misreleased: number[] = [];
  for (const release of releases) {
    const { slot, provider, wrappedKey } = release.args as { slot: bigint; provider: Address; wrappedKey: Hex };
    // The request it answered: the latest one that claimer made for that slot before the release.
    const request = requests
      .filter((r) => r.args.slot === slot && r.args.provider === provider && r.blockNumber <= release.blockNumber)
      .at(-1);
    if (request === undefined) continue;
    const publicKey = requestedPublicKey(request.args.publicKey!);
    const binding = {
      chainId: deployment.chainId,
      jobId,
      slot: Number(slot),
      recipient: getAddress(publicKeyToAddress(publicKey)),
    };
    let faithful: boolean;
    try {
      faithful = isWrapOf(decodeWrappedKey(wrappedKey), jobKey, publicKey, binding);
    } catch {
      faithful = false;
    }
    if (!faithful) misreleased.push(Number(slot));
  }
  return misreleased;
}

/**
 * The job key as a validator receives it to re-execute a sampled or disputed job: asks the requester for it (once,
 * an envelope signed with `validatorKey`, the validator's private key) and returns it once released (opened with
 * that key), or undefined while it is not.
 */
export async function validatorJobKey(
  client: Pick<StarMinerClient, "deployment">,
  parameters: {
    readonly gateway: GatewayClient;
    readonly validatorKey: Hex;
    readonly jobId: bigint;
    readonly requester: Address;
  },
): Promise<Uint8Array | undefined> {
  const { gateway, validatorKey, jobId, requester } = parameters;
  const validator = privateKeyToAccount(validatorKey);
  const boxes = auditMailboxes(client, jobId, requester, validator.address);
  const released = await gateway.envelope(boxes.release, requester);
  if (released?.envelope.wrapped !== undefined) {
    return unwrapKey(released.envelope.wrapped, validatorKey, {
      chainId: client.deployment.chainId,
      jobId,
      slot: AUDIT_SLOT,
      recipient: validator.address,
    });
  }
  if ((await gateway.envelope(boxes.request, validator.address)) === undefined) {
    await gateway.postEnvelope(boxes.request, validator.address, await signEnvelope(validator, boxes.request, {}));
  }
  return undefined;
}

export interface FetchJobOutputParameters {
  readonly gateway: GatewayClient;
  /** The job's manifest (`fetchManifest`). */
  readonly manifest: JobManifest;
  readonly jobId: bigint;
  /** The result the market accepted (`acceptedResult`). */
  readonly result: Hex;
  /** The providers whose copies to try: the claimers of the accepted slots. */
  readonly providers: readonly Address[];
  /** The job's requester, to whom sealed outputs are addressed. */
  readonly requester: Address;
  /** The requester's private key, which opens an output sealed to it; without it only a clear output is found. */
  readonly requesterKey?: Hex;
  /** Largest output to download, in bytes (default: the manifest's `limits.outputBytes`). */
  readonly maxOutputBytes?: number;
}

/**
 * The output behind `result`, fetched and checked against it: published in the clear under the result's address,
 * or sealed to the requester by one of `providers` (who left its key in the requester's output mailbox). Undefined
 * when no copy that matches the result is found yet; a copy that does not open or does not match is skipped.
 */
export async function fetchJobOutput(
  client: Pick<StarMinerClient, "deployment">,
  parameters: FetchJobOutputParameters,
): Promise<Uint8Array | undefined> {
  const { gateway, manifest, jobId, result, requester } = parameters;
  const maxOutputBytes = parameters.maxOutputBytes ?? manifest.limits.outputBytes;
  const chainId = client.deployment.chainId;
  const clear = await gateway
    .get({ cid: artifactCidFromDigest(hexToBytes(result)), bytes: maxOutputBytes })
    .catch(() => undefined);
  if (clear !== undefined && outputMatchesResult(manifest, clear, result)) return clear;
  if (parameters.requesterKey === undefined) return undefined;
  const box = mailboxName({
    chainId,
    market: contractAddress(client.deployment, "JobMarket"),
    jobId,
    slot: OUTPUT_SLOT,
    recipient: requester,
  });
  for (const provider of parameters.providers) {
    const signed = await gateway.envelope(box, provider).catch(() => undefined);
    const { wrapped, artifact } = signed?.envelope ?? {};
    if (wrapped === undefined || artifact === undefined) continue;
    if (artifact.bytes > maxOutputBytes + SEALED_OVERHEAD_BYTES) continue;
    try {
      const key = unwrapKey(wrapped, parameters.requesterKey, {
        chainId,
        jobId,
        slot: OUTPUT_SLOT,
        recipient: requester,
      });
      const sealed = await gateway.get(artifact);
      if (sealed === undefined || sealed.length !== artifact.bytes) continue;
      verifyContent(artifact.cid, sealed);
      const output = openArtifact(sealed, key);
      if (outputMatchesResult(manifest, output, result)) return output;
    } catch {
      // This provider's copy does not open or does not match the result: try the next.
    }
  }
  return undefined;
}

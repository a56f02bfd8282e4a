import { type Address, type Hex, getAddress } from "viem";
import { type PrivateKeyAccount, publicKeyToAddress } from "viem/accounts";
import { JobStatus, NodeRole, SlotStatus, describeError, writeAndWait } from "@starminer/sdk";

import type { ProtocolClient } from "../client.js";
import type { ArtifactSource } from "./artifact-store.js";
import { artifactCid, artifactCidFromDigest, verifyContent } from "./cid.js";
import { generateJobKey, isWrapOf, openArtifact, sealArtifact, unwrapKey, wrapKey } from "./encryption.js";
import { fetchSealedArtifacts, type Runtimes } from "./execute.js";
import type { GatewayClient } from "./gateway.js";
import { outputMatchesResult } from "./job-work.js";
import {
  AUDIT_SLOT,
  decodeWrappedKey,
  encodeWrappedKey,
  envelopeSignerKey,
  recordedKeyExchange,
  mailboxName,
  requestedPublicKey,
  signEnvelope,
} from "./key-release.js";
import {
  type ArtifactRef,
  type ArtifactRole,
  type JobManifest,
  artifactsOf,
  canonicalManifestBytes,
  manifestCommitments,
  mapArtifacts,
} from "./manifest.js";

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
  /** The job key, when anything is sealed: the requester keeps it to release to claimers. */
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
  if (artifactsOf(manifest).some((ref) => ref.encrypted)) {
    throw new Error("the manifest already names sealed artifacts: give the manifest of the plaintext files");
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
  const expected = artifactCidFromDigest(Buffer.from(job.modelCommitment.slice(2), "hex"));
  if (cid !== expected) throw new Error(`the manifest was filed as ${cid}, not ${expected}`);
}

/** The mailboxes a validator's key request and its answer travel through (see `key-release.ts`). */
export function auditMailboxes(
  client: ProtocolClient,
  jobId: bigint,
  requester: Address,
  validator: Address,
): { request: Hex; release: Hex } {
  const base = { chainId: client.chain.id, market: client.jobMarket.address, jobId, slot: AUDIT_SLOT };
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

/**
 * Releases `jobKey` to everyone entitled to it who asked and has not been given it yet:
 * - the claimer of each slot that asked on chain, wrapped to the public key it asked with (the market checked it is
 *   the claimer's node key, or its attested enclave's for a TEE job), released on chain by `client`'s account (the
 *   job's requester);
 * - while the job is Verified or Disputed, any eligible validator that asked in the audit mailbox (an auditor or a
 *   juror re-executes the job, and an audit protects the requester).
 * Safe to call every round.
 */
export async function releaseJobKey(
  client: ProtocolClient,
  gateway: GatewayClient,
  requester: PrivateKeyAccount,
  jobId: bigint,
  jobKey: Uint8Array,
): Promise<KeyRelease[]> {
  const { chain, jobMarket } = client;
  const job = await jobMarket.read.jobOf([jobId]);
  const slots = await jobMarket.read.slotsOf([jobId]);
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
      const wrapped = wrapKey(jobKey, publicKey, { chainId: chain.id, jobId, slot: index, recipient: holder });
      try {
        await writeAndWait(client, jobMarket, "releaseJobKey", [jobId, BigInt(index), encodeWrappedKey(wrapped)]);
      } catch (error) {
        // The claimer delivered (or the job moved on) since the slot was read: nothing is owed to it any more.
        if (/: Market(Slot|Job)NotInStatus\(/.test(describeError(error))) continue;
        throw error;
      }
      released.push({ slot: index, to: holder });
    }
  }
  if (job.status === JobStatus.Verified || job.status === JobStatus.Disputed) {
    const requests = auditMailboxes(client, jobId, requester.address, requester.address).request;
    for (const validator of await gateway.senders(requests)) {
      if (!(await client.nodeRegistry.read.isEligible([validator, NodeRole.VALIDATOR]))) continue;
      const boxes = auditMailboxes(client, jobId, requester.address, validator);
      if ((await gateway.envelope(boxes.release, requester.address)) !== undefined) continue;
      const request = await gateway.envelope(boxes.request, validator);
      if (request === undefined) continue;
      const publicKey = await envelopeSignerKey(boxes.request, request);
      const wrapped = wrapKey(jobKey, publicKey, { chainId: chain.id, jobId, slot: AUDIT_SLOT, recipient: validator });
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
export async function misreleasedSlots(client: ProtocolClient, jobId: bigint, jobKey: Uint8Array): Promise<number[]> {
  const { chain, jobMarket, publicClient } = client;
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
      chainId: chain.id,
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
 * The job key as a validator receives it to re-execute a sampled or disputed job: asks the requester for it (once) and
 * returns it once released, or undefined while it is not.
 */
export async function validatorJobKey(
  client: ProtocolClient,
  gateway: GatewayClient,
  validator: PrivateKeyAccount,
  validatorKey: Hex,
  jobId: bigint,
  requester: Address,
): Promise<Uint8Array | undefined> {
  const boxes = auditMailboxes(client, jobId, requester, validator.address);
  const released = await gateway.envelope(boxes.release, requester);
  if (released?.envelope.wrapped !== undefined) {
    return unwrapKey(released.envelope.wrapped, validatorKey, {
      chainId: client.chain.id,
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

/**
 * The output behind `result`, fetched and checked against it: published in the clear under the result's address,
 * or sealed to the requester by one of `providers` (who left its key in the requester's output mailbox). Undefined
 * when no copy is found yet.
 */
export async function fetchJobOutput(options: {
  client: ProtocolClient;
  gateway: GatewayClient;
  manifest: JobManifest;
  jobId: bigint;
  result: Hex;
  providers: readonly Address[];
  requester: Address;
  requesterKey?: Hex;
  runtimes: Runtimes;
  maxOutputBytes: number;
}): Promise<Uint8Array | undefined> {
  const { client, gateway, manifest, jobId, result, runtimes } = options;
  const matches = (bytes: Uint8Array) => {
    try {
      return outputMatchesResult(manifest, bytes, result, runtimes);
    } catch {
      return false;
    }
  };
  const clear = await gateway
    .get({ cid: artifactCidFromDigest(Buffer.from(result.slice(2), "hex")), bytes: options.maxOutputBytes })
    .catch(() => undefined);
  if (clear !== undefined && matches(clear)) return clear;
  if (options.requesterKey === undefined) return undefined;
  const box = mailboxName({
    chainId: client.chain.id,
    market: client.jobMarket.address,
    jobId,
    slot: -1,
    recipient: options.requester,
  });
  for (const provider of options.providers) {
    const signed = await gateway.envelope(box, provider).catch(() => undefined);
    const { wrapped, artifact } = signed?.envelope ?? {};
    if (wrapped === undefined || artifact === undefined || artifact.bytes > options.maxOutputBytes) continue;
    try {
      const key = unwrapKey(wrapped, options.requesterKey, {
        chainId: client.chain.id,
        jobId,
        slot: -1,
        recipient: options.requester,
      });
      const sealed = await gateway.get(artifact);
      if (sealed === undefined || sealed.length !== artifact.bytes) continue;
      verifyContent(artifact.cid, sealed);
      const output = openArtifact(sealed, key);
      if (matches(output)) return output;
    } catch {
      // This provider's copy does not open or does not match the result: try the next.
    }
  }
  return undefined;
}

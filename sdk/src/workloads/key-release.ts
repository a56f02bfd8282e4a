import {
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionSerializable,
  bytesToHex,
  concatHex,
  encodeAbiParameters,
  getAddress,
  hashMessage,
  hexToBytes,
  keccak256,
  recoverMessageAddress,
  recoverPublicKey,
  serializeTransaction,
  toHex,
} from "viem";
import { type LocalAccount, privateKeyToAccount, publicKeyToAddress } from "viem/accounts";

import { jobMarketAbi } from "../abis/JobMarket.js";
import type { StarMinerClient } from "../client.js";
import { contractAddress } from "../deployment.js";
import { canonicalJson } from "./canonical-json.js";
import type { WrappedKey } from "./encryption.js";
import type { ArtifactRef } from "./manifest.js";

/**
 * How job keys travel.
 *
 * 1. **To a slot's claimer, on chain.** The claimer asks with `requestJobKey`, giving the public key the job key is
 *    to be wrapped to: its node key, or for a TEE job its attested enclave's (the market checks which). The
 *    requester answers with `releaseJobKey` and the wrapped key (`encodeWrappedKey`). Both are recorded, so that a
 *    claimer that asked in time and was not answered is excused when it reports `key-withheld`, and one that was
 *    answered is not.
 * 2. **To auditors and jurors, through mailboxes** on the content gateway, one per (chain, market, job, slot,
 *    recipient), where each sender has a box of its own and signs what it leaves there. A validator that
 *    re-executes a sampled or disputed job leaves an empty envelope (a key request) in the mailbox of (job,
 *    `AUDIT_SLOT`, the requester), signed by its key; the requester answers any eligible validator, since an audit
 *    protects the requester, in the mailbox of (job, `AUDIT_SLOT`, the validator).
 * 3. **Output.** A provider returns a sealed output in the mailbox of (job, -1, the requester): the output key
 *    wrapped to the requester's public key (its submission transaction reveals it) and the sealed output's
 *    address, signed by the provider.
 *
 * A sender can only write its own box (the gateway checks the signature against the box's address), so nobody can
 * overwrite or crowd out another's envelope; every reader checks the signature again. A wrapped key is also bound
 * (its associated data) to the chain, job, slot and recipient: one copied to another slot or recipient does not open.
 */
export interface MailboxAddress {
  readonly chainId: number;
  readonly market: Address;
  readonly jobId: bigint;
  /** The recipient's slot; -1 for an envelope to the requester that no slot names. */
  readonly slot: number;
  readonly recipient: Address;
}

/** What an envelope carries: a wrapped key and, for an output, the sealed bytes it opens; nothing for a request. */
export interface Envelope {
  readonly wrapped?: WrappedKey;
  readonly artifact?: ArtifactRef;
}

/**
 * The slot number that key requests, releases and bindings use for a validator re-executing a job (an auditor of a
 * sampled job, a juror of a disputed one): it holds no slot, and its key is bound to this number instead.
 */
export const AUDIT_SLOT = -2;

/** The slot number of the requester's mailbox for sealed outputs and of their keys' bindings: no slot names it. */
export const OUTPUT_SLOT = -1;

/** An envelope as posted: with its sender's signature over the mailbox and the envelope. */
export interface SignedEnvelope {
  readonly envelope: Envelope;
  readonly signature: Hex;
}

/** Largest envelope a gateway accepts, in bytes (a wrapped key and a reference take about 400). */
export const MAX_ENVELOPE_BYTES = 4096;

/** The mailbox's name: a hash of what it is for, so that it says nothing about the job to a gateway's listing. */
export function mailboxName(address: MailboxAddress): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "string" },
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "int256" },
        { type: "address" },
      ],
      [
        "starminer.mailbox/1",
        BigInt(address.chainId),
        address.market,
        address.jobId,
        BigInt(address.slot),
        address.recipient,
      ],
    ),
  );
}

/** What a sender signs (EIP-191): the mailbox's name and the envelope's canonical JSON. */
function envelopeMessage(name: Hex, envelope: Envelope): Hex {
  return keccak256(toHex(`${name}:${canonicalJson(envelope)}`));
}

/** Signs `envelope` for the mailbox `name` with the sender's account. */
export async function signEnvelope(
  account: Pick<LocalAccount, "address" | "signMessage">,
  name: Hex,
  envelope: Envelope,
): Promise<SignedEnvelope> {
  return { envelope, signature: await account.signMessage({ message: { raw: envelopeMessage(name, envelope) } }) };
}

/** The address that signed `signed` for mailbox `name` (whatever the envelope says, recovered from the signature). */
export async function envelopeSigner(name: Hex, signed: SignedEnvelope): Promise<Address> {
  return recoverMessageAddress({
    message: { raw: envelopeMessage(name, signed.envelope) },
    signature: signed.signature,
  });
}

/** The public key (65 bytes, 0x04…) that signed `signed` for mailbox `name`: what a key request asks a key for. */
export async function envelopeSignerKey(name: Hex, signed: SignedEnvelope): Promise<Hex> {
  return recoverPublicKey({
    hash: hashMessage({ raw: envelopeMessage(name, signed.envelope) }),
    signature: signed.signature,
  });
}

/** Reads an envelope from untrusted JSON, or throws saying what is wrong. */
export function parseSignedEnvelope(value: unknown): SignedEnvelope {
  const hex = (v: unknown) => typeof v === "string" && /^0x([0-9a-fA-F]{2})+$/.test(v);
  const object = value as { envelope?: { wrapped?: Record<string, unknown>; artifact?: unknown }; signature?: unknown };
  if (typeof object !== "object" || object === null || !hex(object.signature) || typeof object.envelope !== "object") {
    throw new Error("an envelope is { envelope: { wrapped?, artifact? }, signature }");
  }
  const wrapped = object.envelope.wrapped;
  if (
    wrapped !== undefined &&
    (typeof wrapped !== "object" ||
      wrapped === null ||
      !hex(wrapped.ephemeralPublicKey) ||
      !hex(wrapped.nonce) ||
      !hex(wrapped.ciphertext))
  ) {
    throw new Error("an envelope's wrapped key is { ephemeralPublicKey, nonce, ciphertext }");
  }
  const artifact = object.envelope.artifact as ArtifactRef | undefined;
  if (artifact !== undefined && (typeof artifact?.cid !== "string" || !Number.isSafeInteger(artifact.bytes))) {
    throw new Error("an envelope's artifact is { cid, bytes }");
  }
  const envelope: Envelope = {
    ...(wrapped === undefined
      ? {}
      : {
          wrapped: {
            ephemeralPublicKey: wrapped.ephemeralPublicKey as Hex,
            nonce: wrapped.nonce as Hex,
            ciphertext: wrapped.ciphertext as Hex,
          },
        }),
    ...(artifact === undefined ? {} : { artifact: { cid: artifact.cid, bytes: artifact.bytes } }),
  };
  return { envelope, signature: object.signature as Hex };
}

/**
 * The public key (65 bytes, 0x04…) of the account that signed transaction `hash`: recovered from the signature over
 * the transaction's signing hash and checked against its sender. A provider's claim reveals its key this way, and a
 * requester's submission reveals its own.
 */
export async function publicKeyOfTransaction(
  client: PublicClient,
  hash: Hash,
): Promise<{ from: Address; publicKey: Hex }> {
  const tx = await client.getTransaction({ hash });
  const common = { chainId: tx.chainId, nonce: tx.nonce, gas: tx.gas, to: tx.to, value: tx.value, data: tx.input };
  let unsigned: TransactionSerializable;
  switch (tx.type) {
    case "legacy":
      unsigned = { ...common, type: "legacy", gasPrice: tx.gasPrice };
      break;
    case "eip2930":
      unsigned = { ...common, chainId: tx.chainId!, type: "eip2930", gasPrice: tx.gasPrice, accessList: tx.accessList };
      break;
    case "eip1559":
      unsigned = {
        ...common,
        chainId: tx.chainId!,
        type: "eip1559",
        maxFeePerGas: tx.maxFeePerGas,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
        accessList: tx.accessList,
      };
      break;
    default:
      throw new Error(`transaction ${hash} is of type ${tx.type}, whose signer's key is not recovered here`);
  }
  const publicKey = await recoverPublicKey({
    hash: keccak256(serializeTransaction(unsigned)),
    signature: { r: tx.r, s: tx.s, yParity: tx.yParity ?? Number(tx.v) - (tx.chainId ?? 0) * 2 - 35 },
  });
  if (getAddress(publicKeyToAddress(publicKey)) !== getAddress(tx.from)) {
    throw new Error(`the key recovered from transaction ${hash} is not its sender ${tx.from}'s`);
  }
  return { from: getAddress(tx.from), publicKey };
}

/** Bytes of an uncompressed secp256k1 public key with its 0x04 prefix, and of an AES-GCM nonce. */
const PUBLIC_KEY_BYTES = 65;
const NONCE_BYTES = 12;

/** A wrapped key as the market records it: the ephemeral public key, the nonce and the ciphertext, concatenated. */
export function encodeWrappedKey(wrapped: WrappedKey): Hex {
  return concatHex([wrapped.ephemeralPublicKey, wrapped.nonce, wrapped.ciphertext]);
}

/** Reads a wrapped key recorded by the market, or throws saying why it is not one. */
export function decodeWrappedKey(encoded: Hex): WrappedKey {
  const bytes = hexToBytes(encoded);
  if (bytes.length <= PUBLIC_KEY_BYTES + NONCE_BYTES || bytes[0] !== 4) {
    throw new Error(
      `a recorded wrapped key of ${bytes.length} bytes is not an ephemeral key, a nonce and a ciphertext`,
    );
  }
  return {
    ephemeralPublicKey: bytesToHex(bytes.subarray(0, PUBLIC_KEY_BYTES)),
    nonce: bytesToHex(bytes.subarray(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES + NONCE_BYTES)),
    ciphertext: bytesToHex(bytes.subarray(PUBLIC_KEY_BYTES + NONCE_BYTES)),
  };
}

/** The public key a key request gives the market for `privateKey`: 64 bytes, uncompressed, without its 0x04. */
export function requestPublicKey(privateKey: Hex): Hex {
  return `0x${privateKeyToAccount(privateKey).publicKey.slice(4)}`;
}

/** The public key (65 bytes, 0x04…) of a key request the market recorded (64 bytes). */
export function requestedPublicKey(recorded: Hex): Hex {
  return `0x04${recorded.slice(2)}`;
}

/**
 * What the market recorded last for (`jobId`, `slot`, `provider`): the public key of its key request (64 bytes), or
 * the wrapped key of its release; undefined when there is none.
 */
export async function recordedKeyExchange(
  client: Pick<StarMinerClient, "publicClient" | "deployment">,
  kind: "request" | "release",
  jobId: bigint,
  slot: number,
  provider: Address,
): Promise<Hex | undefined> {
  const { publicClient } = client;
  const address = contractAddress(client.deployment, "JobMarket");
  const filter = { address, abi: jobMarketAbi, fromBlock: 0n } as const;
  const args = { jobId, slot: BigInt(slot), provider };
  if (kind === "request") {
    const requests = await publicClient.getContractEvents({ ...filter, eventName: "JobKeyRequested", args });
    return requests.at(-1)?.args.publicKey;
  }
  const releases = await publicClient.getContractEvents({ ...filter, eventName: "JobKeyReleased", args });
  return releases.at(-1)?.args.wrappedKey;
}

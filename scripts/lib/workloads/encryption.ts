import { createCipheriv, createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";

import { type Hex, bytesToHex, hexToBytes } from "viem";

import { WorkloadError } from "./errors.js";

/**
 * Job data encryption.
 *
 * - **Artifacts**: a requester encrypts a job's inputs (and a private model) with a fresh 256-bit key per job,
 *   AES-256-GCM, a random 96-bit nonce per artifact. A sealed artifact is `SMENC1 ‖ nonce ‖ ciphertext ‖ tag`; it is
 *   what the manifest's CID addresses, so the gateway and every reader check the ciphertext, and GCM's tag checks
 *   the plaintext under the key.
 * - **Key release**: the job key is wrapped to one recipient's secp256k1 public key (ECIES: an ephemeral key pair
 *   derived from the key and its use, ECDH, HKDF-SHA256 over the shared secret and both public keys, AES-256-GCM;
 *   see `wrapKey` on why derived), bound by its associated data to one
 *   purpose (the chain, the job, the slot, the recipient's address), so a wrapped key handed to one provider for one
 *   slot cannot be replayed for another. A provider's key is its node key (the account that claims, whose public key
 *   every transaction it signs reveals), or its enclave's key for a TEE job.
 * - **Outputs** go back the same way, sealed under a fresh key wrapped to the requester's public key.
 */
const MAGIC = Buffer.from("SMENC1");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ARTIFACT_AAD = Buffer.from("starminer.artifact/1");
const WRAP_INFO = Buffer.from("starminer.key-wrap/1");
const EPHEMERAL_INFO = Buffer.from("starminer.key-wrap-ephemeral/1:");

/** A fresh 256-bit job key. */
export function generateJobKey(): Uint8Array {
  return randomBytes(32);
}

/** Seals `plaintext` under `key` (AES-256-GCM, a random nonce). */
export function sealArtifact(plaintext: Uint8Array, key: Uint8Array): Uint8Array {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce).setAAD(ARTIFACT_AAD);
  return Buffer.concat([MAGIC, nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Whether `bytes` are a sealed artifact (by their header). */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length + NONCE_BYTES + TAG_BYTES && MAGIC.equals(bytes.subarray(0, MAGIC.length));
}

/** Opens a sealed artifact, or throws `decryption-failed` (another key, or altered bytes). */
export function openArtifact(sealed: Uint8Array, key: Uint8Array): Uint8Array {
  checkKey(key);
  if (!isSealed(sealed)) throw new WorkloadError("decryption-failed", "the artifact is not sealed (no SMENC1 header)");
  const nonce = sealed.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
  const body = sealed.subarray(MAGIC.length + NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce).setAAD(ARTIFACT_AAD);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new WorkloadError(
      "decryption-failed",
      "the artifact does not open under the job key: another key, or altered bytes",
    );
  }
}

/** What a wrapped key may be used for: one chain, one job, one slot, one recipient. */
export interface KeyBinding {
  readonly chainId: number;
  readonly jobId: bigint;
  /** The slot the recipient claimed; the requester's own copy of an output key uses -1. */
  readonly slot: number;
  readonly recipient: Hex;
}

/** A job key wrapped to one public key (all hex, for JSON). */
export interface WrappedKey {
  readonly ephemeralPublicKey: Hex;
  readonly nonce: Hex;
  readonly ciphertext: Hex;
}

/**
 * Wraps `key` to `recipientPublicKey` (65-byte uncompressed secp256k1, 0x04…) for the use `binding` names.
 *
 * The wrap is deterministic: its ephemeral key and nonce are derived (HKDF-SHA256) from the key itself, the recipient
 * and the binding, so one job key has exactly one wrap per recipient and use. Whoever holds the job key (the
 * requester, a validator it was released to) can therefore check a wrap recorded on chain (`isWrapOf`), and a
 * requester that recorded a wrap that does not open cannot deny it. Deriving them from a 256-bit secret reveals
 * nothing a random choice would not; no nonce repeats, since the derivation input is the whole use.
 */
export function wrapKey(key: Uint8Array, recipientPublicKey: Hex, binding: KeyBinding): WrappedKey {
  checkKey(key);
  const recipient = Buffer.from(hexToBytes(recipientPublicKey));
  const derived = Buffer.from(
    hkdfSync("sha256", key, recipient, Buffer.concat([EPHEMERAL_INFO, bindingBytes(binding)]), 32 + NONCE_BYTES),
  );
  const ephemeral = createECDH("secp256k1");
  let shared: Buffer;
  try {
    ephemeral.setPrivateKey(derived.subarray(0, 32));
  } catch {
    // Outside [1, n - 1]: a chance of about 2^-128, for one (key, recipient, use).
    throw new Error("this job key derives no valid ephemeral key for this recipient: generate another job key");
  }
  try {
    shared = ephemeral.computeSecret(recipient);
  } catch {
    throw new Error(`${recipientPublicKey} is not a secp256k1 public key`);
  }
  const ephemeralPublicKey = ephemeral.getPublicKey();
  const nonce = derived.subarray(32);
  const cipher = createCipheriv("aes-256-gcm", kek(shared, ephemeralPublicKey, recipient), nonce).setAAD(
    bindingBytes(binding),
  );
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  return {
    ephemeralPublicKey: bytesToHex(ephemeralPublicKey),
    nonce: bytesToHex(nonce),
    ciphertext: bytesToHex(ciphertext),
  };
}

/**
 * Whether `wrapped` is the wrap of `key` to `recipientPublicKey` for `binding`: checked by recomputing it, so by
 * anyone who holds the key, without the recipient's private key.
 */
export function isWrapOf(wrapped: WrappedKey, key: Uint8Array, recipientPublicKey: Hex, binding: KeyBinding): boolean {
  const expected = wrapKey(key, recipientPublicKey, binding);
  return (
    expected.ephemeralPublicKey === wrapped.ephemeralPublicKey.toLowerCase() &&
    expected.nonce === wrapped.nonce.toLowerCase() &&
    expected.ciphertext === wrapped.ciphertext.toLowerCase()
  );
}

/**
 * Unwraps a key with the recipient's private key, for the use `binding` names; throws `decryption-failed` when the
 * key was wrapped to someone else or for another use.
 */
export function unwrapKey(wrapped: WrappedKey, privateKey: Hex, binding: KeyBinding): Uint8Array {
  const own = createECDH("secp256k1");
  own.setPrivateKey(Buffer.from(hexToBytes(privateKey)));
  const ephemeral = Buffer.from(hexToBytes(wrapped.ephemeralPublicKey));
  const ciphertext = Buffer.from(hexToBytes(wrapped.ciphertext));
  try {
    const secret = own.computeSecret(ephemeral);
    const decipher = createDecipheriv(
      "aes-256-gcm",
      kek(secret, ephemeral, own.getPublicKey()),
      hexToBytes(wrapped.nonce),
    );
    decipher.setAAD(bindingBytes(binding));
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new WorkloadError("decryption-failed", "the job key was not wrapped to this key for this job and slot");
  }
}

function kek(shared: Buffer, ephemeralPublicKey: Buffer, recipientPublicKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync("sha256", shared, Buffer.concat([ephemeralPublicKey, recipientPublicKey]), WRAP_INFO, 32),
  );
}

function bindingBytes(binding: KeyBinding): Buffer {
  return Buffer.from(
    `starminer.key/1:${binding.chainId}:${binding.jobId}:${binding.slot}:${binding.recipient.toLowerCase()}`,
  );
}

function checkKey(key: Uint8Array) {
  if (key.length !== 32) throw new Error(`a job key is 32 bytes, not ${key.length}`);
}

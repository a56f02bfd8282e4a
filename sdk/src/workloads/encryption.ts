import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { type Hex, bytesToHex, concatBytes, hexToBytes, stringToBytes } from "viem";

import { TAG_BYTES, aesGcm } from "./aes-gcm.js";
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
const MAGIC = stringToBytes("SMENC1");
const NONCE_BYTES = 12;
const ARTIFACT_AAD = stringToBytes("starminer.artifact/1");
const WRAP_INFO = stringToBytes("starminer.key-wrap/1");
const EPHEMERAL_INFO = stringToBytes("starminer.key-wrap-ephemeral/1:");

/** How many bytes sealing adds to an artifact: the header, the nonce and the tag. */
export const SEALED_OVERHEAD_BYTES = MAGIC.length + NONCE_BYTES + TAG_BYTES;

/** A fresh 256-bit job key. */
export function generateJobKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** Seals `plaintext` under `key` (AES-256-GCM, a random nonce). */
export function sealArtifact(plaintext: Uint8Array, key: Uint8Array): Uint8Array {
  checkKey(key);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return aesGcm.encrypt(key, nonce, ARTIFACT_AAD, plaintext, concatBytes([MAGIC, nonce]));
}

/** Whether `bytes` are a sealed artifact (by their header). */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length + NONCE_BYTES + TAG_BYTES && MAGIC.every((byte, i) => bytes[i] === byte);
}

/** Opens a sealed artifact, or throws `decryption-failed` (another key, or altered bytes). */
export function openArtifact(sealed: Uint8Array, key: Uint8Array): Uint8Array {
  checkKey(key);
  if (!isSealed(sealed)) throw new WorkloadError("decryption-failed", "the artifact is not sealed (no SMENC1 header)");
  const nonce = sealed.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
  try {
    return aesGcm.decrypt(key, nonce, ARTIFACT_AAD, sealed.subarray(MAGIC.length + NONCE_BYTES));
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
  const recipient = hexToBytes(recipientPublicKey);
  const derived = hkdf(sha256, key, recipient, concatBytes([EPHEMERAL_INFO, bindingBytes(binding)]), 32 + NONCE_BYTES);
  const ephemeralPrivateKey = derived.subarray(0, 32);
  if (!secp256k1.utils.isValidPrivateKey(ephemeralPrivateKey)) {
    // Outside [1, n - 1]: a chance of about 2^-128, for one (key, recipient, use).
    throw new Error("this job key derives no valid ephemeral key for this recipient: generate another job key");
  }
  let shared: Uint8Array;
  try {
    shared = sharedSecret(ephemeralPrivateKey, recipient);
  } catch {
    throw new Error(`${recipientPublicKey} is not a secp256k1 public key`);
  }
  const ephemeralPublicKey = secp256k1.getPublicKey(ephemeralPrivateKey, false);
  const nonce = derived.subarray(32);
  const ciphertext = aesGcm.encrypt(kek(shared, ephemeralPublicKey, recipient), nonce, bindingBytes(binding), key);
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
  const own = hexToBytes(privateKey);
  const ephemeral = hexToBytes(wrapped.ephemeralPublicKey);
  try {
    const key = kek(sharedSecret(own, ephemeral), ephemeral, secp256k1.getPublicKey(own, false));
    return aesGcm.decrypt(key, hexToBytes(wrapped.nonce), bindingBytes(binding), hexToBytes(wrapped.ciphertext));
  } catch {
    throw new WorkloadError("decryption-failed", "the job key was not wrapped to this key for this job and slot");
  }
}

/** ECDH on secp256k1: the x coordinate of the shared point (what OpenSSL's ECDH derives). */
function sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return secp256k1.getSharedSecret(privateKey, publicKey, true).subarray(1);
}

function kek(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes([ephemeralPublicKey, recipientPublicKey]), WRAP_INFO, 32);
}

function bindingBytes(binding: KeyBinding): Uint8Array {
  return stringToBytes(
    `starminer.key/1:${binding.chainId}:${binding.jobId}:${binding.slot}:${binding.recipient.toLowerCase()}`,
  );
}

function checkKey(key: Uint8Array) {
  if (key.length !== 32) throw new Error(`a job key is 32 bytes, not ${key.length}`);
}

import { gcm } from "@noble/ciphers/aes.js";
import { concatBytes } from "viem";

import { type NativeCrypto, nativeCrypto } from "./native-crypto.js";

const NO_HEADER = new Uint8Array(0);

/** Bytes of an AES-GCM authentication tag. */
export const TAG_BYTES = 16;

/**
 * AES-256-GCM with associated data: `header` (not encrypted, for a caller's framing: one allocation instead of a
 * copy of the whole ciphertext), the ciphertext and its 16-byte tag; or the plaintext back.
 */
export interface AesGcm {
  encrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, header?: Uint8Array): Uint8Array;
  /** Throws when the tag does not verify (another key, nonce or associated data, or altered bytes). */
  decrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}

/** AES-256-GCM in JavaScript, as a browser runs it. */
export const portableAesGcm: AesGcm = {
  encrypt(key, nonce, aad, plaintext, header = NO_HEADER) {
    const sealed = gcm(key, nonce, aad).encrypt(plaintext);
    return header.length === 0 ? sealed : concatBytes([header, sealed]);
  },
  decrypt: (key, nonce, aad, sealed) => gcm(key, nonce, aad).decrypt(sealed),
};

/** AES-256-GCM through Node's OpenSSL. */
export function nativeAesGcm(crypto: NativeCrypto): AesGcm {
  return {
    encrypt(key, nonce, aad, plaintext, header = NO_HEADER) {
      const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce).setAAD(aad);
      const body = cipher.update(plaintext);
      const last = cipher.final();
      const sealed = new Uint8Array(header.length + body.length + last.length + TAG_BYTES);
      sealed.set(header);
      sealed.set(body, header.length);
      sealed.set(last, header.length + body.length);
      sealed.set(cipher.getAuthTag(), sealed.length - TAG_BYTES);
      return sealed;
    },
    decrypt(key, nonce, aad, sealed) {
      if (sealed.length < TAG_BYTES) throw new Error("shorter than a tag");
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, nonce).setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      const last = decipher.final(); // GCM is a stream cipher: nothing is held back, so this is empty
      return last.length === 0 ? body : concatBytes([body, last]);
    },
  };
}

/** The AES-256-GCM this platform runs fastest: Node's, or the portable one in a browser. */
export const aesGcm: AesGcm = nativeCrypto === undefined ? portableAesGcm : nativeAesGcm(nativeCrypto);

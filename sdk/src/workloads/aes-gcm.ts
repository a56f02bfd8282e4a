import { gcm } from "@noble/ciphers/aes.js";
import { concatBytes } from "viem";

import { type NativeCrypto, nativeCrypto } from "./native-crypto.js";

/** Bytes of an AES-GCM authentication tag. */
export const TAG_BYTES = 16;

/** AES-256-GCM with associated data: the ciphertext with its 16-byte tag appended, or the plaintext back. */
export interface AesGcm {
  encrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Throws when the tag does not verify (another key, nonce or associated data, or altered bytes). */
  decrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}

/** AES-256-GCM in JavaScript, as a browser runs it. */
export const portableAesGcm: AesGcm = {
  encrypt: (key, nonce, aad, plaintext) => gcm(key, nonce, aad).encrypt(plaintext),
  decrypt: (key, nonce, aad, sealed) => gcm(key, nonce, aad).decrypt(sealed),
};

/** AES-256-GCM through Node's OpenSSL. */
export function nativeAesGcm(crypto: NativeCrypto): AesGcm {
  return {
    encrypt(key, nonce, aad, plaintext) {
      const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce).setAAD(aad);
      return concatBytes([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    },
    decrypt(key, nonce, aad, sealed) {
      if (sealed.length < TAG_BYTES) throw new Error("shorter than a tag");
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, nonce).setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return concatBytes([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    },
  };
}

/** The AES-256-GCM this platform runs fastest: Node's, or the portable one in a browser. */
export const aesGcm: AesGcm = nativeCrypto === undefined ? portableAesGcm : nativeAesGcm(nativeCrypto);

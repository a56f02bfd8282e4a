import { sha256 as portableSha256 } from "@noble/hashes/sha2.js";

import { nativeCrypto } from "./native-crypto.js";

/** The sha2-256 digest of `bytes`: through OpenSSL under Node, in JavaScript in a browser (see `native-crypto.ts`). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nativeCrypto === undefined ? portableSha256(bytes) : nativeCrypto.createHash("sha256").update(bytes).digest();
}

/** The portable sha2-256 a browser uses, whatever the platform: for tests that compare it with Node's. */
export { portableSha256 };

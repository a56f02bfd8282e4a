import { createHash } from "node:crypto";

/** sha2-256 through OpenSSL: about five times the speed of a JavaScript implementation (bench/results/workloads.md). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}

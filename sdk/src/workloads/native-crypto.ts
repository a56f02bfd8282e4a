/**
 * Node's `crypto` module when this code runs under Node, undefined in a browser. Node's AES-GCM and SHA-256 run in
 * OpenSSL, about 15 and 5 times the speed of their portable JavaScript versions (`bench/results/workloads.md`),
 * which matters for models of hundreds of megabytes; browsers get the portable versions, whose output is the same
 * byte for byte (a test compares them). It is read through `process.getBuiltinModule`, so a bundler for the browser
 * sees no import of a Node module.
 */
export const nativeCrypto: NativeCrypto | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NativeCrypto | undefined;

/** The parts of Node's `crypto` this SDK uses. */
export interface NativeCrypto {
  createHash(algorithm: "sha256"): { update(data: Uint8Array): { digest(): Uint8Array } };
  createCipheriv(algorithm: "aes-256-gcm", key: Uint8Array, iv: Uint8Array): NativeGcm;
  createDecipheriv(algorithm: "aes-256-gcm", key: Uint8Array, iv: Uint8Array): NativeGcm;
}

interface NativeGcm {
  setAAD(data: Uint8Array): NativeGcm;
  setAuthTag(tag: Uint8Array): NativeGcm;
  getAuthTag(): Uint8Array;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

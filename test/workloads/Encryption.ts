import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import {
  type KeyBinding,
  type WasmManifest,
  WorkloadError,
  artifactCid,
  fetchArtifacts,
  generateJobKey,
  isWrapOf,
  openArtifact,
  parseJobManifest,
  portableSha256,
  sealArtifact,
  sha256,
  unwrapKey,
  wrapKey,
} from "@starminer/sdk";

import { aesGcm, nativeAesGcm, portableAesGcm } from "../../sdk/src/workloads/aes-gcm.js";
import { nativeCrypto } from "../../sdk/src/workloads/native-crypto.js";
import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { filesByCid } from "../../scripts/lib/workloads/artifact-store.js";
import { EXAMPLES_DIRECTORY } from "../../scripts/lib/workloads/examples.js";
import { allRuntimes, executeJob } from "../../scripts/lib/workloads/execute.js";

const CLAIMER_KEY = devAccount(3).privateKey;
const BYSTANDER_KEY = devAccount(4).privateKey;
const claimer = privateKeyToAccount(CLAIMER_KEY);
const bystander = privateKeyToAccount(BYSTANDER_KEY);
const BINDING: KeyBinding = { chainId: 31337, jobId: 7n, slot: 0, recipient: claimer.address };

function decryptionFailure(run: () => unknown, message: string) {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(WorkloadError);
    expect((error as WorkloadError).code).to.equal("decryption-failed");
    expect((error as WorkloadError).message).to.equal(message);
    return;
  }
  expect.fail("it opened");
}

describe("Encrypted job data: sealed artifacts, a job key released to the claimer alone", () => {
  const plaintext = new TextEncoder().encode("100 110 0.05 0.2 1\n");

  it("a sealed artifact opens under its job key only, and any altered byte is detected", () => {
    const key = generateJobKey();
    const sealed = sealArtifact(plaintext, key);
    expect(Buffer.from(openArtifact(sealed, key)).toString()).to.equal("100 110 0.05 0.2 1\n");
    expect(artifactCid(sealArtifact(plaintext, key))).not.to.equal(artifactCid(sealed)); // a fresh nonce each time
    const wrongKey = "the artifact does not open under the job key: another key, or altered bytes";
    decryptionFailure(() => openArtifact(sealed, generateJobKey()), wrongKey);
    const altered = Uint8Array.from(sealed);
    altered[20]! ^= 1;
    decryptionFailure(() => openArtifact(altered, key), wrongKey);
    decryptionFailure(() => openArtifact(plaintext, key), "the artifact is not sealed (no SMENC1 header)");
  });

  it("the job key, wrapped to the claimer, opens for the claimer and nobody else", () => {
    const key = generateJobKey();
    const wrapped = wrapKey(key, claimer.publicKey, BINDING);
    expect(Buffer.from(unwrapKey(wrapped, CLAIMER_KEY, BINDING)).equals(Buffer.from(key))).to.equal(true);
    const notYours = "the job key was not wrapped to this key for this job and slot";
    decryptionFailure(() => unwrapKey(wrapped, BYSTANDER_KEY, { ...BINDING, recipient: bystander.address }), notYours);
    decryptionFailure(() => unwrapKey(wrapped, BYSTANDER_KEY, BINDING), notYours);
  });

  it("a wrapped key is bound to its chain, job, slot and recipient: it cannot be replayed for another", () => {
    const wrapped = wrapKey(generateJobKey(), claimer.publicKey, BINDING);
    const notYours = "the job key was not wrapped to this key for this job and slot";
    for (const other of [{ chainId: 1 }, { jobId: 8n }, { slot: 1 }, { recipient: bystander.address }]) {
      decryptionFailure(() => unwrapKey(wrapped, CLAIMER_KEY, { ...BINDING, ...other }), notYours);
    }
  });

  it("a wrap is a function of the key, the recipient and the use: whoever holds the key can check a recorded one", () => {
    const key = generateJobKey();
    const wrapped = wrapKey(key, claimer.publicKey, BINDING);
    expect(wrapKey(key, claimer.publicKey, BINDING)).to.deep.equal(wrapped);
    expect(wrapKey(key, claimer.publicKey, { ...BINDING, slot: 1 }).ephemeralPublicKey).not.to.equal(
      wrapped.ephemeralPublicKey,
    );
    expect(wrapKey(key, bystander.publicKey, BINDING).ciphertext).not.to.equal(wrapped.ciphertext);
    expect(isWrapOf(wrapped, key, claimer.publicKey, BINDING)).to.equal(true);
    // A requester that records another key's wrap, or bytes that open to nothing, is found out by the key's holders.
    expect(isWrapOf(wrapKey(generateJobKey(), claimer.publicKey, BINDING), key, claimer.publicKey, BINDING)).to.equal(
      false,
    );
    const garbled = { ...wrapped, ciphertext: `${wrapped.ciphertext.slice(0, -2)}00` as Hex };
    expect(isWrapOf(garbled, key, claimer.publicKey, BINDING)).to.equal(false);
    expect(isWrapOf(wrapped, key, claimer.publicKey, { ...BINDING, jobId: 8n })).to.equal(false);
  });

  it("the wrap format is fixed: a pinned key, recipient and use give these bytes on every platform", () => {
    // Recorded with the first release's implementation (Node's OpenSSL); the SDK's must keep opening old releases.
    expect(wrapKey(new Uint8Array(32).fill(0x11), claimer.publicKey, BINDING)).to.deep.equal({
      ephemeralPublicKey:
        "0x04206b3f2ef4d6b3e005d0add51a536217e0a185d256f87f44b9e7ebb2188b59ee471ec26e719addcdead2113fb57e238b67e1b7880a2b647b79ac7294382830e9",
      nonce: "0x99bbb0aeb33c344f3e58814d",
      ciphertext: "0x89879f3628f09610e4441c4a6834274d325626e52649631c60513a003c7efc2a5991e91d5dad7f9f4942ec8171c0387b",
    });
  });

  it("Node's OpenSSL and the browsers' JavaScript give the same AES-GCM and SHA-256, byte for byte", () => {
    expect(nativeCrypto, "under Node the SDK uses OpenSSL").not.to.equal(undefined);
    const native = nativeAesGcm(nativeCrypto!);
    expect(aesGcm, "and picks it").not.to.equal(portableAesGcm);
    for (const size of [0, 1, 15, 16, 17, 4_096, 1_000_003]) {
      const bytes = new Uint8Array(randomBytes(size));
      expect(Buffer.from(sha256(bytes)).equals(Buffer.from(portableSha256(bytes))), `sha256 of ${size} bytes`).to.equal(
        true,
      );
      const [key, nonce, aad] = [generateJobKey(), crypto.getRandomValues(new Uint8Array(12)), bytes.subarray(0, 20)];
      const sealed = native.encrypt(key, nonce, aad, bytes);
      expect(Buffer.from(portableAesGcm.encrypt(key, nonce, aad, bytes)).equals(Buffer.from(sealed))).to.equal(true);
      expect(Buffer.from(portableAesGcm.decrypt(key, nonce, aad, sealed)).equals(Buffer.from(bytes))).to.equal(true);
      const header = new TextEncoder().encode("framing");
      const framed = native.encrypt(key, nonce, aad, bytes, header);
      expect(Buffer.from(framed).equals(Buffer.concat([header, sealed])), "a header, then the same bytes").to.equal(
        true,
      );
      expect(Buffer.from(portableAesGcm.encrypt(key, nonce, aad, bytes, header)).equals(Buffer.from(framed))).to.equal(
        true,
      );
      const altered = Uint8Array.from(sealed);
      altered[altered.length - 1]! ^= 1;
      for (const backend of [native, portableAesGcm]) {
        expect(() => backend.decrypt(key, nonce, aad, altered), "an altered tag").to.throw();
        expect(() => backend.decrypt(generateJobKey(), nonce, aad, sealed), "another key").to.throw();
      }
    }
  });

  it("refuses to wrap to something that is not a public key", () => {
    expect(() => wrapKey(generateJobKey(), "0x04deadbeef", BINDING)).to.throw(
      "0x04deadbeef is not a secp256k1 public key",
    );
    expect(() => sealArtifact(plaintext, new Uint8Array(16))).to.throw("a job key is 32 bytes, not 16");
  });

  it("a job with an encrypted input runs for the provider holding the released key, and not without it", async () => {
    const example = parseJobManifest(
      JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.job.json"), "utf8")),
    ) as WasmManifest;
    const key = generateJobKey();
    const sealed = sealArtifact(await readFile(join(EXAMPLES_DIRECTORY, "market.txt")), key);
    const manifest = parseJobManifest({
      ...example,
      files: [{ path: "in/market.txt", data: { cid: artifactCid(sealed), bytes: sealed.length, encrypted: true } }],
    });
    const examples = await filesByCid(EXAMPLES_DIRECTORY);
    const source = {
      get: async (ref: { cid: string }) => (ref.cid === artifactCid(sealed) ? sealed : examples.get(ref as never)),
    };

    const released = unwrapKey(wrapKey(key, claimer.publicKey, BINDING), CLAIMER_KEY, BINDING);
    const outcome = await executeJob(
      manifest,
      await fetchArtifacts(manifest, source, { jobKey: released }),
      allRuntimes(),
    );
    const plain = await executeJob(example, await fetchArtifacts(example, examples), allRuntimes());
    expect(outcome.status).to.equal("completed");
    expect(outcome.result).to.equal(plain.result);

    const without = await fetchArtifacts(manifest, source).catch((error: unknown) => error);
    expect((without as WorkloadError).message).to.equal(
      `artifact ${artifactCid(sealed)} is encrypted and the job key was not given`,
    );
    const guessed = await fetchArtifacts(manifest, source, { jobKey: generateJobKey() }).catch(
      (error: unknown) => error,
    );
    expect((guessed as WorkloadError).code).to.equal("decryption-failed");
  });
});

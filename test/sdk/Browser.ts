import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { type Hex, bytesToHex, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type KeyBinding,
  type WrappedKey,
  artifactCid,
  artifactsOf,
  generateJobKey,
  manifestCommitments,
  openArtifact,
  parseJobManifest,
  sealArtifact,
  sha256,
  unwrapKey,
  wrapKey,
} from "@starminer/sdk";

import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { filesByCid } from "../../scripts/lib/workloads/artifact-store.js";
import { launchChromium } from "../support/browser.js";
import { ROOT } from "../support/processes.js";

const EXAMPLES = join(ROOT, "examples", "workloads");
const CLAIMER_KEY = devAccount(3).privateKey;
const claimer = privateKeyToAccount(CLAIMER_KEY);
const BINDING: KeyBinding = { chainId: 31337, jobId: 7n, slot: 0, recipient: claimer.address };

/**
 * Code run in the page, as text: the test's own functions are compiled with helpers the page does not have. `sdk` is
 * the bundle's global, `args` the JSON of `args`; bytes cross as 0x-hex (`fromHex`, `toHex` in the page).
 */
const PAGE_HELPERS = `
  globalThis.fromHex = (hex) => Uint8Array.from(hex.slice(2).match(/../g) ?? [], (byte) => parseInt(byte, 16));
  globalThis.toHex = (bytes) => "0x" + Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
`;

/**
 * The SDK bundled for the browser (esbuild, `platform: "browser"`: any Node built-in it imported would fail the build)
 * and run in headless Chromium, where Node's crypto is absent and the portable AES-GCM and SHA-256 run instead. What
 * a requester seals, wraps and addresses in a browser must open and match in Node, and the other way round.
 */
describe("the SDK in a browser: manifest jobs sealed, wrapped and addressed as in Node", function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;

  before(async function () {
    const bundle = await build({
      entryPoints: [join(ROOT, "sdk", "src", "index.ts")],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "StarMinerSdk",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    await page.addScriptTag({ content: PAGE_HELPERS });
  });

  /** Runs `body` in the page with `sdk` and `args` in scope; returns what it returns. */
  const inPage = <T>(body: string, args: unknown = null) =>
    page.evaluate<T>(`(async (sdk, args) => { ${body} })(globalThis.StarMinerSdk, ${JSON.stringify(args)})`);

  after(async function () {
    await browser?.close();
  });

  it("runs without Node: the portable primitives, giving Node's digests and CIDs", async function () {
    const bytes = await readFile(join(EXAMPLES, "market.txt"));
    const inBrowser = await inPage<{ hasProcess: boolean; digest: Hex; cid: string }>(
      `const data = fromHex(args);
       return { hasProcess: typeof process !== "undefined", digest: toHex(sdk.sha256(data)), cid: sdk.artifactCid(data) };`,
      bytesToHex(bytes),
    );
    expect(inBrowser.hasProcess, "no Node in the page").to.equal(false);
    expect(inBrowser.digest).to.equal(bytesToHex(sha256(bytes)));
    expect(inBrowser.cid).to.equal(artifactCid(bytes));
  });

  it("encodes a file output's bytes as Node's base64, and reads them back", async function () {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 131) % 256);
    const inBrowser = await inPage<{ base64: string; back: Hex }>(
      `const base64 = sdk.bytesToBase64(fromHex(args));
       return { base64, back: toHex(sdk.base64ToBytes(base64)) };`,
      bytesToHex(bytes),
    );
    expect(inBrowser.base64).to.equal(Buffer.from(bytes).toString("base64"));
    expect(inBrowser.back).to.equal(bytesToHex(bytes));
  });

  it("an artifact sealed in the browser opens in Node, and one sealed in Node opens in the browser", async function () {
    const key = generateJobKey();
    const plaintext = new TextEncoder().encode("100 110 0.05 0.2 1\n".repeat(500));
    const fromNode = sealArtifact(plaintext, key);
    const inBrowser = await inPage<{ sealed: Hex; opened: Hex; wrongKey: string }>(
      `const [key, plain, sealed] = args.map(fromHex);
       let wrongKey = "";
       try {
         sdk.openArtifact(sealed, sdk.generateJobKey());
       } catch (error) {
         wrongKey = error.code + ": " + error.message;
       }
       return { sealed: toHex(sdk.sealArtifact(plain, key)), opened: toHex(sdk.openArtifact(sealed, key)), wrongKey };`,
      [bytesToHex(key), bytesToHex(plaintext), bytesToHex(fromNode)],
    );
    expect(inBrowser.opened).to.equal(bytesToHex(plaintext));
    expect(bytesToHex(openArtifact(hexToBytes(inBrowser.sealed), key))).to.equal(bytesToHex(plaintext));
    expect(inBrowser.wrongKey).to.equal(
      "decryption-failed: the artifact does not open under the job key: another key, or altered bytes",
    );
  });

  it("a key wrapped in the browser is the wrap Node computes, and the claimer opens it", async function () {
    const key = generateJobKey();
    const wrapped = await inPage<WrappedKey>(
      `const [key, publicKey, use] = args;
       return sdk.wrapKey(fromHex(key), publicKey, { ...use, jobId: BigInt(use.jobId) });`,
      [bytesToHex(key), claimer.publicKey, { ...BINDING, jobId: BINDING.jobId.toString() }],
    );
    expect(wrapped).to.deep.equal(wrapKey(key, claimer.publicKey, BINDING));
    expect(bytesToHex(unwrapKey(wrapped, CLAIMER_KEY, BINDING))).to.equal(bytesToHex(key));
  });

  it("a requester in the browser prepares a manifest job: the same commitments in the clear, sealed data Node opens", async function () {
    const manifestJson = JSON.parse(await readFile(join(EXAMPLES, "monte-carlo.job.json"), "utf8")) as unknown;
    const manifest = parseJobManifest(manifestJson);
    const files = await filesByCid(EXAMPLES);
    const plaintext = new Map<string, Hex>();
    for (const ref of artifactsOf(manifest)) plaintext.set(ref.cid, bytesToHex((await files.get(ref))!));
    const prepared = await inPage<{
      clear: { modelCommitment: Hex; inputCommitment: Hex };
      sealedManifest: unknown;
      sealedArtifacts: Hex[];
      jobKey: Hex;
    }>(
      `const [json, entries] = args;
       const held = new Map(entries);
       const source = { get: async (ref) => (held.has(ref.cid) ? fromHex(held.get(ref.cid)) : undefined) };
       const manifest = sdk.parseJobManifest(json);
       const clear = await sdk.prepareManifestJob(manifest, source, "none");
       const sealed = await sdk.prepareManifestJob(manifest, source, "inputs");
       return {
         clear: { modelCommitment: clear.modelCommitment, inputCommitment: clear.inputCommitment },
         sealedManifest: sealed.manifest,
         sealedArtifacts: sealed.artifacts.map(toHex),
         jobKey: toHex(sealed.jobKey),
       };`,
      [manifestJson, [...plaintext.entries()]],
    );
    expect(prepared.clear).to.deep.equal(manifestCommitments(manifest));
    const sealedManifest = parseJobManifest(prepared.sealedManifest);
    const published = new Map(prepared.sealedArtifacts.map((hex) => [artifactCid(hexToBytes(hex)), hexToBytes(hex)]));
    const jobKey = hexToBytes(prepared.jobKey);
    expect(
      artifactsOf(sealedManifest).map((ref) => ref.encrypted ?? false),
      "the program's files sealed, the program not",
    ).to.deep.equal(artifactsOf(manifest).map((_, i) => i > 0));
    for (const [i, ref] of artifactsOf(sealedManifest).entries()) {
      const bytes = published.get(ref.cid)!;
      const original = plaintext.get(artifactsOf(manifest)[i]!.cid)!;
      expect(bytesToHex(ref.encrypted ? openArtifact(bytes, jobKey) : bytes)).to.equal(original);
    }
  });
});

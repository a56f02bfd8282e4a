import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha512 } from "multiformats/hashes/sha2";
import { keccak256, toHex } from "viem";
import {
  type JobManifest,
  type OnnxManifest,
  WorkloadError,
  artifactCid,
  canonicalManifestBytes,
  cidDigest,
  jobManifestCid,
  manifestCid,
  manifestCommitments,
  parseCid,
  parseJobManifest,
  verifyContent,
} from "@starminer/sdk";

import { EXAMPLES_DIRECTORY } from "../../scripts/lib/workloads/examples.js";

const HELLO = new TextEncoder().encode("hello\n");
const HELLO_CID = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am";

function refusal(value: unknown): WorkloadError {
  try {
    parseJobManifest(value);
  } catch (error) {
    expect(error).to.be.instanceOf(WorkloadError);
    expect((error as WorkloadError).code).to.equal("manifest-invalid");
    expect((error as WorkloadError).fault).to.equal("requester");
    return error as WorkloadError;
  }
  expect.fail("the manifest was accepted");
}

describe("Job manifests: what a job runs, by content address", () => {
  let wasm: JobManifest;
  let onnx: JobManifest;

  before(async () => {
    wasm = parseJobManifest(JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.job.json"), "utf8")));
    onnx = parseJobManifest(JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, "digits-mlp.job.json"), "utf8")));
  });

  describe("content addresses", () => {
    it("are IPFS CIDv1 over sha2-256: the raw CID of a file is the one IPFS gives it", () => {
      expect(artifactCid(HELLO)).to.equal(HELLO_CID);
      expect(cidDigest(HELLO_CID)).to.equal("0x5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
      expect(manifestCid(HELLO)).to.match(/^bagaaiera/);
    });

    it("check bytes against their address and refuse a mismatch", () => {
      verifyContent(HELLO_CID, HELLO);
      const tampered = Uint8Array.from(HELLO);
      tampered[0] = 0x48;
      expect(() => verifyContent(HELLO_CID, tampered)).to.throw(
        WorkloadError,
        `the bytes given for ${HELLO_CID} do not hash to it`,
      );
    });

    it("refuse CIDv0, other hashes and other codecs", async () => {
      expect(() => parseCid("QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU")).to.throw("only CIDv1 is accepted");
      const sha512Cid = CID.createV1(raw.code, await sha512.digest(HELLO)).toString();
      expect(() => parseCid(sha512Cid)).to.throw("only sha2-256");
      // dag-pb (a UnixFS file), not a raw block
      expect(() => parseCid("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")).to.throw(
        "only raw and json CIDs",
      );
      expect(() => parseCid("not-a-cid")).to.throw('"not-a-cid" is not a CID');
    });
  });

  describe("validation", () => {
    it("accepts the examples of each runtime", () => {
      expect(wasm.runtime).to.equal("wasm");
      expect(onnx.runtime).to.equal("onnx");
    });

    it("names the first wrong field, in words a requester can act on", () => {
      expect(refusal({ ...wasm, runtime: "cuda" }).message).to.equal(
        'manifest.runtime: must be one of "onnx", "wasm", "dense-layer"',
      );
      expect(refusal({ ...wasm, version: "starminer.job/2" }).message).to.equal(
        'manifest.version: must be "starminer.job/1"',
      );
      expect(refusal({ ...wasm, args: [1] }).message).to.equal("manifest.args[0]: must be string");
      expect(refusal({ ...wasm, gpu: "a100" }).message).to.equal('manifest: unknown field "gpu"');
      expect(refusal({ ...wasm, limits: { ...wasm.limits, timeMs: 0 } }).message).to.equal(
        "manifest.limits.timeMs: must be >= 1",
      );
      expect(refusal({ ...wasm, limits: { timeMs: 1 } }).message).to.equal(
        "manifest.limits: must have required property 'memoryBytes'",
      );
      expect(refusal(null).message).to.equal("manifest: must be object");
    });

    it("keeps a program's files and outputs inside its sandbox's directories", () => {
      expect(refusal({ ...wasm, outputs: [{ path: "/etc/passwd" }] }).message).to.match(
        /^manifest\.outputs\[0\]\.path: must match pattern/,
      );
      expect(refusal({ ...wasm, outputs: [{ path: "out/../../etc" }] }).message).to.match(
        /^manifest\.outputs\[0\]\.path/,
      );
      expect(
        refusal({ ...wasm, files: [{ path: "in/a/b", data: (wasm as { module: unknown }).module }] }).message,
      ).to.match(/^manifest\.files\[0\]\.path/);
    });

    it("refuses duplicate names, which would make the result ambiguous", () => {
      expect(refusal({ ...wasm, outputs: [{ path: "stdout" }, { path: "stdout" }] }).message).to.equal(
        'manifest.outputs: "stdout" appears twice',
      );
      const { inputs } = onnx as OnnxManifest;
      expect(refusal({ ...onnx, inputs: [...inputs, ...inputs] }).message).to.equal(
        'manifest.inputs: "pixels" appears twice',
      );
    });

    it("checks each output's canonical form and each input's tensor type", () => {
      const { outputs, inputs } = onnx as OnnxManifest;
      expect(refusal({ ...onnx, outputs: [{ name: "scores", canonical: { kind: "fixed" } }] }).message).to.equal(
        "manifest.outputs[0].canonical: must have required property 'decimals'",
      );
      expect(
        refusal({ ...onnx, outputs: [{ name: "scores", canonical: { kind: "fixed", decimals: 12 } }] }).message,
      ).to.equal("manifest.outputs[0].canonical.decimals: must be <= 9");
      expect(refusal({ ...onnx, inputs: [{ ...inputs[0], type: "float16" }] }).message).to.match(
        /^manifest\.inputs\[0\]\.type: must be one of "float32"/,
      );
      expect(outputs).to.have.length(2);
    });

    it("refuses an artifact whose CID is malformed or not one the protocol reads", () => {
      expect(refusal({ ...wasm, module: { cid: "bafyfoo", bytes: 1 } }).message).to.match(
        /^manifest\.module\.cid: must match pattern/,
      );
      const dagPb = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
      expect(refusal({ ...wasm, module: { cid: dagPb, bytes: 1 } }).message).to.equal(
        `${dagPb}: only raw and json CIDs are accepted`,
      );
    });
  });

  describe("commitments", () => {
    it("a manifest has one CID whatever the order of its fields", () => {
      const reversed = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.map(reversed)
          : typeof value === "object" && value !== null
            ? Object.fromEntries(
                Object.entries(value)
                  .reverse()
                  .map(([key, field]) => [key, reversed(field)]),
              )
            : value;
      const shuffled = reversed(wasm);
      expect(JSON.stringify(shuffled)).not.to.equal(JSON.stringify(wasm));
      expect(jobManifestCid(parseJobManifest(shuffled))).to.equal(jobManifestCid(wasm));
      expect(new TextDecoder().decode(canonicalManifestBytes(wasm))).to.match(
        /^\{"args":\["200000","2026"\],"description":/,
      );
    });

    it("the job spec commits to the manifest's digest, tagged as a manifest job", () => {
      const { modelCommitment, inputCommitment } = manifestCommitments(wasm);
      expect(modelCommitment).to.equal(cidDigest(jobManifestCid(wasm)));
      expect(inputCommitment).to.equal(keccak256(toHex("starminer.job/1")));
      const changed = parseJobManifest({ ...wasm, args: ["200001", "2026"] });
      expect(manifestCommitments(changed).modelCommitment).not.to.equal(modelCommitment);
    });
  });
});

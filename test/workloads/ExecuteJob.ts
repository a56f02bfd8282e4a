import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import {
  type JobManifest,
  type WasmManifest,
  WorkloadError,
  artifactCid,
  cidDigest,
  fetchArtifacts,
  parseJobManifest,
  resultOf,
  resultOfOutput,
  runDenseLayer,
  sampleDenseLayerJob,
} from "@starminer/sdk";

import { ArtifactDirectory } from "../../scripts/lib/workloads/artifact-store.js";
import { EXAMPLES_DIRECTORY, buildExamples } from "../../scripts/lib/workloads/examples.js";
import { allRuntimes, executeJob } from "../../scripts/lib/workloads/execute.js";
import { CLI, json, ok } from "../support/cli.js";
import { runNode } from "../support/processes.js";

async function expectWorkloadError(promise: Promise<unknown>, code: string, message: string) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(WorkloadError);
    expect((error as WorkloadError).code).to.equal(code);
    expect((error as WorkloadError).message).to.equal(message);
    return error as WorkloadError;
  }
  expect.fail("no error");
}

describe("Running a job: artifacts fetched and checked, a runtime chosen, outputs bounded", function () {
  this.timeout(60_000);
  let directory: string;
  let store: ArtifactDirectory;
  let manifest: WasmManifest;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-artifacts-"));
    store = new ArtifactDirectory(directory);
    const example = JSON.parse(
      await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.job.json"), "utf8"),
    ) as WasmManifest;
    manifest = parseJobManifest({
      ...example,
      module: await store.put(await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.wasm"))),
      files: [{ path: "in/market.txt", data: await store.put(await readFile(join(EXAMPLES_DIRECTORY, "market.txt"))) }],
    }) as WasmManifest;
  });

  afterEach(() => rm(directory, { recursive: true, force: true }));

  describe("fetchArtifacts", () => {
    it("reads each artifact from the store by its CID", async () => {
      const artifacts = await fetchArtifacts(manifest, store);
      expect([...artifacts.keys()]).to.deep.equal([manifest.module.cid, manifest.files[0]!.data.cid]);
    });

    it("an artifact the store does not have: the source's fault, not the job's", async () => {
      await rm(join(directory, manifest.module.cid));
      const error = await expectWorkloadError(
        fetchArtifacts(manifest, store),
        "artifact-missing",
        `artifact ${manifest.module.cid} was not found`,
      );
      expect(error.fault).to.equal("content");
    });

    it("bytes that do not hash to their CID are refused", async () => {
      await writeFile(join(directory, manifest.files[0]!.data.cid), "100 110 0.05 0.9 1\n");
      const cid = manifest.files[0]!.data.cid;
      const error = await expectWorkloadError(
        fetchArtifacts(manifest, store),
        "content-mismatch",
        `the bytes given for ${cid} do not hash to it: refused`,
      );
      expect(error.fault).to.equal("content");
    });

    it("a manifest that declares the wrong size: the requester's fault", async () => {
      const wrong = parseJobManifest({ ...manifest, module: { ...manifest.module, bytes: 10 } });
      const error = await expectWorkloadError(
        fetchArtifacts(wrong, store),
        "artifact-size",
        `artifact ${manifest.module.cid} holds ${manifest.module.bytes} bytes; the manifest declares 10`,
      );
      expect(error.fault).to.equal("requester");
    });

    it("an artifact over the provider's size limit is refused before it is read", async () => {
      await expectWorkloadError(
        fetchArtifacts(manifest, store, { maxArtifactBytes: 1_000 }),
        "artifact-size",
        `artifact ${manifest.module.cid} declares ${manifest.module.bytes} bytes; this provider takes at most 1000`,
      );
    });
  });

  describe("executeJob", () => {
    it("the result is the sha2-256 of the canonical output, so the output is the raw artifact the result addresses", async () => {
      const outcome = await executeJob(manifest, await fetchArtifacts(manifest, store), allRuntimes());
      if (outcome.status !== "completed") expect.fail(outcome.error.message);
      expect(outcome.result).to.equal(resultOfOutput(outcome.output));
      const published = await store.put(outcome.output);
      expect(published.cid).to.equal(artifactCid(outcome.output));
      expect(cidDigest(published.cid)).to.equal(outcome.result);
    });

    it("outputs over the job's output limit fail the job, with its own result", async () => {
      const small = parseJobManifest({ ...manifest, limits: { ...manifest.limits, outputBytes: 300 } });
      const outcome = await executeJob(small, await fetchArtifacts(small, store), allRuntimes());
      if (outcome.status !== "failed") expect.fail("the run completed");
      expect(outcome.error.code).to.equal("output-limit");
    });

    it("a runtime the provider does not serve is its own failure, thrown: it decides nothing about the job", async () => {
      const artifacts = await fetchArtifacts(manifest, store);
      const error = await expectWorkloadError(
        executeJob(manifest, artifacts, new Map()),
        "runtime-unavailable",
        "this provider does not serve the wasm runtime",
      );
      expect(error.fault).to.equal("provider");
    });

    it("a dense-layer manifest reports the Poseidon result the ZK circuit opens", async () => {
      const workload = sampleDenseLayerJob(5);
      const dense: JobManifest = parseJobManifest({
        version: "starminer.job/1",
        runtime: "dense-layer",
        workload: await store.put(new TextEncoder().encode(JSON.stringify(workload))),
        limits: manifest.limits,
      });
      const outcome = await executeJob(dense, await fetchArtifacts(dense, store), allRuntimes());
      if (outcome.status !== "completed") expect.fail(outcome.error.message);
      expect(outcome.result).to.equal(runDenseLayer(workload).result);
      expect(outcome.result).to.equal(resultOf(runDenseLayer(workload).output));
    });
  });

  describe("the example workloads", () => {
    it("are exactly what their sources make (npm run workloads:examples)", async () => {
      for (const [name, bytes] of await buildExamples()) {
        expect(artifactCid(await readFile(join(EXAMPLES_DIRECTORY, name))), name).to.equal(artifactCid(bytes));
      }
    });

    it("starminer workload run runs each, and a bad manifest is one line and exit code 1", async () => {
      for (const name of ["digits-mlp", "digits-cnn", "monte-carlo"]) {
        const report = json<{ status: string; device: string; result: string }>(
          await runNode([CLI, "--json", "workload", "run", "--manifest", join(EXAMPLES_DIRECTORY, `${name}.job.json`)]),
        );
        expect(report.status, name).to.equal("completed");
        expect(report.device, name).to.equal("cpu");
        expect(report.result, name).to.match(/^0x[0-9a-f]{64}$/);
      }
      const bad = join(directory, "bad.job.json");
      await writeFile(bad, JSON.stringify({ ...manifest, runtime: "cuda" }));
      const run = await runNode([CLI, "workload", "run", "--manifest", bad]);
      expect(run.code).to.equal(1);
      expect(run.stderr.trim()).to.equal('starminer: manifest.runtime: must be one of "onnx", "wasm", "dense-layer"');
      ok(await runNode([CLI, "workload", "check", "--manifest", join(EXAMPLES_DIRECTORY, "digits-cnn.job.json")]));
    });
  });
});

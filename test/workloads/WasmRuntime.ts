import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import {
  type WasmManifest,
  WorkloadError,
  artifactCid,
  decodeOutputs,
  failureResult,
  fetchArtifacts,
  parseJobManifest,
} from "@starminer/sdk";

import { EXAMPLES_DIRECTORY } from "../../scripts/lib/workloads/examples.js";
import { executeJob } from "../../scripts/lib/workloads/execute.js";
import { filesByCid } from "../../scripts/lib/workloads/artifact-store.js";
import { WasmRuntime } from "../../scripts/lib/workloads/runtimes/wasm.js";
import { boundWasmMemory } from "../../scripts/lib/workloads/wasm-memory.js";
import { assembleWat, wasiCommand } from "../support/wat.js";

const runtimes = new Map([["wasm" as const, new WasmRuntime()]]);
const LIMITS = { timeMs: 5_000, memoryBytes: 4 * 1024 * 1024, outputBytes: 4096 };

/** A manifest running `module` with no files, its stdout as output, and the artifacts to run it with. */
function job(module: Uint8Array, limits = LIMITS) {
  const manifest: WasmManifest = {
    version: "starminer.job/1",
    runtime: "wasm",
    module: { cid: artifactCid(module), bytes: module.length },
    args: [],
    files: [],
    outputs: [{ path: "stdout" }],
    limits,
  };
  return { manifest, artifacts: new Map([[manifest.module.cid, module]]) };
}

async function failure(module: Uint8Array, limits = LIMITS) {
  const { manifest, artifacts } = job(module, limits);
  const outcome = await executeJob(manifest, artifacts, runtimes);
  if (outcome.status !== "failed") expect.fail("the run completed");
  expect(outcome.result).to.equal(failureResult(outcome.error.code));
  expect(outcome.error.fault).to.equal("requester");
  return outcome.error;
}

/** Writes "hi\n" `times` times to stdout, then returns. */
const PRINT_LOOP = (times: number) =>
  wasiCommand(`(local $i i32)
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (i32.store8 (i32.const 16) (i32.const 104)) (i32.store8 (i32.const 17) (i32.const 105)) (i32.store8 (i32.const 18) (i32.const 10))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const ${times})))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))`);

describe("The wasm runtime: WASI programs, bounded and deterministic", function () {
  this.timeout(60_000);

  describe("the example Monte Carlo pricer", () => {
    let manifest: WasmManifest;

    before(async () => {
      manifest = parseJobManifest(
        JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.job.json"), "utf8")),
      ) as WasmManifest;
    });

    it("prices the option close to Black-Scholes, and writes its histogram file", async () => {
      const artifacts = await fetchArtifacts(manifest, await filesByCid(EXAMPLES_DIRECTORY));
      const outcome = await executeJob(manifest, artifacts, runtimes);
      if (outcome.status !== "completed") expect.fail(`the run failed: ${outcome.error.message}`);
      expect(outcome.device.device).to.equal("cpu");
      const [stdout, histogram] = decodeOutputs(outcome.output).map((output) =>
        output.kind === "file" ? Buffer.from(output.base64, "base64").toString("utf8") : "",
      );
      const price = Number(/^price (\S+)$/m.exec(stdout!)![1]);
      const standardError = Number(/^stderr (\S+)$/m.exec(stdout!)![1]);
      // Black-Scholes: S=100, K=110, r=5%, σ=20%, T=1 → 6.0401
      expect(Math.abs(price - 6.0401)).to.be.lessThan(4 * standardError);
      const rows = histogram!.trim().split("\n");
      expect(rows[0]).to.equal("upper,paths");
      expect(rows.slice(1).reduce((sum, row) => sum + Number(row.split(",")[1]), 0)).to.equal(200_000);
    });

    it("gives the same result bytes on every run (what k-of-n consensus compares)", async () => {
      const artifacts = await fetchArtifacts(manifest, await filesByCid(EXAMPLES_DIRECTORY));
      const [first, second] = [
        await executeJob(manifest, artifacts, runtimes),
        await executeJob(manifest, artifacts, runtimes),
      ];
      expect(first.status).to.equal("completed");
      expect(second.result).to.equal(first.result);
    });

    it("a different seed is a different job with a different result", async () => {
      const reseeded = parseJobManifest({ ...manifest, args: ["200000", "7"] });
      const artifacts = await fetchArtifacts(reseeded, await filesByCid(EXAMPLES_DIRECTORY));
      const [a, b] = [await executeJob(manifest, artifacts, runtimes), await executeJob(reseeded, artifacts, runtimes)];
      expect(a.result).not.to.equal(b.result);
    });

    it("a program's own usage error is its exit code and last stderr line", async () => {
      const broken = parseJobManifest({ ...manifest, args: ["-5", "7"] });
      const outcome = await executeJob(
        broken,
        await fetchArtifacts(broken, await filesByCid(EXAMPLES_DIRECTORY)),
        runtimes,
      );
      if (outcome.status !== "failed") expect.fail("the run completed");
      expect(outcome.error.code).to.equal("wasm-exit");
      expect(outcome.error.message).to.equal("the program exited with code 1: paths must be a positive integer");
    });
  });

  describe("limits and failures: each a specific outcome, the job's fault, the same for every provider", () => {
    it("a trap", async () => {
      const error = await failure(await assembleWat(wasiCommand("unreachable")));
      expect(error.code).to.equal("wasm-trap");
      expect(error.message).to.equal("the module trapped: unreachable");
    });

    it("a program that runs past its time limit is stopped", async () => {
      const started = performance.now();
      const error = await failure(await assembleWat(wasiCommand("(loop $forever (br $forever))")), {
        ...LIMITS,
        timeMs: 300,
      });
      expect(error.code).to.equal("time-limit");
      expect(error.message).to.equal("the job ran past its limit of 300 ms");
      expect(performance.now() - started).to.be.lessThan(5_000);
    });

    it("memory grows to the job's limit and no further, whatever the module declares", async () => {
      // Grows one page at a time and traps when growth fails; declares no maximum of its own.
      const grower = await assembleWat(
        wasiCommand(`(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable`),
      );
      const error = await failure(grower, { ...LIMITS, memoryBytes: 2 * 1024 * 1024 });
      expect(error.code).to.equal("memory-limit");
      expect(error.message).to.match(/^the module trapped with its memory at the job's limit/);
    });

    it("a module that starts with more memory than the limit is refused before it runs", async () => {
      const error = await failure(await assembleWat(wasiCommand("nop", { minPages: 128 })), {
        ...LIMITS,
        memoryBytes: 2 * 1024 * 1024,
      });
      expect(error.code).to.equal("memory-limit");
      expect(error.message).to.equal(
        "the module starts with 128 memory pages (64 KiB each); the job's limit allows 32",
      );
    });

    it("output past the limit", async () => {
      const error = await failure(await assembleWat(PRINT_LOOP(2_000)), { ...LIMITS, outputBytes: 1_000 });
      expect(error.code).to.equal("output-limit");
      expect(error.message).to.equal("the program's output stdout (6000 bytes) exceeds the job's output limit");
    });

    it("a non-zero exit", async () => {
      const error = await failure(await assembleWat(wasiCommand("(call $proc_exit (i32.const 3))")));
      expect(error.code).to.equal("wasm-exit");
      expect(error.message).to.equal("the program exited with code 3");
    });

    it("bytes that are not WebAssembly, a module that imports what WASI does not offer, a module with no _start", async () => {
      expect((await failure(new TextEncoder().encode("#!/bin/sh\nrm -rf /"))).message).to.equal(
        "the module is not WebAssembly (no \\0asm header)",
      );
      const foreign = await assembleWat(`(module (import "env" "gpu" (func)) (memory 1) (func (export "_start")))`);
      const linked = await failure(foreign);
      expect(linked.code).to.equal("model-load");
      expect(linked.message).to.match(/^the module does not link: /);
      const library = await assembleWat(`(module (memory 1) (func (export "run")))`);
      expect((await failure(library)).message).to.equal(
        "the module is not a WASI command: it exports no _start function",
      );
    });

    it("a module that imports its memory is refused: its size would be the host's choice", async () => {
      const importer = await assembleWat(`(module (import "env" "memory" (memory 1)) (func (export "_start")))`);
      const error = await failure(importer);
      expect(error.code).to.equal("model-load");
      expect(error.message).to.equal("the module imports its memory: a job's module must define its own");
    });

    it("a well-behaved program completes with exactly its output", async () => {
      const { manifest, artifacts } = job(await assembleWat(PRINT_LOOP(3)));
      const outcome = await executeJob(manifest, artifacts, runtimes);
      if (outcome.status !== "completed") expect.fail(outcome.error.message);
      const [stdout] = decodeOutputs(outcome.output);
      expect(stdout).to.deep.equal({
        name: "stdout",
        kind: "file",
        base64: Buffer.from("hi\nhi\nhi\n").toString("base64"),
      });
    });
  });

  describe("boundWasmMemory", () => {
    it("caps a maximum the module declares above the limit", async () => {
      const grower = await assembleWat(
        wasiCommand(`(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable`, {
          maxPages: 1000,
        }),
      );
      const error = await failure(grower, { ...LIMITS, memoryBytes: 1024 * 1024 });
      expect(error.code).to.equal("memory-limit");
    });

    it("keeps a maximum below the limit, and leaves a module without memory as it is", async () => {
      const small = await assembleWat(wasiCommand("nop", { maxPages: 2 }));
      const bounded = boundWasmMemory(small, 10);
      expect(bounded.length).to.equal(small.length);
      expect(Buffer.from(bounded).equals(Buffer.from(small))).to.equal(true);
      const memoryless = await assembleWat(`(module (func (export "_start")))`);
      expect(boundWasmMemory(memoryless, 10)).to.equal(memoryless);
    });

    it("refuses a truncated module", async () => {
      const module = await assembleWat(wasiCommand("nop"));
      expect(() => boundWasmMemory(module.subarray(0, module.length - 3), 10)).to.throw(
        WorkloadError,
        "the module is truncated",
      );
    });
  });
});

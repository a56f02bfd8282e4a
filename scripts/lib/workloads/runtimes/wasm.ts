import { constants } from "node:fs";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  type Artifacts,
  type CanonicalOutput,
  type WasmManifest,
  WorkloadError,
  canonicaliseFile,
} from "@starminer/sdk";

import { type RuntimeDevice, type WorkloadRuntime, artifactBytes } from "../runtime.js";
import { runSandboxed } from "../sandbox.js";
import { boundWasmMemory } from "../wasm-memory.js";

const WASM_PAGE_BYTES = 65536;

/**
 * Runs a WASI (preview 1) command module in Node's WASI, in a worker of its own (`runSandboxed`):
 * - no network (WASI preview 1 has no sockets) and no environment variables; the arguments are the manifest's;
 * - the input files in a fresh scratch directory preopened as `/in` (file descriptor 3), an empty `/out` (4);
 *   stdin is empty; stdout and stderr go to files in the scratch directory;
 * - memory bounded inside the module (`boundWasmMemory`), time by the worker's limit, output by `outputBytes`;
 * - outputs read without following links, so a program cannot make a host file its output; the scratch directory
 *   is deleted after the run, whatever happened.
 *
 * Node's WASI does not claim to be a security boundary against a hostile module: a provider runs `provider run`
 * as an unprivileged user (see docs/operations.md).
 */
export class WasmRuntime implements WorkloadRuntime<WasmManifest> {
  readonly name = "wasm";

  async device(): Promise<RuntimeDevice> {
    return { device: "cpu", reason: "WebAssembly runs on the CPU" };
  }

  async run(manifest: WasmManifest, artifacts: Artifacts): Promise<CanonicalOutput[]> {
    const maxPages = Math.floor(manifest.limits.memoryBytes / WASM_PAGE_BYTES);
    const module = boundWasmMemory(artifactBytes(artifacts, manifest.module.cid), maxPages);
    const scratch = await mkdtemp(join(tmpdir(), "starminer-wasm-"));
    try {
      const inDir = join(scratch, "in");
      const outDir = join(scratch, "out");
      await mkdir(inDir);
      await mkdir(outDir);
      for (const file of manifest.files) {
        await writeFile(join(inDir, basename(file.path)), artifactBytes(artifacts, file.data.cid));
      }
      const stdoutPath = join(scratch, "stdout");
      const stderrPath = join(scratch, "stderr");
      const { exitCode } = await runSandboxed<{ exitCode: number }>(
        WASM_WORKER,
        { module, maxPages, args: manifest.args, inDir, outDir, stdoutPath, stderrPath },
        manifest.limits,
      );
      if (exitCode !== 0) {
        const stderr = (await readBounded(stderrPath, 4096)).toString("utf8").trim().split("\n").at(-1) ?? "";
        throw new WorkloadError("wasm-exit", `the program exited with code ${exitCode}${stderr ? `: ${stderr}` : ""}`);
      }
      const outputs: CanonicalOutput[] = [];
      let budget = manifest.limits.outputBytes;
      for (const { path } of manifest.outputs) {
        const bytes = await readOutput(path === "stdout" ? stdoutPath : join(outDir, basename(path)), path, budget);
        budget -= bytes.length;
        outputs.push(canonicaliseFile(path, bytes));
      }
      return outputs;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

/** Reads an output file, not through a link, refusing one past the remaining output budget. */
async function readOutput(file: string, path: string, budget: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ELOOP" ? "is a link, not a file" : "was not written";
    throw new WorkloadError("output-invalid", `the program's output ${path} ${why}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new WorkloadError("output-invalid", `the program's output ${path} is not a file`);
    if (stat.size > budget) {
      throw new WorkloadError(
        "output-limit",
        `the program's output ${path} (${stat.size} bytes) exceeds the job's output limit`,
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function readBounded(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, Math.max(0, (await handle.stat()).size - bytes));
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** In the worker: compiles, instantiates and starts the module, and says how it ended (see `runSandboxed`). */
const WASM_WORKER = `
const { WASI } = require("node:wasi");
const { openSync, closeSync } = require("node:fs");
async function run(d) {
  let module;
  try {
    module = await WebAssembly.compile(d.module);
  } catch (e) {
    return failure("model-load", "the module does not compile: " + e.message);
  }
  if (!WebAssembly.Module.exports(module).some((e) => e.name === "_start" && e.kind === "function")) {
    return failure("model-load", "the module is not a WASI command: it exports no _start function");
  }
  const fds = [openSync("/dev/null", "r"), openSync(d.stdoutPath, "w"), openSync(d.stderrPath, "w")];
  try {
    const wasi = new WASI({
      version: "preview1",
      args: ["job", ...d.args],
      env: {},
      preopens: { "/in": d.inDir, "/out": d.outDir },
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
      returnOnExit: true,
    });
    let instance;
    try {
      instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    } catch (e) {
      return failure("model-load", "the module does not link: " + e.message);
    }
    try {
      return { value: { exitCode: wasi.start(instance) } };
    } catch (e) {
      const memory = instance.exports.memory;
      if (memory instanceof WebAssembly.Memory && memory.buffer.byteLength >= d.maxPages * 65536) {
        return failure("memory-limit", "the module trapped with its memory at the job's limit (" + e.message + ")");
      }
      return failure("wasm-trap", "the module trapped: " + e.message);
    }
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
`;

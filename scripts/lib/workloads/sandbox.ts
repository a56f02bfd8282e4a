import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { WorkloadError, type WorkloadErrorCode } from "@starminer/sdk";

/**
 * Runs one job's code away from the caller, under the job's limits:
 * - **time**: the run is stopped when `timeMs` has passed (`time-limit`);
 * - **memory**: its resident size is sampled while it runs; growing by more than `memoryBytes` (plus the start-up
 *   footprint of Node and the runtime) stops it (`memory-limit`). This bounds what no runtime bounds by itself (ONNX
 *   Runtime's native allocations); a WebAssembly module's memory is also bounded exactly, inside the module
 *   (`boundWasmMemory`).
 *
 * Two isolations:
 * - `thread`: a worker thread (about 35 ms to start). For code that is JavaScript and WebAssembly only, which a
 *   terminated worker stops cleanly. The memory sampled is the whole process's.
 * - `process`: a Node child process (its own address space, killed on a limit). For native code: terminating a worker
 *   while ONNX Runtime is inside a native call aborts the whole process when the call returns, so ONNX jobs run here.
 *   The memory sampled is the child's (Linux's /proc; elsewhere only the time limit applies).
 *
 * `source` is plain CommonJS that defines `async function run(input)` returning `{ value }` or
 * `{ error: { code, message } }` (`failure(code, message)` builds the latter); it runs the same from the TypeScript
 * sources and from the built CLI.
 */
export interface SandboxLimits {
  readonly timeMs: number;
  readonly memoryBytes: number;
}

export type Isolation = "thread" | "process";

/** What a run needs beyond the job's own memory: Node's isolate and the runtime it loads. */
const START_UP_BYTES = 96 * 1024 * 1024;
const MEMORY_SAMPLE_MS = 10;
const PAGE_BYTES = 4096;

const PREAMBLE = `const failure = (code, message) => ({ error: { code, message } });\n`;
const THREAD_MAIN = `
const { workerData, parentPort } = require("node:worker_threads");
run(workerData).then(
  (message) => parentPort.postMessage(message),
  (e) => parentPort.postMessage(failure("runtime-unavailable", String((e && e.message) || e))),
);`;
const PROCESS_MAIN = `
process.once("message", (input) =>
  run(input).then(
    (message) => process.send(message, () => process.exit(0)),
    (e) => process.send(failure("runtime-unavailable", String((e && e.message) || e)), () => process.exit(0)),
  ),
);`;

type Answer<T> = { value?: T; error?: { code: WorkloadErrorCode; message: string } };

export function runSandboxed<T>(
  source: string,
  input: unknown,
  limits: SandboxLimits,
  isolation: Isolation = "thread",
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let stopRun: () => void;
    let residentBytes: () => number | undefined;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(sampler);
      outcome();
      stopRun();
    };
    const answered = (message: Answer<T>) => {
      if (message.error) finish(() => reject(new WorkloadError(message.error!.code, message.error!.message)));
      else finish(() => resolve(message.value as T));
    };
    const died = (why: string) => finish(() => reject(new WorkloadError("runtime-unavailable", why)));

    if (isolation === "thread") {
      const baseline = process.memoryUsage.rss();
      const worker = new Worker(PREAMBLE + source + THREAD_MAIN, {
        eval: true,
        workerData: input,
        stdout: true,
        stderr: true,
      });
      stopRun = () => void worker.terminate();
      residentBytes = () => process.memoryUsage.rss() - baseline;
      worker.once("message", answered);
      worker.once("error", (error) => died(`the job's worker failed: ${error.message}`));
      worker.once("exit", (code) => died(`the job's worker exited (${code}) without an answer`));
    } else {
      const child = spawn(process.execPath, ["--input-type=commonjs", "-e", PREAMBLE + source + PROCESS_MAIN], {
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        serialization: "advanced",
      });
      let stderr = "";
      child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      stopRun = () => void child.kill("SIGKILL");
      residentBytes = () => {
        try {
          return Number(readFileSync(`/proc/${child.pid}/statm`, "utf8").split(" ")[1]) * PAGE_BYTES;
        } catch {
          return undefined;
        }
      };
      child.once("message", (message) => answered(message as Answer<T>));
      child.once("error", (error) => died(`the job's process could not start: ${error.message}`));
      child.once("exit", (code, signal) =>
        died(
          `the job's process ended (${signal ?? code}) without an answer${stderr ? `: ${stderr.trim().split("\n").at(-1)}` : ""}`,
        ),
      );
      child.send(input as never);
    }
    const timer = setTimeout(
      () => finish(() => reject(new WorkloadError("time-limit", `the job ran past its limit of ${limits.timeMs} ms`))),
      limits.timeMs,
    );
    const sampler = setInterval(() => {
      const grown = residentBytes();
      if (grown !== undefined && grown > limits.memoryBytes + START_UP_BYTES) {
        finish(() =>
          reject(
            new WorkloadError(
              "memory-limit",
              `the job used more than its limit of ${limits.memoryBytes} bytes of memory`,
            ),
          ),
        );
      }
    }, MEMORY_SAMPLE_MS);
  });
}

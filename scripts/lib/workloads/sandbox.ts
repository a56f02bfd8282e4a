import { Worker } from "node:worker_threads";

import { WorkloadError, type WorkloadErrorCode } from "./errors.js";

/**
 * Runs one job's code in a worker thread of its own, under the job's limits:
 * - **time**: the worker is terminated when `timeMs` has passed (`time-limit`);
 * - **memory**: the process's resident size is sampled while the worker runs; growing by more than `memoryBytes`
 *   (plus the worker's own start-up footprint) terminates it (`memory-limit`). This bounds what no runtime bounds
 *   by itself (ONNX Runtime's native allocations); a WebAssembly module's memory is also bounded exactly, inside
 *   the module (`boundWasmMemory`).
 *
 * The worker's source is plain CommonJS evaluated in the worker, so it runs the same from the TypeScript sources and
 * from the built CLI. It posts `{ value }` or `{ error: { code, message } }` once, then returns.
 */
export interface SandboxLimits {
  readonly timeMs: number;
  readonly memoryBytes: number;
}

/** What a worker needs beyond the job's own memory: its isolate and the runtime it loads. */
const WORKER_OVERHEAD_BYTES = 96 * 1024 * 1024;
const MEMORY_SAMPLE_MS = 10;

export function runSandboxed<T>(source: string, workerData: unknown, limits: SandboxLimits): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const baseline = process.memoryUsage.rss();
    const worker = new Worker(source, { eval: true, workerData, stdout: true, stderr: true });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(sampler);
      outcome();
    };
    const stop = (code: WorkloadErrorCode, message: string) => {
      finish(() => reject(new WorkloadError(code, message)));
      void worker.terminate();
    };
    const timer = setTimeout(
      () => stop("time-limit", `the job ran past its limit of ${limits.timeMs} ms`),
      limits.timeMs,
    );
    const sampler = setInterval(() => {
      const grown = process.memoryUsage.rss() - baseline;
      if (grown > limits.memoryBytes + WORKER_OVERHEAD_BYTES) {
        stop("memory-limit", `the job used more than its limit of ${limits.memoryBytes} bytes of memory`);
      }
    }, MEMORY_SAMPLE_MS);
    worker.once("message", (message: { value?: T; error?: { code: WorkloadErrorCode; message: string } }) => {
      if (message.error) finish(() => reject(new WorkloadError(message.error!.code, message.error!.message)));
      else finish(() => resolve(message.value as T));
      void worker.terminate();
    });
    worker.once("error", (error) =>
      finish(() => reject(new WorkloadError("runtime-unavailable", `the job's worker failed: ${error.message}`))),
    );
    worker.once("exit", (code) =>
      finish(() =>
        reject(new WorkloadError("runtime-unavailable", `the job's worker exited (${code}) without an answer`)),
      ),
    );
  });
}

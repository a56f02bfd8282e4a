/**
 * Why a workload could not run, and whose fault that is.
 *
 * - `requester`: the job itself is bad (its manifest does not validate, an artifact is not its declared size or
 *   does not open under the job key the requester released, the key was not released to the claimer in time
 *   (`key-withheld`), a model does not load, a module traps, exits non-zero,
 *   asks for more memory than its limit, writes more output than its limit, or runs past its time limit). Every
 *   honest provider reaches the same failure from the same manifest, so the failure is itself an outcome providers
 *   agree on (see `failureResult`), and nobody who ran the job is at fault. The time limit is wall-clock time, the
 *   one of these that depends on the machine: a provider whose hardware cannot meet a job's limit should not claim
 *   it (docs/decisions.md, "A job's failure is a result").
 * - `content`: bytes served for an address do not hash to it. The reader refuses them and may fetch again
 *   elsewhere: whoever served them is at fault, never the job.
 * - `provider`: the provider's own machine could not run the job (the runtime is not installed, the process running the job died).
 *   Such a failure decides nothing about the job: the provider delivers nothing.
 */
export type WorkloadFault = "requester" | "content" | "provider";

export type WorkloadErrorCode =
  | "manifest-invalid"
  | "artifact-missing"
  | "artifact-size"
  | "content-mismatch"
  | "decryption-failed"
  | "key-withheld"
  | "runtime-unavailable"
  | "model-load"
  | "input-invalid"
  | "output-invalid"
  | "wasm-trap"
  | "wasm-exit"
  | "memory-limit"
  | "output-limit"
  | "time-limit";

const FAULTS: Readonly<Record<WorkloadErrorCode, WorkloadFault>> = {
  "manifest-invalid": "requester",
  "artifact-missing": "content",
  "artifact-size": "requester",
  "content-mismatch": "content",
  "decryption-failed": "requester",
  "key-withheld": "requester",
  "runtime-unavailable": "provider",
  "model-load": "requester",
  "input-invalid": "requester",
  "output-invalid": "requester",
  "wasm-trap": "requester",
  "wasm-exit": "requester",
  "memory-limit": "requester",
  "output-limit": "requester",
  "time-limit": "requester",
};

/** The failures by a job's own fault: each is an outcome with its own result (see `failureResult`). */
export const JOB_FAILURES = (Object.keys(FAULTS) as WorkloadErrorCode[]).filter((code) => FAULTS[code] === "requester");

/** A workload that could not run: `code` says what happened, `fault` whose fault it is (see `WorkloadFault`). */
export class WorkloadError extends Error {
  readonly fault: WorkloadFault;

  constructor(
    readonly code: WorkloadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "WorkloadError";
    this.fault = FAULTS[code];
  }
}

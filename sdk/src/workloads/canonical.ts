import { type Hex, bytesToHex } from "viem";

import { canonicalJson } from "./canonical-json.js";
import { JOB_FAILURES, WorkloadError, type WorkloadErrorCode } from "./errors.js";
import { bytesToBase64, equalBytes } from "./bytes.js";
import { sha256 } from "./sha256.js";
import type { Canonicalisation, TensorType } from "./manifest.js";

/**
 * A run's canonical output: the bytes every honest provider produces for the same manifest, whatever its hardware.
 * The job's result is their sha2-256 (`resultOfOutput`), so the output is also the raw-codec artifact whose CID
 * digest is the result: a requester fetches it by that CID and the address alone proves it is the output the
 * providers agreed on.
 *
 * The encoding is canonical JSON (sorted keys, no whitespace, integers only): a tensor's values are integers (see
 * `Canonicalisation`), a file's bytes base64.
 */
export type CanonicalOutput =
  | {
      readonly name: string;
      readonly kind: "fixed";
      readonly decimals: number;
      readonly shape: readonly number[];
      readonly values: readonly number[];
    }
  | {
      readonly name: string;
      readonly kind: "argmax";
      readonly shape: readonly number[];
      readonly values: readonly number[];
    }
  | {
      readonly name: string;
      readonly kind: "exact";
      readonly type: TensorType;
      readonly shape: readonly number[];
      readonly base64: string;
    }
  | { readonly name: string; readonly kind: "file"; readonly base64: string };

export const OUTPUT_FORMAT = "starminer.output/1";

/** A tensor a runtime produced, before canonicalisation. */
export interface RawTensor {
  readonly type: TensorType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;
}

/** Reduces `tensor` to its canonical form, or throws `output-invalid` (a NaN, a value too large to fix). */
export function canonicaliseTensor(name: string, tensor: RawTensor, rule: Canonicalisation): CanonicalOutput {
  const shape = [...tensor.shape];
  switch (rule.kind) {
    case "fixed": {
      const scale = 10 ** rule.decimals;
      const values = Array.from(tensor.data as ArrayLike<number | bigint>, (value) => {
        const scaled = Math.round(Number(value) * scale);
        if (!Number.isSafeInteger(scaled)) {
          throw new WorkloadError(
            "output-invalid",
            `output "${name}" holds ${value}, which has no fixed form at ${rule.decimals} decimals`,
          );
        }
        return scaled === 0 ? 0 : scaled; // -0 and 0 are one value
      });
      return { name, kind: "fixed", decimals: rule.decimals, shape, values };
    }
    case "argmax": {
      const width = shape.at(-1);
      if (width === undefined || width === 0) {
        throw new WorkloadError("output-invalid", `output "${name}" has no last axis to take the argmax of`);
      }
      const values: number[] = [];
      for (let row = 0; row < tensor.data.length / width; row++) {
        let best = 0;
        let bestValue = -Infinity;
        for (let i = 0; i < width; i++) {
          const value = Number(tensor.data[row * width + i]);
          if (Number.isNaN(value)) throw new WorkloadError("output-invalid", `output "${name}" holds NaN`);
          if (value > bestValue) [best, bestValue] = [i, value];
        }
        values.push(best);
      }
      return { name, kind: "argmax", shape: shape.slice(0, -1), values };
    }
    case "exact": {
      const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
      return { name, kind: "exact", type: tensor.type, shape, base64: bytesToBase64(bytes) };
    }
  }
}

/** A file a program wrote, as a canonical output. */
export function canonicaliseFile(name: string, bytes: Uint8Array): CanonicalOutput {
  return { name, kind: "file", base64: bytesToBase64(bytes) };
}

/** The canonical bytes of a run's outputs. */
export function encodeOutputs(outputs: readonly CanonicalOutput[]): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ format: OUTPUT_FORMAT, outputs }));
}

/** Reads canonical output bytes back (a requester's download), or throws if they are not canonical. */
export function decodeOutputs(bytes: Uint8Array): CanonicalOutput[] {
  let parsed: { format?: unknown; outputs?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as typeof parsed;
  } catch (error) {
    throw new WorkloadError("output-invalid", `the output is not JSON: ${(error as Error).message}`);
  }
  if (parsed.format !== OUTPUT_FORMAT || !Array.isArray(parsed.outputs)) {
    throw new WorkloadError("output-invalid", `the output is not in the ${OUTPUT_FORMAT} format`);
  }
  const outputs = parsed.outputs as CanonicalOutput[];
  if (!equalBytes(encodeOutputs(outputs), bytes)) {
    throw new WorkloadError("output-invalid", "the output is not in canonical form");
  }
  return outputs;
}

/** The result a provider reports for canonical output bytes: their sha2-256. */
export function resultOfOutput(bytes: Uint8Array): Hex {
  return bytesToHex(sha256(bytes));
}

/**
 * The result of a run that failed by the job's own fault (a `requester` failure, see `WorkloadError`): a hash of the
 * failure's code, the same for every provider that ran the job, so redundant providers agree on the failure and an
 * auditor who re-runs the job reaches it too.
 */
export function failureResult(code: WorkloadErrorCode): Hex {
  return bytesToHex(sha256(new TextEncoder().encode(`starminer.failure/1:${code}`)));
}

/** The failure `result` reports, when it is a failure's result rather than an output's. */
export function failureOf(result: Hex): WorkloadErrorCode | undefined {
  return JOB_FAILURES.find((code) => failureResult(code) === result.toLowerCase());
}

import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { type Hex, keccak256, toHex } from "viem";

import { cidDigest, manifestCid, parseCid } from "./cid.js";
import { canonicalJson } from "./canonical-json.js";
import { WorkloadError } from "./errors.js";
import { JOB_MANIFEST_SCHEMA } from "./manifest-schema.js";

/**
 * A job manifest: what a job runs (a runtime and its artifacts, by content address), on what inputs, how its
 * outputs are reduced to the result every honest provider agrees on, and within which limits. The job's on-chain
 * spec commits to the manifest's hash, so a provider can check that the manifest it was handed is the job's, and
 * each artifact the manifest names is checked against its CID.
 */
export const JOB_MANIFEST_VERSION = "starminer.job/1";

export type RuntimeName = "onnx" | "wasm" | "dense-layer";

/** Each runtime's bit in the mask a provider advertises in the registry (`NodeRegistry.setRuntimes`). */
export const RUNTIME_BITS: Readonly<Record<RuntimeName, number>> = { "dense-layer": 1, onnx: 2, wasm: 4 };

/** The registry mask of `names`. */
export function runtimeMask(names: Iterable<RuntimeName>): number {
  let mask = 0;
  for (const name of names) mask |= RUNTIME_BITS[name];
  return mask;
}

/** The runtimes a registry mask names, in a fixed order. */
export function runtimeNames(mask: number): RuntimeName[] {
  return (Object.keys(RUNTIME_BITS) as RuntimeName[]).filter((name) => (mask & RUNTIME_BITS[name]) !== 0);
}
export const RUNTIME_NAMES: readonly RuntimeName[] = ["onnx", "wasm", "dense-layer"];

/** Bytes held elsewhere: their CID and their exact length (checked before they are fetched in full). */
export interface ArtifactRef {
  readonly cid: string;
  readonly bytes: number;
  /** Sealed under the job key (`sealArtifact`): `cid` and `bytes` are the sealed form's. */
  readonly encrypted?: boolean;
}

/** What one run may use. A run that needs more fails with `time-limit`, `memory-limit` or `output-limit`. */
export interface ResourceLimits {
  readonly timeMs: number;
  readonly memoryBytes: number;
  readonly outputBytes: number;
}

export type TensorType = "float32" | "float64" | "int8" | "uint8" | "int32" | "int64";

/**
 * How an output tensor becomes canonical bytes. `fixed`: each value rounded to `decimals` decimal places (as an
 * integer of 10^-decimals units), so providers whose floating-point results differ below that precision agree;
 * `argmax`: the index of the largest value along the last axis (a classifier's answer); `exact`: the values as
 * they are (integer outputs, or runs known to be bit-reproducible).
 */
export type Canonicalisation =
  { readonly kind: "fixed"; readonly decimals: number } | { readonly kind: "argmax" } | { readonly kind: "exact" };

interface ManifestBase {
  readonly version: typeof JOB_MANIFEST_VERSION;
  readonly description?: string;
  readonly limits: ResourceLimits;
}

export interface OnnxManifest extends ManifestBase {
  readonly runtime: "onnx";
  readonly model: ArtifactRef;
  /** Input tensors, little-endian, row-major. */
  readonly inputs: readonly { name: string; type: TensorType; shape: readonly number[]; data: ArtifactRef }[];
  readonly outputs: readonly { name: string; canonical: Canonicalisation }[];
}

export interface WasmManifest extends ManifestBase {
  readonly runtime: "wasm";
  /** A WASI (preview 1) command module. */
  readonly module: ArtifactRef;
  readonly args: readonly string[];
  /** Files the program reads, under `in/`. */
  readonly files: readonly { path: string; data: ArtifactRef }[];
  /** What the result covers: `stdout`, or files the program writes under `out/`, in this order. */
  readonly outputs: readonly { path: string }[];
}

export interface DenseLayerManifest extends ManifestBase {
  readonly runtime: "dense-layer";
  /** The JSON workload (`{ model: { weights, biases }, input }`) the dense-layer circuit proves. */
  readonly workload: ArtifactRef;
}

export type JobManifest = OnnxManifest | WasmManifest | DenseLayerManifest;

const ajv = new Ajv2020({ allErrors: false, discriminator: true, strict: true });
const validate = ajv.compile<JobManifest>(JOB_MANIFEST_SCHEMA);

/** Reads a manifest from untrusted JSON, or throws `manifest-invalid` naming the first field that is wrong. */
export function parseJobManifest(value: unknown): JobManifest {
  if (!validate(value)) throw new WorkloadError("manifest-invalid", describeSchemaError(validate.errors?.[0]));
  for (const artifact of artifactsOf(value)) parseCid(artifact.cid);
  const unique = (label: string, names: readonly string[]) => {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new WorkloadError("manifest-invalid", `manifest.${label}: "${name}" appears twice`);
      seen.add(name);
    }
  };
  const named: [string, string[]][] =
    value.runtime === "onnx"
      ? [
          ["inputs", value.inputs.map((input) => input.name)],
          ["outputs", value.outputs.map((output) => output.name)],
        ]
      : value.runtime === "wasm"
        ? [
            ["files", value.files.map((file) => file.path)],
            ["outputs", value.outputs.map((output) => output.path)],
          ]
        : [];
  for (const [label, names] of named) unique(label, names);
  return value;
}

/** Every artifact a manifest names, in manifest order. */
export function artifactsOf(manifest: JobManifest): ArtifactRef[] {
  switch (manifest.runtime) {
    case "onnx":
      return [manifest.model, ...manifest.inputs.map((input) => input.data)];
    case "wasm":
      return [manifest.module, ...manifest.files.map((file) => file.data)];
    case "dense-layer":
      return [manifest.workload];
  }
}

/** What an artifact is to its job: the program (`model`, `module`, `workload`) or its data (`input`, `file`). */
export type ArtifactRole = "model" | "module" | "workload" | "input" | "file";

/** A copy of `manifest` with each artifact reference replaced by `replace(ref, role)` (e.g. by its sealed form). */
export function mapArtifacts(
  manifest: JobManifest,
  replace: (ref: ArtifactRef, role: ArtifactRole) => ArtifactRef,
): JobManifest {
  switch (manifest.runtime) {
    case "onnx":
      return {
        ...manifest,
        model: replace(manifest.model, "model"),
        inputs: manifest.inputs.map((input) => ({ ...input, data: replace(input.data, "input") })),
      };
    case "wasm":
      return {
        ...manifest,
        module: replace(manifest.module, "module"),
        files: manifest.files.map((file) => ({ ...file, data: replace(file.data, "file") })),
      };
    case "dense-layer":
      return { ...manifest, workload: replace(manifest.workload, "workload") };
  }
}

/**
 * The manifest's canonical bytes: JSON with object keys sorted and no whitespace. Every number a manifest holds is
 * an integer, so the encoding has one form, and the same manifest always has the same CID.
 */
export function canonicalManifestBytes(manifest: JobManifest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(manifest));
}

/** The manifest's CID (codec json, sha2-256 of its canonical bytes). */
export function jobManifestCid(manifest: JobManifest): string {
  return manifestCid(canonicalManifestBytes(manifest));
}

/**
 * The `inputCommitment` of a manifest job's spec: a constant that says "the model commitment is a manifest's
 * digest" (a dense-layer job's spec carries the two Poseidon commitments instead, which the circuit opens).
 */
export const MANIFEST_INPUT_COMMITMENT: Hex = keccak256(toHex(JOB_MANIFEST_VERSION));

/** The commitments a manifest job's spec carries: the manifest's sha2-256 digest, and the manifest tag. */
export function manifestCommitments(manifest: JobManifest): { modelCommitment: Hex; inputCommitment: Hex } {
  return { modelCommitment: cidDigest(jobManifestCid(manifest)), inputCommitment: MANIFEST_INPUT_COMMITMENT };
}

function describeSchemaError(error: ErrorObject | undefined): string {
  if (error === undefined) return "manifest: does not validate";
  const path = error.instancePath.replace(/\/(\d+)/g, "[$1]").replaceAll("/", ".");
  const where = `manifest${path}`;
  const params = error.params as Record<string, unknown>;
  if ("additionalProperty" in params) return `${where}: unknown field "${String(params.additionalProperty)}"`;
  if ("allowedValues" in params)
    return `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if ("allowedValue" in params) return `${where}: must be ${JSON.stringify(params.allowedValue)}`;
  return `${where}: ${error.message ?? "does not validate"}`;
}

/** Whether a job's spec names a manifest (rather than the dense layer's two Poseidon commitments). */
export function isManifestJob(commitments: { readonly inputCommitment: Hex }): boolean {
  return commitments.inputCommitment.toLowerCase() === MANIFEST_INPUT_COMMITMENT.toLowerCase();
}

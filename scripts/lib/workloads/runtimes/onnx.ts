import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import {
  type Artifacts,
  type CanonicalOutput,
  type OnnxManifest,
  type RawTensor,
  type TensorType,
  WorkloadError,
  canonicaliseTensor,
} from "@starminer/sdk";

import { type RuntimeDevice, type WorkloadRuntime, artifactBytes } from "../runtime.js";
import { runSandboxed } from "../sandbox.js";

const require = createRequire(import.meta.url);

const BYTES_PER_VALUE: Readonly<Record<TensorType, number>> = {
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int32: 4,
  int64: 8,
};

export interface OnnxRuntimeOptions {
  /** Use the CUDA execution provider when a GPU and the provider are present (default true). */
  readonly preferGpu?: boolean;
  /** Threads per inference (default: every core). */
  readonly threads?: number;
}

/** A run's timings inside its process: loading the model into a session, and the inference itself. */
export interface OnnxTimings {
  readonly loadMs: number;
  readonly inferenceMs: number;
}

/**
 * Runs an ONNX model with ONNX Runtime (`onnxruntime-node`) in a process of its own (`runSandboxed`), on the GPU
 * through the CUDA execution provider when this machine has an NVIDIA GPU and the provider's library is installed,
 * on the CPU otherwise; `device()` says which, and why. Inputs are the manifest's tensors (little-endian, row-major,
 * their byte length checked against their shape); outputs are canonicalised as the manifest says, so providers on
 * different hardware report the same result.
 */
export class OnnxRuntime implements WorkloadRuntime<OnnxManifest> {
  readonly name = "onnx";
  /** The timings of the last run (for benchmarks and logs). */
  lastTimings: OnnxTimings | undefined;

  constructor(private readonly options: OnnxRuntimeOptions = {}) {}

  async device(): Promise<RuntimeDevice> {
    return chooseOnnxDevice(this.options.preferGpu ?? true);
  }

  async run(manifest: OnnxManifest, artifacts: Artifacts): Promise<CanonicalOutput[]> {
    const { device } = await this.device();
    const feeds = manifest.inputs.map((input) => {
      const bytes = artifactBytes(artifacts, input.data.cid);
      const expected = input.shape.reduce((product, dim) => product * dim, 1) * BYTES_PER_VALUE[input.type];
      if (bytes.length !== expected) {
        throw new WorkloadError(
          "input-invalid",
          `input "${input.name}" holds ${bytes.length} bytes; a ${input.type} tensor of shape [${input.shape.join(", ")}] takes ${expected}`,
        );
      }
      return { name: input.name, type: input.type, shape: [...input.shape], bytes };
    });
    const answer = await runSandboxed<{ outputs: Record<string, RawTensor>; timings: OnnxTimings }>(
      ONNX_WORKER,
      {
        ortPath: require.resolve("onnxruntime-node"),
        model: artifactBytes(artifacts, manifest.model.cid),
        providers: device === "cpu" ? ["cpu"] : ["cuda", "cpu"],
        threads: this.options.threads ?? availableParallelism(),
        feeds,
        outputNames: manifest.outputs.map((output) => output.name),
      },
      manifest.limits,
      "process",
    );
    this.lastTimings = answer.timings;
    return manifest.outputs.map(({ name, canonical }) => canonicaliseTensor(name, answer.outputs[name]!, canonical));
  }
}

/**
 * Where ONNX models run on this machine: `cuda:0` when an NVIDIA GPU is visible (`/dev/nvidia0`) and ONNX Runtime's
 * CUDA execution provider is installed beside its CPU build, `cpu` otherwise, with the reason.
 */
export function chooseOnnxDevice(preferGpu: boolean): RuntimeDevice {
  if (!preferGpu) return { device: "cpu", reason: "the GPU was not asked for" };
  if (!nvidiaGpuPresent()) return { device: "cpu", reason: "no NVIDIA GPU on this machine" };
  const library = cudaProviderLibrary();
  if (!existsSync(library)) {
    return {
      device: "cpu",
      reason: `an NVIDIA GPU is present but ONNX Runtime's CUDA execution provider is not installed (${library}); see docs/operations.md`,
    };
  }
  return { device: "cuda:0", reason: "an NVIDIA GPU and ONNX Runtime's CUDA execution provider are present" };
}

function nvidiaGpuPresent(): boolean {
  if (existsSync("/dev/nvidia0")) return true;
  try {
    return readdirSync("/proc/driver/nvidia/gpus").length > 0;
  } catch {
    return false;
  }
}

/** Where `onnxruntime-node` keeps the CUDA provider when it is installed (its install step downloads it there). */
function cudaProviderLibrary(): string {
  const root = join(dirname(require.resolve("onnxruntime-node")), "..");
  return join(root, "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so");
}

/** In the job's process: loads the model, runs it once, and answers with the outputs the manifest names (see `runSandboxed`). */
const ONNX_WORKER = `
const TYPED = { float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array };
async function run(d) {
  const ort = require(d.ortPath);
  const started = performance.now();
  let session;
  try {
    session = await ort.InferenceSession.create(d.model, {
      executionProviders: d.providers,
      graphOptimizationLevel: "all",
      intraOpNumThreads: d.threads,
      interOpNumThreads: 1,
    });
  } catch (e) {
    return failure("model-load", "the model does not load: " + e.message);
  }
  const loaded = performance.now();
  for (const name of d.outputNames) {
    if (!session.outputNames.includes(name)) {
      return failure("output-invalid", 'the model has no output "' + name + '" (it has: ' + session.outputNames.join(", ") + ")");
    }
  }
  const feeds = {};
  for (const feed of d.feeds) {
    if (!session.inputNames.includes(feed.name)) {
      return failure("input-invalid", 'the model has no input "' + feed.name + '" (it takes: ' + session.inputNames.join(", ") + ")");
    }
    const bytes = new Uint8Array(feed.bytes);
    const Typed = TYPED[feed.type];
    feeds[feed.name] = new ort.Tensor(feed.type, new Typed(bytes.buffer, bytes.byteOffset, bytes.byteLength / Typed.BYTES_PER_ELEMENT), feed.shape);
  }
  let results;
  try {
    results = await session.run(feeds, d.outputNames);
  } catch (e) {
    return failure("input-invalid", "the model does not run on these inputs: " + e.message);
  }
  const done = performance.now();
  const outputs = {};
  for (const name of d.outputNames) {
    const tensor = results[name];
    if (!(tensor.type in TYPED)) return failure("output-invalid", 'output "' + name + '" is of type ' + tensor.type + ", which has no canonical form");
    outputs[name] = { type: tensor.type, shape: tensor.dims.map(Number), data: tensor.data };
  }
  await session.release();
  return { value: { outputs, timings: { loadMs: loaded - started, inferenceMs: done - loaded } } };
}
`;

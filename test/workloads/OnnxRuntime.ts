import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import {
  type CanonicalOutput,
  type OnnxManifest,
  artifactCid,
  decodeOutputs,
  failureResult,
  parseJobManifest,
} from "@starminer/sdk";

import { seededRandom } from "../../scripts/lib/random.js";
import {
  CNN_CHANNELS,
  digitsCnnOnnx,
  digitsCnnWeights,
  digitsMlpOnnx,
} from "../../scripts/lib/workloads/example-models.js";
import { EXAMPLES_DIRECTORY } from "../../scripts/lib/workloads/examples.js";
import { encodeOnnxModel } from "../../scripts/lib/workloads/onnx-builder.js";
import { executeJob } from "../../scripts/lib/workloads/execute.js";
import { OnnxRuntime, chooseOnnxDevice } from "../../scripts/lib/workloads/runtimes/onnx.js";
import { drawDigit } from "../../scripts/lib/zk/digits.js";
import { type MlpModel, argmax, mlp, readMlpModel } from "../../scripts/lib/zk/mlp.js";

const LIMITS = { timeMs: 20_000, memoryBytes: 256 * 1024 * 1024, outputBytes: 1024 * 1024 };

function floats(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** A manifest running `model` on one float32 input, and its artifacts. */
function job(
  model: Uint8Array,
  input: { name: string; shape: number[]; bytes: Uint8Array },
  outputs: OnnxManifest["outputs"],
) {
  const manifest = parseJobManifest({
    version: "starminer.job/1",
    runtime: "onnx",
    model: { cid: artifactCid(model), bytes: model.length },
    inputs: [
      {
        name: input.name,
        type: "float32",
        shape: input.shape,
        data: { cid: artifactCid(input.bytes), bytes: input.bytes.length },
      },
    ],
    outputs,
    limits: LIMITS,
  }) as OnnxManifest;
  return {
    manifest,
    artifacts: new Map([
      [artifactCid(model), model],
      [artifactCid(input.bytes), input.bytes],
    ]),
  };
}

async function completed(runtime: OnnxRuntime, { manifest, artifacts }: ReturnType<typeof job>) {
  const outcome = await executeJob(manifest, artifacts, new Map([["onnx" as const, runtime]]));
  if (outcome.status !== "completed") expect.fail(`the run failed: ${outcome.error.message}`);
  return { ...outcome, outputs: decodeOutputs(outcome.output) };
}

/** The CNN in plain JavaScript (float64): conv 3×3 pad 1, ReLU, max-pool 2×2, dense. */
function referenceCnn(image: readonly number[], w = digitsCnnWeights()): number[] {
  const pooled: number[] = [];
  for (let c = 0; c < CNN_CHANNELS; c++) {
    const feature = (y: number, x: number) => {
      let sum = w.convBias[c]!;
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          const [iy, ix] = [y + ky - 1, x + kx - 1];
          if (iy >= 0 && iy < 8 && ix >= 0 && ix < 8) sum += w.conv[c * 9 + ky * 3 + kx]! * image[iy * 8 + ix]!;
        }
      }
      return Math.max(0, sum);
    };
    for (let y = 0; y < 8; y += 2) {
      for (let x = 0; x < 8; x += 2)
        pooled.push(Math.max(feature(y, x), feature(y, x + 1), feature(y + 1, x), feature(y + 1, x + 1)));
    }
  }
  return Array.from({ length: 10 }, (_, k) =>
    pooled.reduce((sum, v, i) => sum + w.dense[k * pooled.length + i]! * v, w.denseBias[k]!),
  );
}

describe("The onnx runtime: ONNX models through ONNX Runtime", function () {
  this.timeout(60_000);
  const runtime = new OnnxRuntime();
  let model: MlpModel;

  before(async () => {
    model = await readMlpModel();
  });

  it("runs on the CPU here and says why: no GPU on this machine", async () => {
    const device = await runtime.device();
    expect(device.device).to.equal("cpu");
    expect(device.reason).to.equal("no NVIDIA GPU on this machine");
    expect(chooseOnnxDevice(false)).to.deep.equal({ device: "cpu", reason: "the GPU was not asked for" });
  });

  it("the digits MLP in ONNX scores 64 drawn digits exactly as the int8 model the circuit proves", async () => {
    const uniform = seededRandom(64);
    const images = Array.from({ length: 64 }, (_, i) => drawDigit(i % 10, uniform));
    const { outputs } = await completed(
      runtime,
      job(digitsMlpOnnx(model), { name: "pixels", shape: [64, 64], bytes: floats(images.flat()) }, [
        { name: "scores", canonical: { kind: "fixed", decimals: 0 } },
      ]),
    );
    const scores = outputs[0] as Extract<CanonicalOutput, { kind: "fixed" }>;
    expect(scores.shape).to.deep.equal([64, 10]);
    expect(scores.values).to.deep.equal(images.flatMap((image) => mlp(model, image)));
    const correct = images.filter((image, i) => argmax(mlp(model, image)) === i % 10).length;
    expect(correct / images.length).to.be.greaterThan(0.8);
  });

  it("the example job's classes are the int8 model's answers", async () => {
    const manifest = parseJobManifest(
      JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, "digits-mlp.job.json"), "utf8")),
    ) as OnnxManifest;
    const input = await readFile(join(EXAMPLES_DIRECTORY, "digits-8.f32"));
    const pixels = Array.from(new Float32Array(input.buffer, input.byteOffset, input.length / 4));
    const { outputs } = await completed(runtime, {
      manifest,
      artifacts: new Map([
        [manifest.model.cid, await readFile(join(EXAMPLES_DIRECTORY, "digits-mlp.onnx"))],
        [manifest.inputs[0]!.data.cid, input],
      ]),
    });
    const classes = outputs[0] as Extract<CanonicalOutput, { kind: "argmax" }>;
    expect(classes.values).to.deep.equal(
      Array.from({ length: 8 }, (_, i) => argmax(mlp(model, pixels.slice(i * 64, i * 64 + 64)))),
    );
    const probabilities = outputs[1] as Extract<CanonicalOutput, { kind: "fixed" }>;
    for (let row = 0; row < 8; row++) {
      const sum = probabilities.values.slice(row * 10, row * 10 + 10).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 10_000)).to.be.at.most(5);
    }
  });

  it("the CNN matches a plain JavaScript forward pass to float32 precision", async () => {
    const image = drawDigit(7, seededRandom(7)).map((p) => p / 127);
    const { outputs } = await completed(
      runtime,
      job(digitsCnnOnnx(), { name: "image", shape: [1, 1, 8, 8], bytes: floats(image) }, [
        { name: "scores", canonical: { kind: "fixed", decimals: 5 } },
      ]),
    );
    const scores = (outputs[0] as Extract<CanonicalOutput, { kind: "fixed" }>).values.map((v) => v / 1e5);
    // Compared as a plain number: the chai plugins' closeTo takes integers only.
    referenceCnn(image).forEach((expected, k) => expect(Math.abs(scores[k]! - expected)).to.be.at.most(1e-4));
  });

  it("one thread or two, a fixed-point result is the same: what lets providers on different machines agree", async () => {
    const uniform = seededRandom(11);
    const images = Array.from({ length: 32 }, (_, i) => drawDigit(i % 10, uniform).map((p) => p / 127));
    const batch = job(digitsCnnOnnx(), { name: "image", shape: [32, 1, 8, 8], bytes: floats(images.flat()) }, [
      { name: "scores", canonical: { kind: "fixed", decimals: 3 } },
    ]);
    const one = await completed(new OnnxRuntime({ threads: 1 }), batch);
    const two = await completed(new OnnxRuntime({ threads: 2 }), batch);
    expect(two.result).to.equal(one.result);
  });

  describe("bad jobs: each a specific outcome of the job's own fault", () => {
    async function failure(
      model: Uint8Array,
      input: { name: string; shape: number[]; bytes: Uint8Array },
      output = "scores",
    ) {
      const { manifest, artifacts } = job(model, input, [{ name: output, canonical: { kind: "argmax" } }]);
      const outcome = await executeJob(manifest, artifacts, new Map([["onnx" as const, runtime]]));
      if (outcome.status !== "failed") expect.fail("the run completed");
      expect(outcome.result).to.equal(failureResult(outcome.error.code));
      return outcome.error;
    }

    it("a model that does not load", async () => {
      const error = await failure(new TextEncoder().encode("not a model"), {
        name: "pixels",
        shape: [1, 64],
        bytes: floats(Array(64).fill(0)),
      });
      expect(error.code).to.equal("model-load");
      expect(error.message).to.match(/^the model does not load: /);
    });

    it("an input whose bytes do not fill its shape", async () => {
      const error = await failure(digitsMlpOnnx(model), {
        name: "pixels",
        shape: [2, 64],
        bytes: floats(Array(64).fill(0)),
      });
      expect(error.code).to.equal("input-invalid");
      expect(error.message).to.equal('input "pixels" holds 256 bytes; a float32 tensor of shape [2, 64] takes 512');
    });

    it("an input the model does not take, or of the wrong shape", async () => {
      const named = await failure(digitsMlpOnnx(model), {
        name: "image",
        shape: [1, 64],
        bytes: floats(Array(64).fill(0)),
      });
      expect(named.message).to.equal('the model has no input "image" (it takes: pixels)');
      const shaped = await failure(digitsMlpOnnx(model), {
        name: "pixels",
        shape: [1, 32],
        bytes: floats(Array(32).fill(0)),
      });
      expect(shaped.code).to.equal("input-invalid");
      expect(shaped.message).to.match(/^the model does not run on these inputs: /);
    });

    /** Expands one value to a 1 GiB tensor, then sums it. */
    const memoryHog = () =>
      encodeOnnxModel({
        name: "memory_hog",
        docString: "expands its input to 2^28 floats",
        inputs: [{ name: "x", shape: [1] }],
        outputs: [{ name: "total", shape: [] }],
        initializers: [{ name: "shape", shape: [3], values: BigInt64Array.of(256n, 1024n, 1024n) }],
        nodes: [
          { op: "Expand", inputs: ["x", "shape"], output: "big" },
          { op: "ReduceSum", inputs: ["big"], output: "total", attributes: { keepdims: 0 } },
        ],
      });

    it("a model that allocates past the job's memory limit is stopped, and the caller lives on", async () => {
      const { manifest, artifacts } = job(memoryHog(), { name: "x", shape: [1], bytes: floats([1]) }, [
        { name: "total", canonical: { kind: "exact" } },
      ]);
      const small = parseJobManifest({ ...manifest, limits: { ...LIMITS, memoryBytes: 16 * 1024 * 1024 } });
      const outcome = await executeJob(small, artifacts, new Map([["onnx" as const, runtime]]));
      if (outcome.status !== "failed") expect.fail("the run completed");
      expect(outcome.error.code).to.equal("memory-limit");
      expect(outcome.error.message).to.equal(`the job used more than its limit of ${16 * 1024 * 1024} bytes of memory`);
    });

    it("a model still running at the job's time limit is stopped, and the caller lives on", async () => {
      const { manifest, artifacts } = job(memoryHog(), { name: "x", shape: [1], bytes: floats([1]) }, [
        { name: "total", canonical: { kind: "exact" } },
      ]);
      const slow = parseJobManifest({ ...manifest, limits: { ...LIMITS, timeMs: 150, memoryBytes: 4 * 1024 ** 3 } });
      const outcome = await executeJob(slow, artifacts, new Map([["onnx" as const, runtime]]));
      if (outcome.status !== "failed") expect.fail("the run completed");
      expect(outcome.error.message).to.equal("the job ran past its limit of 150 ms");
    });

    it("an output the model does not have", async () => {
      const error = await failure(
        digitsMlpOnnx(model),
        { name: "pixels", shape: [1, 64], bytes: floats(Array(64).fill(0)) },
        "logits",
      );
      expect(error.code).to.equal("output-invalid");
      expect(error.message).to.equal('the model has no output "logits" (it has: scores, probabilities)');
    });
  });
});

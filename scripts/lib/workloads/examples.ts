import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { JOB_MANIFEST_VERSION, type JobManifest, type ResourceLimits, artifactCid } from "@starminer/sdk";

import { seededRandom } from "../random.js";
import { PROJECT_ROOT } from "../project-root.js";
import { drawDigit } from "../zk/digits.js";
import { readMlpModel } from "../zk/mlp.js";
import { digitsCnnOnnx, digitsMlpOnnx } from "./example-models.js";

/**
 * The example workloads: real models and a real program, with inputs and manifests, generated from sources in
 * this repository (`npm run workloads:examples` writes them to examples/workloads/; a test checks the committed
 * files are what the sources make):
 *
 * - `digits-mlp`: the trained digits classifier as an ONNX model, on 8 drawn digits; results: the scores' argmax
 *   (the classes) and the probabilities to 4 decimals;
 * - `digits-cnn`: a small convolutional network (seeded weights) on one image; scores to 3 decimals;
 * - `monte-carlo`: a WASI program (AssemblyScript source in examples/workloads/wasm/) pricing an option from 200,000
 *   simulated paths; results: its stdout and the histogram file it writes.
 */
export const EXAMPLES_DIRECTORY = join(PROJECT_ROOT, "examples", "workloads");
const WASM_SOURCE = join(EXAMPLES_DIRECTORY, "wasm", "monte-carlo.ts");

const LIMITS: ResourceLimits = { timeMs: 30_000, memoryBytes: 256 * 1024 * 1024, outputBytes: 1024 * 1024 };

/** Every example file, by its name in examples/workloads/. */
export async function buildExamples(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const add = (name: string, bytes: Uint8Array) => {
    files.set(name, bytes);
    return { cid: artifactCid(bytes), bytes: bytes.length };
  };
  const manifest = (name: string, value: JobManifest) =>
    files.set(`${name}.job.json`, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));

  const uniform = seededRandom(2026);
  const digits = Array.from({ length: 8 }, (_, i) => drawDigit(i, uniform));

  manifest("digits-mlp", {
    version: JOB_MANIFEST_VERSION,
    runtime: "onnx",
    description: "Classify 8 drawn digits with the trained digits MLP",
    model: add("digits-mlp.onnx", digitsMlpOnnx(await readMlpModel())),
    inputs: [{ name: "pixels", type: "float32", shape: [8, 64], data: add("digits-8.f32", floats(digits.flat())) }],
    outputs: [
      { name: "scores", canonical: { kind: "argmax" } },
      { name: "probabilities", canonical: { kind: "fixed", decimals: 4 } },
    ],
    limits: LIMITS,
  });

  manifest("digits-cnn", {
    version: JOB_MANIFEST_VERSION,
    runtime: "onnx",
    description: "Score one drawn digit with a small convolutional network",
    model: add("digits-cnn.onnx", digitsCnnOnnx()),
    inputs: [
      {
        name: "image",
        type: "float32",
        shape: [1, 1, 8, 8],
        data: add("digit-3.f32", floats(digits[3]!.map((p) => p / 127))),
      },
    ],
    outputs: [{ name: "scores", canonical: { kind: "fixed", decimals: 3 } }],
    limits: LIMITS,
  });

  manifest("monte-carlo", {
    version: JOB_MANIFEST_VERSION,
    runtime: "wasm",
    description: "Price a European call from 200,000 simulated paths",
    module: add("monte-carlo.wasm", await compileMonteCarlo()),
    args: ["200000", "2026"],
    files: [{ path: "in/market.txt", data: add("market.txt", new TextEncoder().encode("100 110 0.05 0.2 1\n")) }],
    outputs: [{ path: "stdout" }, { path: "out/histogram.csv" }],
    limits: { ...LIMITS, memoryBytes: 16 * 1024 * 1024 },
  });
  return files;
}

/** The example program's module, compiled from its AssemblyScript source. */
export async function compileMonteCarlo(): Promise<Uint8Array> {
  const { default: asc } = await import("assemblyscript/asc");
  const errors: string[] = [];
  let module: Uint8Array | undefined;
  const { error } = await asc.main(
    [
      WASM_SOURCE,
      "--outFile",
      "monte-carlo.wasm",
      "--runtime",
      "stub",
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
    ].concat(["--noAssert", "--exportStart", "_start", "--use", "abort=examples/workloads/wasm/wasi/abort"]),
    {
      readFile: (name: string, baseDir: string) => readFile(join(baseDir, name), "utf8").catch(() => null),
      writeFile: (name: string, contents: Uint8Array | string) => {
        if (name === "monte-carlo.wasm") module = contents as Uint8Array;
      },
      listFiles: () => [],
      stderr: { write: (text: string) => errors.push(text) } as never,
      stdout: { write: () => undefined } as never,
    },
  );
  if (error || module === undefined)
    throw new Error(`the example program does not compile: ${error?.message ?? errors.join("")}`);
  return module;
}

function floats(values: readonly number[]): Uint8Array {
  const array = Float32Array.from(values);
  return new Uint8Array(array.buffer);
}

/**
 * Trains the example ZKML model, an int8 MLP that reads 8×8 images of digits (64 → 64 → 10), and writes it to
 * circuits/models/digits_mlp.json, with its accuracy on images it did not train on.
 *
 *   npm run zk:train-digits && npm run zk:model-circuit && npm run zk:setup -- digits_mlp
 *
 * The images are drawn by scripts/lib/zk/digits.ts (glyphs moved, faded and noised). Training is plain float SGD
 * with momentum on softmax cross-entropy from a fixed seed, so the model is reproducible; the weights are then
 * quantised to int8 with power-of-two scales, the form the circuit proves (scripts/lib/zk/mlp.ts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { seededRandom } from "../lib/random.js";
import { drawDigit, gaussianFrom } from "../lib/zk/digits.js";
import { MLP_HIDDEN, MLP_INPUTS, MLP_OUTPUTS, type MlpModel, argmax, digitsModelPath, mlp } from "../lib/zk/mlp.js";

const uniform = seededRandom(20_261_128);
const gaussian = gaussianFrom(uniform);
const image = (digit: number) => drawDigit(digit, uniform);

function dataset(count: number) {
  return Array.from({ length: count }, (_, i) => ({ label: i % 10, x: image(i % 10) }));
}

const train = dataset(4_000);
const test = dataset(1_000);

// ---- float training: h = ReLU(W1·x + b1), logits = W2·h + b2, on x scaled to [0, 1] ----
const matrix = (rows: number, cols: number, scale: number) =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => gaussian() * scale));
const W1 = matrix(MLP_HIDDEN, MLP_INPUTS, Math.sqrt(2 / MLP_INPUTS));
const b1 = Array.from({ length: MLP_HIDDEN }, () => 0);
const W2 = matrix(MLP_OUTPUTS, MLP_HIDDEN, Math.sqrt(2 / MLP_HIDDEN));
const b2 = Array.from({ length: MLP_OUTPUTS }, () => 0);
const velocity = { W1: matrix(MLP_HIDDEN, MLP_INPUTS, 0), W2: matrix(MLP_OUTPUTS, MLP_HIDDEN, 0) };
const vb1 = b1.map(() => 0);
const vb2 = b2.map(() => 0);

function forward(x: number[]) {
  const pre = W1.map((row, j) => row.reduce((sum, w, i) => sum + w * x[i]!, b1[j]!));
  const h = pre.map((v) => Math.max(0, v));
  const logits = W2.map((row, k) => row.reduce((sum, w, j) => sum + w * h[j]!, b2[k]!));
  return { pre, h, logits };
}

const RATE = 0.01;
const MOMENTUM = 0.9;
for (let epoch = 0; epoch < 20; epoch++) {
  for (const sample of train) {
    const x = sample.x.map((p) => p / 127);
    const { pre, h, logits } = forward(x);
    const top = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - top));
    const total = exps.reduce((a, b) => a + b, 0);
    const dLogits = exps.map((e, k) => e / total - (k === sample.label ? 1 : 0));
    const dH = h.map((_, j) => dLogits.reduce((sum, d, k) => sum + d * W2[k]![j]!, 0) * (pre[j]! > 0 ? 1 : 0));
    dLogits.forEach((d, k) => {
      W2[k]!.forEach((_, j) => {
        velocity.W2[k]![j] = MOMENTUM * velocity.W2[k]![j]! - RATE * d * h[j]!;
        W2[k]![j]! += velocity.W2[k]![j]!;
      });
      vb2[k] = MOMENTUM * vb2[k]! - RATE * d;
      b2[k]! += vb2[k]!;
    });
    dH.forEach((d, j) => {
      if (d === 0) return;
      W1[j]!.forEach((_, i) => {
        velocity.W1[j]![i] = MOMENTUM * velocity.W1[j]![i]! - RATE * d * x[i]!;
        W1[j]![i]! += velocity.W1[j]![i]!;
      });
      vb1[j] = MOMENTUM * vb1[j]! - RATE * d;
      b1[j]! += vb1[j]!;
    });
  }
}
const floatAccuracy = test.filter((s) => argmax(forward(s.x.map((p) => p / 127)).logits) === s.label).length;

// ---- quantisation: int8 weights with power-of-two scales, int16 biases, the hidden layer shifted back to int8 ----
const powerOfTwoFor = (largest: number) => 2 ** Math.floor(Math.log2(127 / largest));
const largest = (values: number[][]) => Math.max(...values.flat().map(Math.abs));
const w1Scale = powerOfTwoFor(largest(W1)); // int weight = w · w1Scale
const w2Scale = powerOfTwoFor(largest(W2));
const int8 = (v: number) => Math.max(-128, Math.min(127, Math.round(v)));
const int16 = (v: number) => Math.max(-32_768, Math.min(32_767, Math.round(v)));
// Layer 1 in integers: acc1 = W1q·xq + b1q, where xq = x · 127, so acc1 ≈ pre · w1Scale · 127.
const weights1 = W1.map((row) => row.map((w) => int8(w * w1Scale)));
const biases1 = b1.map((b) => int16(b * w1Scale * 127));
// The hidden layer is shifted right so that the large activations on the training images fit int8.
const activations = train
  .slice(0, 500)
  .flatMap((s) => weights1.map((row, j) => row.reduce((sum, w, i) => sum + w * s.x[i]!, biases1[j]!)))
  .filter((a) => a > 0)
  .sort((a, b) => a - b);
const high = activations[Math.floor(activations.length * 0.999)]!;
const hiddenShift = Math.max(0, Math.ceil(Math.log2(high / 127)));
// h_int ≈ pre · w1Scale · 127 / 2^shift, so layer 2's biases are in units of w2Scale · w1Scale · 127 / 2^shift.
const hiddenScale = (w1Scale * 127) / 2 ** hiddenShift;
const model: MlpModel = {
  name: "digits_mlp",
  description:
    "8×8 images of digits (pixels 0 to 127) to ten class scores; trained by scripts/zk/train-digits.ts on drawn images",
  weights1,
  biases1,
  hiddenShift,
  weights2: W2.map((row) => row.map((w) => int8(w * w2Scale))),
  biases2: b2.map((b) => int16(b * w2Scale * hiddenScale)),
  accuracy: { float: 0, int8: 0, testImages: test.length },
};
const int8Accuracy = test.filter((s) => argmax(mlp(model, s.x)) === s.label).length;
const trained: MlpModel = {
  ...model,
  accuracy: { float: floatAccuracy / test.length, int8: int8Accuracy / test.length, testImages: test.length },
};

await mkdir(dirname(digitsModelPath), { recursive: true });
await writeFile(digitsModelPath, `${JSON.stringify(trained)}\n`);
console.log(
  `digits_mlp: float accuracy ${(100 * trained.accuracy.float).toFixed(1)}%, int8 ` +
    `${(100 * trained.accuracy.int8).toFixed(1)}% on ${test.length} unseen images; hidden shift ${hiddenShift}; ` +
    `written to ${digitsModelPath}`,
);

import type { MlpModel } from "../zk/mlp.js";
import { seededRandom } from "../random.js";
import { type GraphSpec, encodeOnnxModel } from "./onnx-builder.js";

/**
 * The example ONNX models StarMiner ships (examples/workloads/, written by `npm run workloads:examples`):
 *
 * - **digits MLP**: the digits classifier trained by `npm run zk:train-digits` (64 → 64 → 10), in floating point.
 *   Its weights are the int8 model's, so on pixels 0-127 every intermediate value is an integer below 2^24 and the
 *   ONNX model's scores equal the int8 model's exactly. Outputs: `scores` and `probabilities` (softmax).
 * - **digits CNN**: a small convolutional network over the same 8×8 images (3×3 convolution to 8 channels, ReLU,
 *   2×2 max-pool, dense to 10), with seeded weights: it shows the shape of a vision model, it is not trained.
 */
export function digitsMlpOnnx(model: MlpModel): Uint8Array {
  const hidden = model.weights1.length;
  const inputs = model.weights1[0]!.length;
  const outputs = model.weights2.length;
  const spec: GraphSpec = {
    name: "digits_mlp",
    docString: model.description,
    inputs: [{ name: "pixels", shape: ["batch", inputs] }],
    outputs: [
      { name: "scores", shape: ["batch", outputs] },
      { name: "probabilities", shape: ["batch", outputs] },
    ],
    initializers: [
      { name: "w1", shape: [hidden, inputs], values: Float32Array.from(model.weights1.flat()) },
      { name: "b1", shape: [hidden], values: Float32Array.from(model.biases1) },
      { name: "shift", shape: [], values: Float32Array.of(1 / 2 ** model.hiddenShift) },
      { name: "floor", shape: [], values: Float32Array.of(0) },
      { name: "ceiling", shape: [], values: Float32Array.of(127) },
      { name: "w2", shape: [outputs, hidden], values: Float32Array.from(model.weights2.flat()) },
      { name: "b2", shape: [outputs], values: Float32Array.from(model.biases2) },
      { name: "temperature", shape: [], values: Float32Array.of(1 / 2 ** 10) },
    ],
    nodes: [
      { op: "Gemm", inputs: ["pixels", "w1", "b1"], output: "accumulated", attributes: { transB: 1 } },
      { op: "Mul", inputs: ["accumulated", "shift"], output: "shifted" },
      { op: "Floor", inputs: ["shifted"], output: "floored" },
      { op: "Clip", inputs: ["floored", "floor", "ceiling"], output: "hidden" },
      { op: "Gemm", inputs: ["hidden", "w2", "b2"], output: "scores", attributes: { transB: 1 } },
      { op: "Mul", inputs: ["scores", "temperature"], output: "logits" },
      { op: "Softmax", inputs: ["logits"], output: "probabilities", attributes: { axis: -1 } },
    ],
  };
  return encodeOnnxModel(spec);
}

export const CNN_CHANNELS = 8;

/** The digits CNN's seeded weights: `conv` [8][1][3][3], `convBias` [8], `dense` [10][8·4·4], `denseBias` [10]. */
export function digitsCnnWeights(seed = 20_261_128) {
  const uniform = seededRandom(seed);
  const draw = (count: number, scale: number) =>
    Float32Array.from({ length: count }, () => (uniform() * 2 - 1) * scale);
  return {
    conv: draw(CNN_CHANNELS * 9, 1 / 3),
    convBias: draw(CNN_CHANNELS, 0.1),
    dense: draw(10 * CNN_CHANNELS * 16, 1 / Math.sqrt(CNN_CHANNELS * 16)),
    denseBias: draw(10, 0.1),
  };
}

export function digitsCnnOnnx(weights = digitsCnnWeights()): Uint8Array {
  return encodeOnnxModel({
    name: "digits_cnn",
    docString:
      "8×8 images (pixels scaled to 0-1) to ten scores: conv 3×3 ×8, ReLU, max-pool 2×2, dense; seeded weights",
    inputs: [{ name: "image", shape: ["batch", 1, 8, 8] }],
    outputs: [{ name: "scores", shape: ["batch", 10] }],
    initializers: [
      { name: "conv_w", shape: [CNN_CHANNELS, 1, 3, 3], values: weights.conv },
      { name: "conv_b", shape: [CNN_CHANNELS], values: weights.convBias },
      { name: "dense_w", shape: [10, CNN_CHANNELS * 16], values: weights.dense },
      { name: "dense_b", shape: [10], values: weights.denseBias },
    ],
    nodes: [
      {
        op: "Conv",
        inputs: ["image", "conv_w", "conv_b"],
        output: "features",
        attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: "Relu", inputs: ["features"], output: "activated" },
      { op: "MaxPool", inputs: ["activated"], output: "pooled", attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["pooled"], output: "flat", attributes: { axis: 1 } },
      { op: "Gemm", inputs: ["flat", "dense_w", "dense_b"], output: "scores", attributes: { transB: 1 } },
    ],
  });
}

import type { DenseLayerModel } from "@starminer/sdk";

/** A deterministic pseudo-random int in [min, max] stream, so circuit tests are reproducible. */
export function ints(seed: number, min: number, max: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return min + (state % (max - min + 1));
  };
}

/** A 16×16 int8 model with int16 biases, and an int8 input, from a seed. */
export function sampleLayer(seed = 1): { model: DenseLayerModel; input: number[] } {
  const int8 = ints(seed, -128, 127);
  const int16 = ints(seed + 1, -2_000, 2_000);
  return {
    model: {
      weights: Array.from({ length: 16 }, () => Array.from({ length: 16 }, int8)),
      biases: Array.from({ length: 16 }, int16),
    },
    input: Array.from({ length: 16 }, int8),
  };
}

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import * as snarkjs from "snarkjs";
import { SNARK_FIELD, denseLayer, inputHash, modelHash, outputHash, poseidon, signedToField } from "@starminer/sdk";

import { capabilityCommitment, proveCapability } from "../../scripts/lib/zk/capability.js";
import { proveResultCommitment, resultCommitment, resultDigest } from "../../scripts/lib/zk/commitment.js";
import { denseLayerWitnessInput, proveDenseLayer } from "../../scripts/lib/zk/dense-layer.js";
import { compileCircuit } from "../../scripts/lib/zk/ceremony.js";
import { circuitPaths } from "../../scripts/lib/zk/circuits.js";
import { seededRandom } from "../../scripts/lib/random.js";
import { drawDigit } from "../../scripts/lib/zk/digits.js";
import {
  type MlpModel,
  argmax,
  mlp,
  mlpCircuitSource,
  mlpInputHash,
  mlpModelHash,
  mlpOutputHash,
  mlpWitnessInput,
  proveMlp,
  readMlpModel,
} from "../../scripts/lib/zk/mlp.js";
import {
  type Groth16Proof,
  prove,
  proveWitness,
  releaseProver,
  satisfiesConstraints,
  verify,
  witness,
} from "../../scripts/lib/zk/groth16.js";
import { sampleLayer } from "./fixtures.js";

const PROVIDER = "0x00000000000000000000000000000000000b0b00";
const OTHER = "0x0000000000000000000000000000000000a11ce0";

async function rejects(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (message !== undefined) expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail("expected the promise to reject");
}

function withSignal(proof: Groth16Proof, index: number, value: bigint): Groth16Proof {
  const publicSignals = [...proof.publicSignals];
  publicSignals[index] = value;
  return { ...proof, publicSignals };
}

/**
 * Where a `.wtns` file's values begin and how many wires it has: after the magic "wtns", its version and its section
 * count, sections of (type u32, size u64, data); section 1 holds the field size, the prime and the wire count,
 * section 2 the values, 32 bytes each on BN254.
 */
function witnessSection(file: Uint8Array): { start: number; wires: number } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let offset = 12;
  let wires: number | undefined;
  for (let section = 0; section < view.getUint32(8, true); section++) {
    const type = view.getUint32(offset, true);
    const size = Number(view.getBigUint64(offset + 4, true));
    const data = offset + 12;
    if (type === 1) wires = view.getUint32(data + 4 + view.getUint32(data, true), true);
    if (type === 2) return { start: data, wires: wires ?? size / 32 };
    offset = data + size;
  }
  throw new Error("the witness file has no values section");
}

describe("Circuits", function () {
  this.timeout(120_000);
  after(releaseProver);

  describe("compute_commitment", () => {
    const input = {
      jobId: 42n,
      provider: PROVIDER,
      resultDigest: resultDigest("0xc0ffee"),
      salt: 987_654_321n,
    } as const;

    it("proves a commitment bound to its job and provider", async () => {
      const { commitment, proof } = await proveResultCommitment(input);
      expect(proof.publicSignals).to.deep.equal([42n, BigInt(PROVIDER), commitment]);
      expect(await verify("compute_commitment", proof)).to.equal(true);
    });

    it("does not verify for another job or another provider", async () => {
      const { proof } = await proveResultCommitment(input);
      expect(await verify("compute_commitment", withSignal(proof, 0, 43n))).to.equal(false);
      expect(await verify("compute_commitment", withSignal(proof, 1, BigInt(OTHER)))).to.equal(false);
    });

    it("cannot be proven with the wrong salt or digest", async () => {
      const commitment = resultCommitment(input);
      const base = { jobId: 42n, provider: BigInt(PROVIDER), resultCommitment: commitment };
      await rejects(
        prove("compute_commitment", { ...base, resultDigest: input.resultDigest, salt: 1n }),
        /Assert Failed/,
      );
      await rejects(prove("compute_commitment", { ...base, resultDigest: 7n, salt: input.salt }), /Assert Failed/);
    });

    it("gives a different commitment to the same result for another provider", () => {
      expect(resultCommitment(input)).to.not.equal(resultCommitment({ ...input, provider: OTHER }));
    });
  });

  describe("dense_layer", () => {
    const { model, input } = sampleLayer(7);
    const binding = { jobId: 42n, provider: PROVIDER } as const;

    it("computes ReLU(W·x + b) and proves it for the committed model and input", async () => {
      const { output, hashes, proof } = await proveDenseLayer(model, input, binding);
      const expected = model.weights.map((row, j) =>
        Math.max(
          0,
          row.reduce((sum, w, i) => sum + w * input[i]!, model.biases[j]!),
        ),
      );
      expect(output).to.deep.equal(expected);
      expect(output.some((y) => y === 0) && output.some((y) => y > 0)).to.equal(true);
      expect(proof.publicSignals).to.deep.equal([
        hashes.modelHash,
        hashes.inputHash,
        hashes.outputHash,
        42n,
        BigInt(PROVIDER),
      ]);
      expect(await verify("dense_layer", proof)).to.equal(true);
    });

    it("refuses a wrong output: no witness exists for it", async () => {
      const output = denseLayer(model, input);
      const wrong = [...output];
      wrong[3] = wrong[3]! + 1;
      const hashes = { modelHash: modelHash(model), inputHash: inputHash(input), outputHash: outputHash(wrong) };
      await rejects(prove("dense_layer", denseLayerWitnessInput(model, input, hashes, binding)), /Assert Failed/);
    });

    it("refuses a proof for another model or input, and for another job or provider", async () => {
      const { proof } = await proveDenseLayer(model, input, binding);
      const other = sampleLayer(8);
      expect(await verify("dense_layer", withSignal(proof, 0, modelHash(other.model)))).to.equal(false);
      expect(await verify("dense_layer", withSignal(proof, 1, inputHash(other.input)))).to.equal(false);
      expect(await verify("dense_layer", withSignal(proof, 3, 43n))).to.equal(false);
      expect(await verify("dense_layer", withSignal(proof, 4, BigInt(OTHER)))).to.equal(false);
    });

    it("range-checks weights and inputs inside the circuit, not only in the library", async () => {
      const hashes = { modelHash: modelHash(model), inputHash: inputHash(input), outputHash: 0n };
      const tooBig = model.weights.map((row) => [...row]);
      tooBig[0]![0] = 128;
      await rejects(
        prove("dense_layer", denseLayerWitnessInput({ ...model, weights: tooBig }, input, hashes, binding)),
        /Assert Failed/,
      );
      const badInput = [...input];
      badInput[5] = -129;
      await rejects(prove("dense_layer", denseLayerWitnessInput(model, badInput, hashes, binding)), /Assert Failed/);
      expect(() => denseLayer({ ...model, weights: tooBig }, input)).to.throw(
        /weights\[0\]\[0\] must be an integer in \[-128, 127\]/,
      );
    });

    it("range-checks biases inside the circuit: int16 at both ends is proven, one past either end is not", async () => {
      for (const bias of [32_767, -32_768]) {
        const edge = { ...model, biases: model.biases.map((b, j) => (j === 2 ? bias : b)) };
        const { proof } = await proveDenseLayer(edge, input, binding);
        expect(await verify("dense_layer", proof)).to.equal(true);
      }
      for (const bias of [32_768, -32_769]) {
        const biases = model.biases.map((b, j) => (j === 2 ? bias : b));
        const hashes = { modelHash: modelHash(model), inputHash: inputHash(input), outputHash: 0n };
        await rejects(
          prove("dense_layer", denseLayerWitnessInput({ ...model, biases }, input, hashes, binding)),
          /Assert Failed/,
        );
      }
    });

    it("proves the extreme accumulations: every product and bias at its largest, and at its most negative", async () => {
      const filled = (weight: number, bias: number) => ({
        weights: Array.from({ length: 16 }, () => Array.from({ length: 16 }, () => weight)),
        biases: Array.from({ length: 16 }, () => bias),
      });
      const lowest = Array.from({ length: 16 }, () => -128);
      // 16 · (−128)·(−128) + 32 767 = 294 911, the largest accumulator; 16 · 127·(−128) − 32 768, the smallest.
      const largest = await proveDenseLayer(filled(-128, 32_767), lowest, binding);
      expect(largest.output).to.deep.equal(Array.from({ length: 16 }, () => 294_911));
      expect(await verify("dense_layer", largest.proof)).to.equal(true);
      const smallest = await proveDenseLayer(filled(127, -32_768), lowest, binding);
      expect(smallest.output).to.deep.equal(Array.from({ length: 16 }, () => 0));
      expect(await verify("dense_layer", smallest.proof)).to.equal(true);
    });

    it("takes ReLU at −1, 0 and 1 exactly: 0, 0 and 1, and no other output", async () => {
      const zeros = Array.from({ length: 16 }, () => 0);
      const edge = {
        weights: Array.from({ length: 16 }, () => [...zeros]),
        biases: [-1, 0, 1, ...Array.from({ length: 13 }, () => 0)],
      };
      const { output, proof } = await proveDenseLayer(edge, zeros, binding);
      expect(output.slice(0, 3)).to.deep.equal([0, 0, 1]);
      expect(await verify("dense_layer", proof)).to.equal(true);
      for (const wrong of [
        [1, 0, 1],
        [0, 1, 1],
        [0, 0, 0],
      ]) {
        const claimed = [...wrong, ...output.slice(3)];
        const hashes = { modelHash: modelHash(edge), inputHash: inputHash(zeros), outputHash: outputHash(claimed) };
        await rejects(prove("dense_layer", denseLayerWitnessInput(edge, zeros, hashes, binding)), /Assert Failed/);
      }
    });

    it("fails its constraints when any one internal signal of an honest witness is changed", async () => {
      const output = denseLayer(model, input);
      const hashes = { modelHash: modelHash(model), inputHash: inputHash(input), outputHash: outputHash(output) };
      const honest = await witness("dense_layer", denseLayerWitnessInput(model, input, hashes, binding));
      expect(await satisfiesConstraints("dense_layer", honest)).to.equal(true);
      const { start, wires } = witnessSection(honest);
      expect(wires, "dense_layer's wire count").to.be.greaterThan(3_000);
      // Wire 0 is the constant 1 and wires 1 to 5 the public signals: these are internal ones, first to last.
      for (const wire of [6, 100, 2_000, Math.floor(wires / 2), wires - 1]) {
        const tampered = new Uint8Array(honest);
        const at = start + 32 * wire;
        tampered[at] = (tampered[at]! + 1) % 256;
        expect(await satisfiesConstraints("dense_layer", tampered), `wire ${wire}`).to.equal(false);
      }
    });

    it("yields no valid proof from a forged witness", async () => {
      const output = denseLayer(model, input);
      const hashes = { modelHash: modelHash(model), inputHash: inputHash(input), outputHash: outputHash(output) };
      const honest = await witness("dense_layer", denseLayerWitnessInput(model, input, hashes, binding));
      // Overwrite the last witness value (an internal signal) with another field element.
      const forged = new Uint8Array(honest);
      forged.set(new Uint8Array(32).fill(0x11), forged.length - 32);
      const proof = await proveWitness("dense_layer", forged);
      expect(await verify("dense_layer", proof)).to.equal(false);
    });
  });

  describe("digits_mlp (a whole model: 64 → 64 → 10, int8, weights constant)", () => {
    const binding = { jobId: 42n, provider: PROVIDER } as const;
    let model: MlpModel;
    const uniform = seededRandom(7);
    const images = Array.from({ length: 10 }, (_, digit) => ({ digit, pixels: drawDigit(digit, uniform) }));
    before(async () => {
      model = await readMlpModel();
    });

    it("is the circuit its committed model generates", async () => {
      const source = await readFile(circuitPaths("digits_mlp").source, "utf8");
      expect(source).to.equal(mlpCircuitSource(model, "circuits/models/digits_mlp.json"));
      expect(model.accuracy.int8).to.be.greaterThan(0.9);
    });

    it("reads drawn digits as the trained model does, and proves the scores for the committed image", async () => {
      const right = images.filter(({ digit, pixels }) => argmax(mlp(model, pixels)) === digit).length;
      expect(right, "drawn digits read right").to.be.at.least(9);
      const { pixels } = images[3]!;
      const { output, hashes, proof } = await proveMlp("digits_mlp", model, pixels, binding);
      expect(output).to.deep.equal(mlp(model, pixels));
      expect(hashes.modelHash).to.equal(mlpModelHash(model));
      expect(proof.publicSignals).to.deep.equal([
        hashes.modelHash,
        hashes.inputHash,
        hashes.outputHash,
        42n,
        BigInt(PROVIDER),
      ]);
      expect(await verify("digits_mlp", proof)).to.equal(true);
      expect(await verify("digits_mlp", withSignal(proof, 1, mlpInputHash(images[4]!.pixels)))).to.equal(false);
      expect(await verify("digits_mlp", withSignal(proof, 3, 43n))).to.equal(false);
    });

    it("has no witness for a score that is not the model's, nor for tampered weights", async () => {
      const { pixels } = images[5]!;
      const output = mlp(model, pixels);
      const honest = { modelHash: mlpModelHash(model), inputHash: mlpInputHash(pixels) };
      const wrong = output.map((y, k) => (k === 0 ? y + 1 : y));
      await rejects(
        prove("digits_mlp", mlpWitnessInput(pixels, { ...honest, outputHash: mlpOutputHash(wrong) }, binding)),
        /Assert Failed/,
      );
      // One bias changed by one: its commitment is not the circuit's, and its scores are not the circuit's.
      const tampered = { ...model, biases2: model.biases2.map((b, k) => (k === 0 ? b + 1 : b)) };
      await rejects(proveMlp("digits_mlp", tampered, pixels, binding), /Assert Failed/);
      const tamperedScores = { ...honest, outputHash: mlpOutputHash(mlp(tampered, pixels)) };
      await rejects(prove("digits_mlp", mlpWitnessInput(pixels, tamperedScores, binding)), /Assert Failed/);
    });

    it("range-checks the image inside the circuit", async () => {
      const bad = [...images[0]!.pixels];
      bad[9] = 128;
      const hashes = { modelHash: mlpModelHash(model), inputHash: 0n, outputHash: 0n };
      await rejects(prove("digits_mlp", mlpWitnessInput(bad, hashes, binding)), /Assert Failed/);
      expect(() => mlp(model, bad)).to.throw(/input\[9\] must be an integer in \[-128, 127\]/);
    });

    it("requantises the hidden layer exactly: 0 below zero, the shifted value, 127 from 128 · 2^shift on", async () => {
      // ReluShiftInt8(21, 9), the digits model's hidden unit, alone in a circuit.
      const dir = join(tmpdir(), `starminer-relu-${process.pid}`);
      await mkdir(dir, { recursive: true });
      const file = join(dir, "relu_shift.circom");
      await writeFile(
        file,
        'pragma circom 2.1.6;\ninclude "lib/int8.circom";\ncomponent main = ReluShiftInt8(21, 9);\n',
      );
      try {
        await compileCircuit(file, dir);
        const wasm = join(dir, "relu_shift_js", "relu_shift.wasm");
        const cases: [number, number][] = [
          [-(2 ** 21) + 1, 0],
          [-1, 0],
          [0, 0],
          [511, 0],
          [512, 1],
          [127 * 512 + 511, 127],
          [128 * 512, 127],
          [2 ** 21 - 1, 127],
        ];
        for (const [input, expected] of cases) {
          const out = { type: "mem" } as { type: "mem"; data?: Uint8Array };
          await snarkjs.wtns.calculate({ in: signedToField(input) } as never, wasm, out as never);
          const { start } = witnessSection(out.data!);
          const value = out.data!.slice(start + 32, start + 64).reduceRight((v, byte) => v * 256n + BigInt(byte), 0n);
          expect(value, `ReluShiftInt8(${input})`).to.equal(BigInt(expected));
        }
        // Outside (-2^21, 2^21) there is no witness.
        await rejects(snarkjs.wtns.calculate({ in: 2n ** 21n } as never, wasm, { type: "mem" } as never));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("capability", () => {
    const specs = { node: PROVIDER, vramMiB: 81_920, computeCapability: 90, salt: 31_337n } as const;

    it("proves committed hardware meets thresholds without revealing it", async () => {
      const { commitment, proof } = await proveCapability(specs, { minVramMiB: 40_960, minComputeCapability: 80 });
      expect(proof.publicSignals).to.deep.equal([BigInt(PROVIDER), commitment, 40_960n, 80n]);
      expect(await verify("capability", proof)).to.equal(true);
    });

    it("has no proof for thresholds above the hardware", async () => {
      const commitment = capabilityCommitment(specs);
      const input = { node: BigInt(PROVIDER), commitment, vramMiB: 81_920, computeCapability: 90, salt: 31_337n };
      await rejects(prove("capability", { ...input, minVramMiB: 81_921, minComputeCapability: 80 }), /Assert Failed/);
      await rejects(prove("capability", { ...input, minVramMiB: 1, minComputeCapability: 91 }), /Assert Failed/);
      await rejects(
        proveCapability(specs, { minVramMiB: 100_000, minComputeCapability: 0 }),
        /does not meet the thresholds/,
      );
    });

    it("proves VRAM up to 2^32 − 1 MiB, and has no witness from 2^32 on (its own range check)", async () => {
      const { proof } = await proveCapability(
        { ...specs, vramMiB: 2 ** 32 - 1 },
        { minVramMiB: 2 ** 32 - 1, minComputeCapability: 90 },
      );
      expect(await verify("capability", proof)).to.equal(true);
      expect(() => capabilityCommitment({ ...specs, vramMiB: 2 ** 32 })).to.throw(/vramMiB/);
      // Past the library: a commitment to 2^32 MiB, which the circuit's 32-bit range check refuses.
      const commitment = poseidon([BigInt(PROVIDER), 2n ** 32n, 90n, specs.salt]);
      await rejects(
        prove("capability", {
          node: BigInt(PROVIDER),
          commitment,
          minVramMiB: 1,
          minComputeCapability: 1,
          vramMiB: 2n ** 32n,
          computeCapability: 90,
          salt: specs.salt,
        }),
        /Assert Failed/,
      );
    });

    it("does not verify for another node, commitment or thresholds", async () => {
      const { proof } = await proveCapability(specs, { minVramMiB: 40_960, minComputeCapability: 80 });
      expect(await verify("capability", withSignal(proof, 0, BigInt(OTHER)))).to.equal(false);
      expect(await verify("capability", withSignal(proof, 1, (proof.publicSignals[1]! + 1n) % SNARK_FIELD))).to.equal(
        false,
      );
      expect(await verify("capability", withSignal(proof, 2, 81_920n))).to.equal(false);
    });

    it("cannot be proven with the wrong salt", async () => {
      const commitment = capabilityCommitment(specs);
      await rejects(
        prove("capability", {
          node: BigInt(PROVIDER),
          commitment,
          minVramMiB: 1,
          minComputeCapability: 1,
          vramMiB: 81_920,
          computeCapability: 90,
          salt: 1n,
        }),
        /Assert Failed/,
      );
    });
  });
});

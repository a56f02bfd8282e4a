import { expect } from "chai";

import { capabilityCommitment, proveCapability } from "../../scripts/lib/zk/capability.js";
import { proveResultCommitment, resultCommitment, resultDigest } from "../../scripts/lib/zk/commitment.js";
import {
  denseLayer,
  denseLayerWitnessInput,
  inputHash,
  modelHash,
  outputHash,
  proveDenseLayer,
} from "../../scripts/lib/zk/dense-layer.js";
import { SNARK_FIELD } from "../../scripts/lib/zk/field.js";
import {
  type Groth16Proof,
  prove,
  proveWitness,
  releaseProver,
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

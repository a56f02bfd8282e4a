import { expect } from "chai";
import type { Address } from "viem";
import { WorkloadClass, fieldToBytes32, inputHash, modelHash } from "@starminer/sdk";

import { proveResultCommitment, resultDigest } from "../../scripts/lib/zk/commitment.js";
import { proveDenseLayer } from "../../scripts/lib/zk/dense-layer.js";
import { seededRandom } from "../../scripts/lib/random.js";
import { drawDigit } from "../../scripts/lib/zk/digits.js";
import { type Groth16Proof, releaseProver } from "../../scripts/lib/zk/groth16.js";
import { type MlpModel, argmax, mlpInputHash, mlpModelHash, proveMlp, readMlpModel } from "../../scripts/lib/zk/mlp.js";
import { commitmentEvidence, inferenceEvidence } from "../../scripts/lib/zk/workloads.js";
import { sampleLayer } from "../circuits/fixtures.js";
import {
  AGPU,
  DAY,
  JobStatus,
  type Market,
  Mode,
  SlotStatus,
  jobSpec,
  marketFixture,
  submit,
} from "../support/market.js";
import { type Signer, connect } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const ready = marketFixture(connection);

const ESCROW = 20n * AGPU;
const RESULT = "0x5374617247505520726573756c74"; // the bytes a provider computed

/** A compute-commitment ZK job claimed by `provider`; returns its id. */
async function commitmentJob(market: Market, provider = market.providers[0]!, redundancy = 1) {
  const spec = jobSpec(await time.latest(), {
    mode: Mode.ZK,
    workloadClass: WorkloadClass.ComputeCommitment,
    redundancy,
  });
  const jobId = await submit(market, spec);
  await market.jobMarket.connect(provider).claimSlot(jobId);
  return jobId;
}

async function proveFor(jobId: bigint, provider: string) {
  return proveResultCommitment({ jobId, provider: provider as Address, resultDigest: resultDigest(RESULT), salt: 99n });
}

/**
 * Submits a proven inference as the result of `jobId`'s slot 0, which verifies the job; once the challenge window
 * has passed, finalization pays the provider its 88%.
 */
async function expectInferencePaid(
  market: Market,
  jobId: bigint,
  provider: Signer,
  { hashes, proof }: { hashes: { modelHash: bigint; inputHash: bigint; outputHash: bigint }; proof: Groth16Proof },
) {
  const { jobMarket, agpu } = market;
  await expect(
    jobMarket
      .connect(provider)
      .submitResult(jobId, 0, fieldToBytes32(hashes.outputHash), inferenceEvidence(proof, hashes)),
  ).to.emit(jobMarket, "JobVerified");
  await time.increase(DAY + 1);
  await expect(jobMarket.finalize(jobId)).to.changeTokenBalance(ethers, agpu, provider, (ESCROW * 8_800n) / 10_000n);
}

describe("ZK jobs end to end", function () {
  this.timeout(180_000);
  after(releaseProver);

  describe("compute-commitment workload", () => {
    it("settles after a real proof bound to the job and the provider", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu } = market;
      const [provider] = market.providers;
      const jobId = await commitmentJob(market);
      await expect(
        jobMarket.connect(provider!).commitResult(jobId, 0, fieldToBytes32(1n)),
      ).to.be.revertedWithCustomError(jobMarket, "MarketWrongMode");

      const { commitment, proof } = await proveFor(jobId, provider!.address);
      await expect(
        jobMarket.connect(provider!).submitResult(jobId, 0, fieldToBytes32(commitment), commitmentEvidence(proof)),
      )
        .to.emit(jobMarket, "ResultRevealed")
        .withArgs(jobId, 0n, provider!.address, fieldToBytes32(commitment))
        .and.to.emit(jobMarket, "JobVerified");
      // The proof is the job's check: no audit is drawn for it (a salted commitment could never be re-executed).
      await time.increase(DAY + 1);
      expect(await market.verificationHub.auditDrawOf(jobId)).to.equal(0n);
      expect(await market.verificationHub.auditSeedBlockOf(jobId)).to.equal(0n);
      await expect(jobMarket.finalize(jobId)).to.changeTokenBalance(
        ethers,
        agpu,
        provider!,
        (ESCROW * 8_800n) / 10_000n,
      );
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
    });

    it("refuses the same proof replayed for another job, or by another provider", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub } = market;
      const [alpha, beta] = market.providers;
      const first = await commitmentJob(market, alpha!);
      const { commitment, proof } = await proveFor(first, alpha!.address);
      await jobMarket.connect(alpha!).submitResult(first, 0, fieldToBytes32(commitment), commitmentEvidence(proof));

      const second = await commitmentJob(market, alpha!);
      await expect(
        jobMarket.connect(alpha!).submitResult(second, 0, fieldToBytes32(commitment), commitmentEvidence(proof)),
      )
        .to.be.revertedWithCustomError(verificationHub, "HubInvalidProof")
        .withArgs(second, alpha!.address);

      const shared = await commitmentJob(market, alpha!, 2);
      await jobMarket.connect(beta!).claimSlot(shared);
      const alphas = await proveFor(shared, alpha!.address);
      await expect(
        jobMarket
          .connect(beta!)
          .submitResult(shared, 1, fieldToBytes32(alphas.commitment), commitmentEvidence(alphas.proof)),
      )
        .to.be.revertedWithCustomError(verificationHub, "HubInvalidProof")
        .withArgs(shared, beta!.address);
      // Alpha's own proof still counts for alpha's slot.
      await jobMarket
        .connect(alpha!)
        .submitResult(shared, 0, fieldToBytes32(alphas.commitment), commitmentEvidence(alphas.proof));
    });

    it("refuses a tampered or malformed proof and pays nothing", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub, agpu } = market;
      const [provider] = market.providers;
      const jobId = await commitmentJob(market);
      const { commitment, proof } = await proveFor(jobId, provider!.address);
      const balance = await agpu.balanceOf(await jobMarket.getAddress());
      const tampered = { ...proof, a: [proof.a[0], proof.a[1] + 1n] as [bigint, bigint] };
      for (const evidence of [commitmentEvidence(tampered), "0x", "0x1234"]) {
        await expect(jobMarket.connect(provider!).submitResult(jobId, 0, fieldToBytes32(commitment), evidence))
          .to.be.revertedWithCustomError(verificationHub, "HubInvalidProof")
          .withArgs(jobId, provider!.address);
      }
      await expect(
        jobMarket.connect(provider!).submitResult(jobId, 0, fieldToBytes32(commitment + 1n), commitmentEvidence(proof)),
      ).to.be.revertedWithCustomError(verificationHub, "HubInvalidProof");
      expect((await jobMarket.slotsOf(jobId))[0]!.status).to.equal(SlotStatus.Claimed);
      expect(await agpu.balanceOf(await jobMarket.getAddress())).to.equal(balance);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Open);
    });
  });

  describe("dense-layer workload (ZKML)", () => {
    const { model, input } = sampleLayer(11);
    const commitments = {
      modelCommitment: fieldToBytes32(modelHash(model)),
      inputCommitment: fieldToBytes32(inputHash(input)),
    };

    async function denseJob(market: Market, overrides = commitments) {
      const spec = jobSpec(await time.latest(), {
        mode: Mode.ZK,
        workloadClass: WorkloadClass.DenseLayer,
        ...overrides,
      });
      const jobId = await submit(market, spec);
      await market.jobMarket.connect(market.providers[0]!).claimSlot(jobId);
      return jobId;
    }

    it("settles a job whose output the provider computed and proved correct for the committed model and input", async () => {
      const market = await loadFixture(ready);
      const [provider] = market.providers;
      const jobId = await denseJob(market);
      const proven = await proveDenseLayer(model, input, { jobId, provider: provider!.address as Address });
      await expectInferencePaid(market, jobId, provider!, proven);
    });

    it("refuses a wrong output, another job's proof, and a proof of another model than the job's", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub } = market;
      const [provider] = market.providers;
      const first = await denseJob(market);
      const { hashes, proof } = await proveDenseLayer(model, input, {
        jobId: first,
        provider: provider!.address as Address,
      });
      const evidence = inferenceEvidence(proof, hashes);
      await expect(
        jobMarket.connect(provider!).submitResult(first, 0, fieldToBytes32(hashes.outputHash + 1n), evidence),
      ).to.be.revertedWithCustomError(verificationHub, "HubInvalidProof");

      // Same model and input, another job: the proof is bound to the first.
      const second = await denseJob(market);
      await expect(jobMarket.connect(provider!).submitResult(second, 0, fieldToBytes32(hashes.outputHash), evidence))
        .to.be.revertedWithCustomError(verificationHub, "HubInvalidProof")
        .withArgs(second, provider!.address);

      // A job for another model: a valid proof of this model does not open its spec hash.
      const other = sampleLayer(12);
      const third = await denseJob(market, {
        modelCommitment: fieldToBytes32(modelHash(other.model)),
        inputCommitment: commitments.inputCommitment,
      });
      const forThird = await proveDenseLayer(model, input, { jobId: third, provider: provider!.address as Address });
      await expect(
        jobMarket
          .connect(provider!)
          .submitResult(
            third,
            0,
            fieldToBytes32(forThird.hashes.outputHash),
            inferenceEvidence(forThird.proof, forThird.hashes),
          ),
      ).to.be.revertedWithCustomError(verificationHub, "HubInvalidProof");

      await jobMarket.connect(provider!).submitResult(first, 0, fieldToBytes32(hashes.outputHash), evidence);
      expect((await jobMarket.jobOf(first)).status).to.equal(JobStatus.Verified);
    });
  });
  describe("digits-MLP workload (ZKML of a whole model)", () => {
    let model: MlpModel;
    const uniform = seededRandom(2026);
    const image = drawDigit(7, uniform);
    const other = drawDigit(1, uniform);
    before(async () => {
      model = await readMlpModel();
    });

    /** A ZK job for the digits model on `pixels`, claimed by the first provider; returns its id. */
    async function mlpJob(market: Market, pixels: readonly number[], modelCommitment?: bigint) {
      const spec = jobSpec(await time.latest(), {
        mode: Mode.ZK,
        workloadClass: WorkloadClass.DigitsMlp,
        modelCommitment: fieldToBytes32(modelCommitment ?? mlpModelHash(model)),
        inputCommitment: fieldToBytes32(mlpInputHash(pixels)),
      });
      const jobId = await submit(market, spec);
      await market.jobMarket.connect(market.providers[0]!).claimSlot(jobId);
      return jobId;
    }

    it("settles an inference of the whole model proven for the job's image, and pays the provider", async () => {
      const market = await loadFixture(ready);
      const [provider] = market.providers;
      const jobId = await mlpJob(market, image);
      const proven = await proveMlp("digits_mlp", model, image, { jobId, provider: provider!.address as Address });
      expect(argmax(proven.output)).to.equal(7);
      await expectInferencePaid(market, jobId, provider!, proven);
    });

    it("refuses tampered scores, another image's proof, and a job for tampered weights", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub } = market;
      const [provider] = market.providers;
      const binding = (jobId: bigint) => ({ jobId, provider: provider!.address as Address });
      const jobId = await mlpJob(market, image);
      const { hashes, proof } = await proveMlp("digits_mlp", model, image, binding(jobId));
      const evidence = inferenceEvidence(proof, hashes);
      await expect(
        jobMarket.connect(provider!).submitResult(jobId, 0, fieldToBytes32(hashes.outputHash + 1n), evidence),
      )
        .to.be.revertedWithCustomError(verificationHub, "HubInvalidProof")
        .withArgs(jobId, provider!.address);

      // A proof for another image, bound to this job: it does not open the job's input commitment.
      const forOther = await proveMlp("digits_mlp", model, other, binding(jobId));
      await expect(
        jobMarket
          .connect(provider!)
          .submitResult(
            jobId,
            0,
            fieldToBytes32(forOther.hashes.outputHash),
            inferenceEvidence(forOther.proof, forOther.hashes),
          ),
      ).to.be.revertedWithCustomError(verificationHub, "HubInvalidProof");

      // A job for the model with one weight changed: the circuit proves only its own weights, so a proof of the
      // real model does not open the job's spec, and none exists for the tampered one.
      const tampered = {
        ...model,
        weights2: model.weights2.map((row, k) => (k === 0 ? [row[0]! + 1, ...row.slice(1)] : row)),
      };
      const tamperedJob = await mlpJob(market, image, mlpModelHash(tampered));
      const real = await proveMlp("digits_mlp", model, image, binding(tamperedJob));
      await expect(
        jobMarket
          .connect(provider!)
          .submitResult(
            tamperedJob,
            0,
            fieldToBytes32(real.hashes.outputHash),
            inferenceEvidence(real.proof, real.hashes),
          ),
      ).to.be.revertedWithCustomError(verificationHub, "HubInvalidProof");
      let refused = false;
      await proveMlp("digits_mlp", tampered, image, binding(tamperedJob)).catch(() => (refused = true));
      expect(refused, "a proof of the tampered weights").to.equal(true);

      await jobMarket.connect(provider!).submitResult(jobId, 0, fieldToBytes32(hashes.outputHash), evidence);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
    });
  });
});

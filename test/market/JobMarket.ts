import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import type { Address } from "viem";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { MAX_CLAIM_BATCH, MAX_FINALIZE_BATCH, specHash, zoneId } from "@starminer/sdk";

import {
  AGPU,
  DAY,
  EU_WEST,
  HOUR,
  JobStatus,
  type Market,
  Mode,
  Outcome,
  PROVIDER_STAKE,
  SlotStatus,
  Tier,
  claimedConsensusJob,
  claimedOptimisticJob,
  commitmentOf,
  jobSpec,
  marketFixture,
  raiseReputation,
  result,
  salt,
  submit,
} from "../support/market.js";
import { NodeRole, providerMetadata } from "../support/nodes.js";
import { connect, pinPrice, stakeFrom } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const ready = marketFixture(connection);

const NO_EVIDENCE = "0x";
const SLASH_MISSED = keccak256(toUtf8Bytes("market.missed"));
const SLASH_DISSENT = keccak256(toUtf8Bytes("market.dissent"));
const ZERO = ethers.ZeroAddress;

/** An Optimistic single-provider job submitted by Alice, claimed by a provider above the optimistic floor. */
async function claimedOptimistic() {
  return claimedOptimisticJob(await ready(), () => time.latest());
}

/** A three-provider Consensus job, every slot claimed. */
async function claimedConsensus() {
  return claimedConsensusJob(await ready(), () => time.latest());
}

/** Commits `results[i]` for slot i of a claimed Consensus job (undefined: that provider stays silent). */
async function commitAll(market: Market, jobId: bigint, results: (string | undefined)[]) {
  const providers = market.providers;
  for (const [slot, value] of results.entries()) {
    if (value === undefined) continue;
    const provider = providers[slot]!;
    await market.jobMarket
      .connect(provider)
      .commitResult(jobId, slot, commitmentOf(jobId, slot, provider.address, value, salt(slot + 1)));
  }
}

async function revealAll(market: Market, jobId: bigint, results: (string | undefined)[]) {
  for (const [slot, value] of results.entries()) {
    if (value === undefined) continue;
    await market.jobMarket
      .connect(market.providers[slot]!)
      .revealResult(jobId, slot, value, salt(slot + 1), NO_EVIDENCE);
  }
}

/**
 * Checks that `batch` (finalizeMany, claimMany) refuses an empty batch and one of `max + 1` jobs, naming the size
 * and the bound, and that the market's bound is the one the tools cut their batches to (`toolsMax`).
 */
async function expectBatchBounds(
  market: Market,
  batch: (jobIds: bigint[]) => Promise<unknown>,
  max: bigint,
  toolsMax: number,
) {
  expect(max).to.equal(BigInt(toolsMax));
  await expect(batch([])).to.be.revertedWithCustomError(market.jobMarket, "MarketInvalidBatchSize").withArgs(0n, max);
  const tooMany = Array.from({ length: Number(max) + 1 }, (_, i) => BigInt(i + 1));
  await expect(batch(tooMany))
    .to.be.revertedWithCustomError(market.jobMarket, "MarketInvalidBatchSize")
    .withArgs(max + 1n, max);
}

describe("JobMarket", function () {
  this.timeout(120_000);

  describe("submission", () => {
    it("quotes the job, escrows the quote from the requester and opens the job; demand waits for a claim", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, pricingEngine, agpu, accounts } = market;
      const spec = jobSpec(await time.latest(), { redundancy: 3, mode: Mode.Consensus });
      const quote = await pricingEngine.quote(spec.zone, spec.tier, spec.gpuHours, spec.redundancy, false);
      expect(quote.total).to.equal(2n * AGPU * 10n * 3n);

      const tx = jobMarket.connect(accounts.alice).submitJob(spec);
      await expect(tx).to.changeTokenBalances(ethers, agpu, [accounts.alice, jobMarket], [-quote.total, quote.total]);
      const hashOfSpec = specHash(spec);
      await expect(tx)
        .to.emit(jobMarket, "JobSubmitted")
        .withArgs(
          1n,
          accounts.alice.address,
          EU_WEST,
          EU_WEST,
          Tier.Standard,
          Mode.Consensus,
          3,
          10,
          quote.pricePerGpuHour,
          quote.total,
          spec.deadline,
          hashOfSpec,
          spec.modelCommitment,
          spec.inputCommitment,
        )
        .and.not.to.emit(pricingEngine, "DemandRecorded");

      const job = await jobMarket.jobOf(1n);
      expect(job.status).to.equal(JobStatus.Open);
      expect(job.requester).to.equal(accounts.alice.address);
      expect(job.escrow).to.equal(quote.total);
      // Only ZK jobs keep the spec hash in storage; the event carries it for every job.
      expect(job.specHash).to.equal(ethers.ZeroHash);
      expect(job.reputationFloor).to.equal(4_000n);
      expect(job.collateralBps).to.equal(15_000n);
      expect(await jobMarket.totalEscrowed()).to.equal(quote.total);
      const slots = await jobMarket.slotsOf(1n);
      expect(slots.map((s) => s.status)).to.deep.equal([1, 2, 3].map(() => BigInt(SlotStatus.Open)));
      expect(await jobMarket.collateralOf(1n)).to.equal(((quote.total / 3n) * 3n) / 2n);
      // A claim is demand: the first claim records every slot's GPU-hours, once per job.
      await expect(jobMarket.connect(market.providers[0]!).claimSlot(1n))
        .to.emit(pricingEngine, "DemandRecorded")
        .withArgs(EU_WEST, anyValue, 30n, anyValue);
      await expect(jobMarket.connect(market.providers[1]!).claimSlot(1n)).not.to.emit(pricingEngine, "DemandRecorded");
    });

    it("asks an Optimistic job's provider for the higher of its tier's floor and the Optimistic floor", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, pricingEngine, accounts } = market;
      const { optimisticReputationFloor } = await jobMarket.marketParameters();
      expect(optimisticReputationFloor).to.equal(6_000n);
      await pricingEngine.connect(accounts.governor).setTiers([10_000, 10_000, 15_000], [0, 4_000, 7_000]);
      const now = await time.latest();
      // Standard's floor (4 000) is under the Optimistic floor; Priority's (7 000) is over it.
      const standard = await submit(market, jobSpec(now, { tier: Tier.Standard }));
      const priority = await submit(market, jobSpec(now, { tier: Tier.Priority }));
      const consensus = await submit(
        market,
        jobSpec(now, { tier: Tier.Standard, mode: Mode.Consensus, redundancy: 3 }),
      );
      expect((await jobMarket.jobOf(standard)).reputationFloor).to.equal(6_000n);
      expect((await jobMarket.jobOf(priority)).reputationFloor).to.equal(7_000n);
      expect((await jobMarket.jobOf(consensus)).reputationFloor).to.equal(4_000n);
    });

    it("refuses bad input with a specific error and moves no funds", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu, pricingEngine, accounts } = market;
      const now = await time.latest();
      const balance = await agpu.balanceOf(accounts.alice.address);
      const cases: [Partial<Parameters<typeof jobSpec>[1]>, string, unknown[]][] = [
        [{ deadline: BigInt(now) - 1n }, "MarketInvalidDeadline", []],
        [{ deadline: BigInt(now) + 60n }, "MarketInvalidDeadline", []],
        [{ deadline: BigInt(now) + 31n * BigInt(DAY) }, "MarketInvalidDeadline", []],
        [{ redundancy: 0 }, "MarketInvalidRedundancy", [0, Mode.Optimistic]],
        [{ redundancy: 4 }, "MarketInvalidRedundancy", [4, Mode.Optimistic]],
        [{ redundancy: 1, mode: Mode.Consensus }, "MarketInvalidRedundancy", [1, Mode.Consensus]],
        [{ redundancy: 2, mode: Mode.Consensus }, "MarketInvalidRedundancy", [2, Mode.Consensus]],
        [{ gpuHours: 0 }, "MarketZeroHours", []],
        [{ maxTotal: 20n * AGPU - 1n }, "MarketPriceAboveLimit", [20n * AGPU, 20n * AGPU - 1n]],
        [{ deliveryWindow: 59 }, "MarketInvalidDeliveryWindow", [59, 600, 30 * DAY]],
        [{ mode: Mode.ZK, workloadClass: 7 }, "MarketUnsupportedWorkload", [7]],
      ];
      for (const [overrides, error, args] of cases) {
        const attempt = jobMarket.connect(accounts.alice).submitJob(jobSpec(now, overrides));
        if (args.length > 0)
          await expect(attempt)
            .to.be.revertedWithCustomError(jobMarket, error)
            .withArgs(...args);
        else await expect(attempt).to.be.revertedWithCustomError(jobMarket, error);
      }
      await expect(
        jobMarket.connect(accounts.alice).submitJob(jobSpec(now, { zone: zoneId("moon-base") })),
      ).to.be.revertedWithCustomError(pricingEngine, "PricingUnknownZone");
      await expect(
        jobMarket.connect(accounts.alice).submitJob(jobSpec(now, { tier: 3 })),
      ).to.be.revertedWithCustomError(pricingEngine, "PricingUnknownTier");
      expect(await agpu.balanceOf(accounts.alice.address)).to.equal(balance);
      expect(await jobMarket.jobCount()).to.equal(0n);
      expect(await jobMarket.totalEscrowed()).to.equal(0n);
    });

    it("takes an escrow of exactly 2^96 - 1 wei, and refuses one that does not fit 96 bits", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu, accounts } = market;
      // 79 443 divides 2^96 - 1: at this price per GPU-hour (about 997 296 AGPU), 79 443 GPU-hours cost exactly it.
      const largest = 2n ** 96n - 1n;
      const gpuHours = 79_443;
      const price = largest / BigInt(gpuHours);
      expect(price * BigInt(gpuHours)).to.equal(largest);
      await pinPrice(market, price);
      // It fits: the job is refused only for want of the requester's funds.
      const fits = jobSpec(await time.latest(), { gpuHours, maxTotal: largest });
      await expect(jobMarket.connect(accounts.alice).submitJob(fits)).to.be.revertedWithCustomError(
        agpu,
        "ERC20InsufficientAllowance",
      );
      await pinPrice(market, price + 1n);
      const tooMuch = jobSpec(await time.latest(), { gpuHours, maxTotal: largest * 2n });
      await expect(jobMarket.connect(accounts.alice).submitJob(tooMuch))
        .to.be.revertedWithCustomError(jobMarket, "MarketEscrowTooLarge")
        .withArgs(largest + BigInt(gpuHours));
    });

    it("refuses a requester who has not approved the escrow, and keeps nothing", async () => {
      const { jobMarket, agpu, accounts } = await loadFixture(ready);
      await agpu.connect(accounts.alice).approve(await jobMarket.getAddress(), 0n);
      await expect(
        jobMarket.connect(accounts.alice).submitJob(jobSpec(await time.latest())),
      ).to.be.revertedWithCustomError(agpu, "ERC20InsufficientAllowance");
      expect(await jobMarket.jobCount()).to.equal(0n);
    });
  });

  describe("spillover", () => {
    it("serves a spillover job in the cheaper neighbour it was quoted in, by that zone's providers", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, pricingEngine, nodeRegistry, accounts } = market;
      const EU_CENTRAL = zoneId("eu-central");
      // Carol serves eu-central, a neighbour of eu-west at a 5% latency penalty.
      await stakeFrom(market, accounts.carol, PROVIDER_STAKE);
      await nodeRegistry.connect(accounts.carol).register(NodeRole.PROVIDER, providerMetadata({ zone: EU_CENTRAL }));
      await pricingEngine.connect(accounts.governor).setNeighbours(EU_WEST, EU_CENTRAL, 500);
      // eu-west runs full for an epoch (four providers, four GPU-hours), so its price rises above the neighbour's.
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 4n);
      await time.increase((await pricingEngine.marketParameters()).epochDuration);
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 4n);

      const spec = jobSpec(await time.latest(), { spilloverAllowed: true, mode: Mode.Consensus, redundancy: 3 });
      const quote = await pricingEngine.quote(EU_WEST, spec.tier, spec.gpuHours, spec.redundancy, true);
      expect(quote.spilledOver).to.equal(true);
      await expect(jobMarket.connect(accounts.alice).submitJob(spec))
        .to.emit(jobMarket, "JobSubmitted")
        .withArgs(
          1n,
          accounts.alice.address,
          EU_CENTRAL,
          EU_WEST,
          Tier.Standard,
          Mode.Consensus,
          3,
          10,
          quote.pricePerGpuHour,
          quote.total,
          spec.deadline,
          (value: string) => value.length === 66,
          spec.modelCommitment,
          spec.inputCommitment,
        );
      expect((await jobMarket.jobOf(1n)).zone).to.equal(EU_CENTRAL);
      await expect(jobMarket.connect(market.providers[0]!).claimSlot(1n))
        .to.be.revertedWithCustomError(jobMarket, "MarketWrongZone")
        .withArgs(market.providers[0]!.address, EU_WEST, EU_CENTRAL);
      await jobMarket.connect(accounts.carol).claimSlot(1n);
    });
  });

  describe("cancellation", () => {
    it("refunds the whole escrow of an unclaimed job to its requester, and only to them", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu, accounts } = market;
      const jobId = await submit(market, jobSpec(await time.latest()));
      await expect(jobMarket.connect(accounts.bob).cancelJob(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotRequester")
        .withArgs(jobId, accounts.bob.address);
      const tx = jobMarket.connect(accounts.alice).cancelJob(jobId);
      await expect(tx)
        .to.emit(jobMarket, "JobCancelled")
        .withArgs(jobId, 20n * AGPU);
      await expect(tx).to.changeTokenBalances(ethers, agpu, [accounts.alice, jobMarket], [20n * AGPU, -20n * AGPU]);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Cancelled);
      await expect(jobMarket.connect(accounts.alice).cancelJob(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Cancelled);
      await expect(jobMarket.connect(market.providers[0]!).claimSlot(jobId)).to.be.revertedWithCustomError(
        jobMarket,
        "MarketJobNotInStatus",
      );
    });

    it("refuses to cancel a job a provider has claimed", async () => {
      const { jobMarket, jobId, accounts } = await loadFixture(claimedOptimistic);
      await expect(jobMarket.connect(accounts.alice).cancelJob(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobHasClaims")
        .withArgs(jobId);
    });

    it("refuses unknown jobs", async () => {
      const { jobMarket, accounts } = await loadFixture(ready);
      await expect(jobMarket.connect(accounts.alice).cancelJob(42n))
        .to.be.revertedWithCustomError(jobMarket, "MarketUnknownJob")
        .withArgs(42n);
      await expect(jobMarket.jobOf(42n)).to.be.revertedWithCustomError(jobMarket, "MarketUnknownJob");
    });
  });

  describe("claims", () => {
    it("assigns the first open slot and locks the provider's collateral until the deadline of its delivery", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, staking } = market;
      const [provider] = market.providers;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
      const collateral = await jobMarket.collateralOf(jobId);
      expect(collateral).to.equal(30n * AGPU);
      const tx = jobMarket.connect(provider!).claimSlot(jobId);
      const claimedAt = (await time.latest()) + 1;
      await expect(tx)
        .to.emit(jobMarket, "SlotClaimed")
        .withArgs(jobId, 0n, provider!.address, collateral, claimedAt + HOUR)
        .and.to.emit(staking, "CollateralLocked")
        .withArgs(provider!.address, collateral, collateral);
      const [slot] = await jobMarket.slotsOf(jobId);
      expect(slot!.provider).to.equal(provider!.address);
      expect(slot!.status).to.equal(SlotStatus.Claimed);
      expect(slot!.deliverBy).to.equal(BigInt(claimedAt + HOUR));
      await expect(jobMarket.connect(provider!).claimSlot(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketAlreadyAssigned")
        .withArgs(jobId, provider!.address);
      await jobMarket.connect(market.providers[1]!).claimSlot(jobId);
      await jobMarket.connect(market.providers[2]!).claimSlot(jobId);
      await expect(jobMarket.connect(market.providers[3]!).claimSlot(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketNoOpenSlot")
        .withArgs(jobId);
    });

    it("caps a delivery deadline at the job's deadline", async () => {
      const market = await loadFixture(ready);
      const now = await time.latest();
      const jobId = await submit(
        market,
        jobSpec(now, { deliveryWindow: HOUR, deadline: BigInt(now) + 2n * BigInt(HOUR) }),
      );
      await raiseReputation(market, market.providers[0]!.address);
      await time.increase(HOUR + 1_800);
      await market.jobMarket.connect(market.providers[0]!).claimSlot(jobId);
      expect((await market.jobMarket.slotsOf(jobId))[0]!.deliverBy).to.equal(BigInt(now) + 2n * BigInt(HOUR));
    });

    it("enforces eligibility: registration, zone, hardware, proven hardware, attestation, reputation floors", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, nodeRegistry, staking, accounts } = market;
      const [provider] = market.providers;
      const now = await time.latest();
      const consensus = { mode: Mode.Consensus, redundancy: 3 };

      const basic = await submit(market, jobSpec(now, consensus));
      await expect(jobMarket.connect(accounts.stranger).claimSlot(basic))
        .to.be.revertedWithCustomError(jobMarket, "MarketProviderNotEligible")
        .withArgs(accounts.stranger.address);

      // Carol is a provider in us-east.
      await stakeFrom(market, accounts.carol, PROVIDER_STAKE);
      await nodeRegistry
        .connect(accounts.carol)
        .register(NodeRole.PROVIDER, providerMetadata({ zone: zoneId("us-east") }));
      await expect(jobMarket.connect(accounts.carol).claimSlot(basic))
        .to.be.revertedWithCustomError(jobMarket, "MarketWrongZone")
        .withArgs(accounts.carol.address, zoneId("us-east"), EU_WEST);

      const bigGpu = await submit(market, jobSpec(now, { ...consensus, minVramMiB: 163_840 }));
      await expect(jobMarket.connect(provider!).claimSlot(bigGpu))
        .to.be.revertedWithCustomError(jobMarket, "MarketHardwareBelowRequirement")
        .withArgs(provider!.address);
      const newArch = await submit(market, jobSpec(now, { ...consensus, minComputeCapability: 100 }));
      await expect(jobMarket.connect(provider!).claimSlot(newArch)).to.be.revertedWithCustomError(
        jobMarket,
        "MarketHardwareBelowRequirement",
      );
      const proven = await submit(market, jobSpec(now, { ...consensus, provenHardware: true }));
      await expect(jobMarket.connect(provider!).claimSlot(proven))
        .to.be.revertedWithCustomError(jobMarket, "MarketHardwareNotProven")
        .withArgs(provider!.address);
      const tee = await submit(market, jobSpec(now, { ...consensus, teeRequired: true }));
      await expect(jobMarket.connect(provider!).claimSlot(tee))
        .to.be.revertedWithCustomError(jobMarket, "MarketAttestationRequired")
        .withArgs(provider!.address);

      // A new provider is neutral (5 000): under Priority's floor (7 000) and the optimistic floor (6 000).
      const priority = await submit(market, jobSpec(now, { ...consensus, tier: Tier.Priority }));
      await expect(jobMarket.connect(provider!).claimSlot(priority))
        .to.be.revertedWithCustomError(jobMarket, "MarketReputationBelowFloor")
        .withArgs(provider!.address, 5_000n, 7_000n);
      const optimistic = await submit(market, jobSpec(now));
      await expect(jobMarket.connect(provider!).claimSlot(optimistic))
        .to.be.revertedWithCustomError(jobMarket, "MarketReputationBelowFloor")
        .withArgs(provider!.address, 5_000n, 6_000n);
      await raiseReputation(market, provider!.address);
      await jobMarket.connect(provider!).claimSlot(optimistic);

      // A provider whose stake cannot cover the collateral is refused by Staking, with its own error.
      // 5 000 GPU-hours at 2 AGPU on two slots: each slot's collateral is 15 000 AGPU, over the 10 000 staked.
      const huge = await submit(market, jobSpec(now, { ...consensus, gpuHours: 5_000 }));
      await expect(jobMarket.connect(market.providers[1]!).claimSlot(huge)).to.be.revertedWithCustomError(
        staking,
        "StakingInsufficientAvailableStake",
      );
    });

    it("refuses the job's own requester and claims at or after the deadline", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, providers } = market;
      const now = await time.latest();
      await market.agpu.connect(market.accounts.deployer).transfer(providers[3]!.address, 1_000n * AGPU);
      await market.agpu.connect(providers[3]!).approve(await jobMarket.getAddress(), 1_000n * AGPU);
      const jobId = await submit(market, jobSpec(now, { mode: Mode.Consensus, redundancy: 3 }), providers[3]!);
      await expect(jobMarket.connect(providers[3]!).claimSlot(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketRequesterCannotClaim")
        .withArgs(jobId);
      await time.increaseTo(now + DAY);
      await expect(jobMarket.connect(providers[0]!).claimSlot(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketClaimTooLate")
        .withArgs(jobId, BigInt(now + DAY));
    });
  });

  describe("a single-provider Optimistic job", () => {
    it("settles after the challenge window: provider 88%, treasury 12%, collateral freed, reputation up", async () => {
      const { jobMarket, agpu, staking, reputation, treasury, jobId, provider } = await loadFixture(claimedOptimistic);
      const output = result("answer");
      await expect(jobMarket.connect(provider).submitResult(jobId, 0, output, NO_EVIDENCE))
        .to.emit(jobMarket, "ResultRevealed")
        .withArgs(jobId, 0n, provider.address, output)
        .and.to.emit(jobMarket, "JobVerified");
      const job = await jobMarket.jobOf(jobId);
      expect(job.status).to.equal(JobStatus.Verified);
      expect(job.acceptedSlots).to.equal(1n);
      expect(job.challengeEndsAt).to.equal(BigInt((await time.latest()) + DAY));

      await expect(jobMarket.finalize(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketChallengeWindowOpen")
        .withArgs(jobId, job.challengeEndsAt);
      await time.increaseTo(job.challengeEndsAt + 1n);
      const escrow = 20n * AGPU;
      const tx = jobMarket.finalize(jobId);
      await expect(tx).to.changeTokenBalances(
        ethers,
        agpu,
        [provider, jobMarket],
        [(escrow * 8_800n) / 10_000n, -(escrow * 8_800n) / 10_000n],
      );
      await expect(tx)
        .to.emit(jobMarket, "ProviderPaid")
        .withArgs(jobId, 0n, provider.address, (escrow * 8_800n) / 10_000n, 0n, (escrow * 1_200n) / 10_000n)
        .and.to.emit(jobMarket, "JobSettled")
        .withArgs(jobId, escrow, 0n)
        .and.to.emit(reputation, "ReputationUpdated")
        .and.to.emit(staking, "CollateralUnlocked");
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
      expect(await staking.lockedOf(provider.address)).to.equal(0n);
      expect((await reputation.recordOf(provider.address)).completed).to.equal(5n);
      expect(await jobMarket.totalEscrowed()).to.equal(0n);
      expect(await jobMarket.unsweptFees()).to.equal((escrow * 1_200n) / 10_000n);

      await expect(jobMarket.sweepFees()).to.changeTokenBalances(
        ethers,
        agpu,
        [jobMarket, treasury],
        [-(escrow * 1_200n) / 10_000n, (escrow * 1_200n) / 10_000n],
      );
      await expect(jobMarket.sweepFees()).to.be.revertedWithCustomError(jobMarket, "MarketNothingToSweep");
      await expect(jobMarket.finalize(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Settled);
      expect(await agpu.balanceOf(await jobMarket.getAddress())).to.equal(0n);
    });

    it("pays the model creator 5% and the provider 83% when the job names a model creator", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu, accounts } = market;
      const [provider] = market.providers;
      await raiseReputation(market, provider!.address);
      const jobId = await submit(
        market,
        jobSpec(await time.latest(), { modelCreator: accounts.carol.address as Address }),
      );
      await jobMarket.connect(provider!).claimSlot(jobId);
      await jobMarket.connect(provider!).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      await time.increase(DAY + 1);
      const escrow = 20n * AGPU;
      await expect(jobMarket.finalize(jobId)).to.changeTokenBalances(
        ethers,
        agpu,
        [provider!, accounts.carol],
        [(escrow * 8_300n) / 10_000n, (escrow * 500n) / 10_000n],
      );
    });

    it("lets only the slot's provider deliver, once, before its delivery deadline, and refuses a zero result", async () => {
      const { jobMarket, jobId, provider, providers, accounts } = await loadFixture(claimedOptimistic);
      await expect(jobMarket.connect(providers[1]!).submitResult(jobId, 0, result("x"), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotSlotProvider")
        .withArgs(jobId, 0n, providers[1]!.address);
      await expect(
        jobMarket.connect(accounts.alice).submitResult(jobId, 0, result("x"), NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "MarketNotSlotProvider");
      await expect(jobMarket.connect(provider).submitResult(jobId, 1, result("x"), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidSlot")
        .withArgs(jobId, 1n);
      await expect(
        jobMarket.connect(provider).submitResult(jobId, 0, ethers.ZeroHash, NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "MarketZeroResult");
      const deliverBy = (await jobMarket.slotsOf(jobId))[0]!.deliverBy;
      await time.increaseTo(deliverBy + 1n);
      await expect(jobMarket.connect(provider).submitResult(jobId, 0, result("x"), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketDeliveryOverdue")
        .withArgs(jobId, 0n, deliverBy);
    });

    it("accepts commit–reveal for a single slot too, and refuses a reveal that does not match the commitment", async () => {
      const { jobMarket, agpu, jobId, provider } = await loadFixture(claimedOptimistic);
      const output = result("answer");
      await jobMarket
        .connect(provider)
        .commitResult(jobId, 0, commitmentOf(jobId, 0, provider.address, output, salt(9)));
      const balance = await agpu.balanceOf(await jobMarket.getAddress());
      await expect(jobMarket.connect(provider).revealResult(jobId, 0, result("other"), salt(9), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketResultMismatch")
        .withArgs(jobId, 0n);
      await expect(
        jobMarket.connect(provider).revealResult(jobId, 0, output, salt(8), NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "MarketResultMismatch");
      expect((await jobMarket.slotsOf(jobId))[0]!.status).to.equal(SlotStatus.Committed);
      expect(await agpu.balanceOf(await jobMarket.getAddress())).to.equal(balance);
      await expect(jobMarket.connect(provider).revealResult(jobId, 0, output, salt(9), NO_EVIDENCE)).to.emit(
        jobMarket,
        "JobVerified",
      );
      await expect(jobMarket.connect(provider).revealResult(jobId, 0, output, salt(9), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Verified);
    });
  });

  describe("a three-provider Consensus job", () => {
    it("keeps reveals closed until every slot has committed, then accepts the matching results", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, agpu, jobId, trio } = market;
      const answer = result("answer");
      await expect(jobMarket.connect(trio[0]!).submitResult(jobId, 0, answer, NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketCommitRevealRequired")
        .withArgs(jobId);
      await commitAll(market, jobId, [answer, answer]);
      await expect(jobMarket.connect(trio[0]!).revealResult(jobId, 0, answer, salt(1), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketRevealNotOpen")
        .withArgs(jobId);
      const revealEndsAt = (await time.latest()) + 1 + HOUR;
      await expect(jobMarket.connect(trio[2]!).commitResult(jobId, 2, ethers.ZeroHash)).to.be.revertedWithCustomError(
        jobMarket,
        "MarketZeroResult",
      );
      await expect(
        jobMarket.connect(trio[2]!).commitResult(jobId, 2, commitmentOf(jobId, 2, trio[2]!.address, answer, salt(3))),
      )
        .to.emit(jobMarket, "RevealOpened")
        .withArgs(jobId, revealEndsAt);
      await expect(
        jobMarket.connect(trio[0]!).revealResult(jobId, 0, ethers.ZeroHash, salt(1), NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "MarketZeroResult");
      await revealAll(market, jobId, [answer, answer, answer]);
      const job = await jobMarket.jobOf(jobId);
      expect(job.status).to.equal(JobStatus.Verified);
      expect(job.acceptedSlots).to.equal(0b111n);

      await time.increase(DAY + 1);
      const share = (60n * AGPU) / 3n;
      await expect(jobMarket.finalize(jobId)).to.changeTokenBalances(
        ethers,
        agpu,
        trio,
        trio.map(() => (share * 8_800n) / 10_000n),
      );
    });

    it("slashes a dissenter once the challenge window has passed, pays the majority and refunds the dissenter's share", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, agpu, staking, reputation, jobId, trio, accounts } = market;
      const [answer, wrong] = [result("answer"), result("wrong")];
      await commitAll(market, jobId, [answer, wrong, answer]);
      await revealAll(market, jobId, [answer, wrong]);
      const tx = jobMarket.connect(trio[2]!).revealResult(jobId, 2, answer, salt(3), NO_EVIDENCE);
      await expect(tx)
        .to.emit(jobMarket, "ResultRejected")
        .withArgs(jobId, 1n, trio[1]!.address, wrong)
        .and.not.to.emit(staking, "Slashed");
      // Until the window passes, an audit or a dispute may still show the majority wrong: the collateral waits.
      expect(await staking.lockedOf(trio[1]!.address)).to.equal(30n * AGPU);
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b101n);

      await time.increase(DAY + 1);
      const share = 20n * AGPU;
      const finalized = jobMarket.finalize(jobId);
      await expect(finalized)
        .to.emit(staking, "Slashed")
        .withArgs(trio[1]!.address, SLASH_DISSENT, ZERO, 15n * AGPU, 30n * AGPU, 0n, 1n)
        .and.to.emit(reputation, "ReputationUpdated");
      await expect(finalized).to.changeTokenBalances(
        ethers,
        agpu,
        [trio[0]!, trio[1]!, trio[2]!, accounts.alice],
        [(share * 8_800n) / 10_000n, 0n, (share * 8_800n) / 10_000n, share],
      );
      expect((await reputation.recordOf(trio[1]!.address)).faulty).to.equal(1n);
      expect(await staking.lockedOf(trio[1]!.address)).to.equal(0n);
    });

    it("verifies a three-way split with nothing accepted, and unchallenged refunds it with every collateral back", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, verificationHub, agpu, staking, jobId, trio, accounts } = market;
      await commitAll(market, jobId, [result("A"), result("B"), result("C")]);
      await revealAll(market, jobId, [result("A"), result("B")]);
      // The third reveal makes it a split: nobody is in a majority, so nothing is accepted and every revealer's
      // collateral stays locked until an audit can say who was right.
      await expect(jobMarket.connect(trio[2]!).revealResult(jobId, 2, result("C"), salt(3), NO_EVIDENCE))
        .to.emit(jobMarket, "JobVerified")
        .withArgs(jobId, 0, anyValue)
        .and.to.emit(verificationHub, "AuditDrawn")
        .withArgs(jobId, true);
      const collateral = await jobMarket.collateralOf(jobId);
      for (const provider of trio) expect(await staking.lockedOf(provider.address)).to.equal(collateral);
      // Nothing accepted: the requester has nothing to dispute (auditors settle a split).
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubNothingAccepted")
        .withArgs(jobId);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId)).to.emit(jobMarket, "JobSettled").withArgs(jobId, 0n, anyValue);
      // Nobody was shown wrong: nobody is slashed or paid, and the requester has its escrow back.
      for (const provider of trio) {
        expect(await staking.lockedOf(provider.address)).to.equal(0n);
        expect(await staking.recentOffences(provider.address)).to.equal(0n);
      }
      expect(await agpu.balanceOf(accounts.alice.address)).to.equal(100_000n * AGPU);
    });

    it("slashes a provider who committed but never revealed, once the reveal window has closed", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, staking, jobId, trio, accounts } = market;
      const answer = result("answer");
      await commitAll(market, jobId, [answer, answer, answer]);
      await revealAll(market, jobId, [answer, answer]);
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 2))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired")
        .withArgs(jobId, 2n);
      await time.increase(HOUR + 1);
      await expect(
        jobMarket.connect(trio[2]!).revealResult(jobId, 2, answer, salt(3), NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "MarketRevealClosed");
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 2))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 2n, trio[2]!.address, false)
        .and.to.emit(staking, "Slashed")
        .withArgs(trio[2]!.address, SLASH_MISSED, accounts.stranger.address, 15n * AGPU, 30n * AGPU, AGPU, 1n)
        .and.to.emit(jobMarket, "JobVerified");
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b011n);
      expect(await staking.unpaidBountyOf(accounts.stranger.address)).to.equal(AGPU);
    });
  });

  describe("batched settlement", () => {
    /** `count` Optimistic jobs, each delivered by the next of the first two providers; returns their ids. */
    async function deliveredOptimistic(market: Market, count: number) {
      const ids: bigint[] = [];
      for (const provider of market.providers.slice(0, 2)) await raiseReputation(market, provider.address);
      for (let i = 0; i < count; i++) {
        const provider = market.providers[i % 2]!;
        const jobId = await submit(market, jobSpec(await time.latest()));
        await market.jobMarket.connect(provider).claimSlot(jobId);
        await market.jobMarket.connect(provider).submitResult(jobId, 0, result(`answer ${i}`), NO_EVIDENCE);
        ids.push(jobId);
      }
      return ids;
    }

    it("settles every ready job as finalize would, and skips the others without stopping", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu, staking, accounts } = market;
      const [early, late] = await deliveredOptimistic(market, 2);
      await time.increase(DAY + 1);
      const [fresh] = await deliveredOptimistic(market, 1);
      const freshWindow = (await jobMarket.jobOf(fresh!)).challengeEndsAt;
      const open = await submit(market, jobSpec(await time.latest()));
      const unknown = 999n;
      const batch = [early!, fresh!, unknown, open, late!, early!];
      expect(await jobMarket.finalizeMany.staticCall(batch)).to.equal(2n);

      const escrow = 20n * AGPU;
      const toProvider = (escrow * 8_800n) / 10_000n;
      const [first, second] = market.providers as [(typeof market.providers)[0], (typeof market.providers)[0]];
      const tx = jobMarket.connect(accounts.stranger).finalizeMany(batch);
      await expect(tx).to.changeTokenBalances(
        ethers,
        agpu,
        [first, second, jobMarket],
        [toProvider, toProvider, -2n * toProvider],
      );
      await expect(tx)
        .to.emit(jobMarket, "JobSettled")
        .withArgs(early!, escrow, 0n)
        .and.to.emit(jobMarket, "JobSettled")
        .withArgs(late!, escrow, 0n)
        .and.to.emit(jobMarket, "FinalizeSkipped")
        .withArgs(fresh!, JobStatus.Verified, freshWindow)
        .and.to.emit(jobMarket, "FinalizeSkipped")
        .withArgs(unknown, JobStatus.None, 0n)
        .and.to.emit(jobMarket, "FinalizeSkipped")
        .withArgs(open, JobStatus.Open, 0n)
        .and.to.emit(jobMarket, "FinalizeSkipped")
        .withArgs(early!, JobStatus.Settled, anyValue);
      for (const jobId of [early!, late!]) expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
      // The skipped job's collateral (the first provider's) stays locked.
      expect(await staking.lockedOf(first.address)).to.equal(await jobMarket.collateralOf(fresh!));
      expect(await staking.lockedOf(second.address)).to.equal(0n);
      expect(await jobMarket.unsweptFees()).to.equal(2n * (escrow - toProvider));

      // The skipped job settles on its own once its window has passed, alone or in a later batch.
      await time.increaseTo(freshWindow + 1n);
      const freshEscrow = (await jobMarket.jobOf(fresh!)).escrow;
      await expect(jobMarket.finalizeMany([fresh!]))
        .to.emit(jobMarket, "JobSettled")
        .withArgs(fresh!, freshEscrow, 0n);
      expect(await jobMarket.totalEscrowed()).to.equal((await jobMarket.jobOf(open)).escrow);
    });

    it("slashes a consensus dissenter inside a batch, with the same checks as one by one", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, staking, jobId, trio } = market;
      const [answer, wrong] = [result("answer"), result("wrong")];
      await commitAll(market, jobId, [answer, wrong, answer]);
      await revealAll(market, jobId, [answer, wrong, answer]);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalizeMany([jobId]))
        .to.emit(staking, "Slashed")
        .withArgs(trio[1]!.address, SLASH_DISSENT, ZERO, 15n * AGPU, 30n * AGPU, 0n, 1n)
        .and.to.emit(jobMarket, "JobSettled")
        .withArgs(jobId, 40n * AGPU, 20n * AGPU);
    });

    it("refuses an empty batch and one of more than MAX_FINALIZE_BATCH jobs", async () => {
      const market = await loadFixture(ready);
      const { jobMarket } = market;
      await expectBatchBounds(
        market,
        (jobIds) => jobMarket.finalizeMany(jobIds),
        await jobMarket.MAX_FINALIZE_BATCH(),
        MAX_FINALIZE_BATCH,
      );
    });
  });

  describe("batched claims", () => {
    const MAX_SLOT = 2n ** 256n - 1n;
    const selector = (market: Market, error: string) =>
      (market.jobMarket.interface.getError(error) ?? market.staking.interface.getError(error))!.selector;

    it("claims every claimable job as claimSlot would, locks their collateral at once, and skips the others", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, staking, pricingEngine, accounts } = market;
      const [provider, other] = market.providers as [(typeof market.providers)[0], (typeof market.providers)[0]];
      await raiseReputation(market, provider.address);
      const now = await time.latest();
      const consensus = { mode: Mode.Consensus, redundancy: 3 };
      const optimistic = await submit(market, jobSpec(now));
      const shared = await submit(market, jobSpec(now, consensus));
      await jobMarket.connect(other).claimSlot(shared);
      const fresh = await submit(market, jobSpec(now, consensus));
      const tee = await submit(market, jobSpec(now, { ...consensus, teeRequired: true }));
      const cancelled = await submit(market, jobSpec(now, consensus));
      await jobMarket.connect(accounts.alice).cancelJob(cancelled);
      const unknown = 999n;
      const batch = [optimistic, shared, tee, unknown, fresh, cancelled, shared];
      expect(await jobMarket.connect(provider).claimMany.staticCall(batch)).to.deep.equal([
        0n,
        1n,
        MAX_SLOT,
        MAX_SLOT,
        0n,
        MAX_SLOT,
        MAX_SLOT,
      ]);

      const collateral = await Promise.all([optimistic, shared, fresh].map((id) => jobMarket.collateralOf(id)));
      const total = collateral.reduce((a, b) => a + b, 0n);
      const gpuHours = async (id: bigint) => {
        const job = await jobMarket.jobOf(id);
        return job.gpuHours * job.redundancy;
      };
      // Demand is recorded on a job's first claim: the Optimistic job's and the fresh job's, not the shared one's.
      const demand = (await gpuHours(optimistic)) + (await gpuHours(fresh));
      const tx = jobMarket.connect(provider).claimMany(batch);
      const deliverBy = (await time.latest()) + 1 + HOUR;
      await expect(tx)
        .to.emit(jobMarket, "SlotClaimed")
        .withArgs(optimistic, 0n, provider.address, collateral[0], deliverBy)
        .and.to.emit(jobMarket, "SlotClaimed")
        .withArgs(shared, 1n, provider.address, collateral[1], deliverBy)
        .and.to.emit(jobMarket, "SlotClaimed")
        .withArgs(fresh, 0n, provider.address, collateral[2], deliverBy)
        .and.to.emit(jobMarket, "ClaimSkipped")
        .withArgs(tee, selector(market, "MarketAttestationRequired"))
        .and.to.emit(jobMarket, "ClaimSkipped")
        .withArgs(unknown, selector(market, "MarketUnknownJob"))
        .and.to.emit(jobMarket, "ClaimSkipped")
        .withArgs(cancelled, selector(market, "MarketJobNotInStatus"))
        .and.to.emit(jobMarket, "ClaimSkipped")
        .withArgs(shared, selector(market, "MarketAlreadyAssigned"))
        .and.to.emit(staking, "CollateralLocked")
        .withArgs(provider.address, total, total)
        .and.to.emit(pricingEngine, "DemandRecorded")
        .withArgs(EU_WEST, anyValue, demand, anyValue);
      const receipt = await (await tx).wait();
      const named = (name: string) =>
        receipt!.logs.filter((log) => jobMarket.interface.parseLog(log)?.name === name).length;
      expect([named("SlotClaimed"), named("ClaimSkipped")]).to.deep.equal([3, 4]);

      expect(await staking.lockedOf(provider.address)).to.equal(total);
      for (const [jobId, slot] of [
        [optimistic, 0],
        [shared, 1],
        [fresh, 0],
      ] as const) {
        const claimed = (await jobMarket.slotsOf(jobId))[slot]!;
        expect([claimed.provider, claimed.status, claimed.deliverBy]).to.deep.equal([
          provider.address,
          BigInt(SlotStatus.Claimed),
          BigInt(deliverBy),
        ]);
      }
      // The skipped jobs are as they were: the TEE job still open to an attested provider.
      expect((await jobMarket.slotsOf(tee)).every((slot) => slot.provider === ZERO)).to.equal(true);
      // A claimed job proceeds as if claimed alone.
      await jobMarket.connect(provider).submitResult(optimistic, 0, result("answer"), NO_EVIDENCE);
      expect((await jobMarket.jobOf(optimistic)).status).to.equal(JobStatus.Verified);
    });

    it("skips a job whose collateral the stake left by the batch's earlier claims does not cover", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, staking } = market;
      const [provider] = market.providers;
      const now = await time.latest();
      const large = { mode: Mode.Consensus, redundancy: 3, gpuHours: 1_200 };
      const jobs = [
        await submit(market, jobSpec(now, large)),
        await submit(market, jobSpec(now, large)),
        await submit(market, jobSpec(now, large)),
      ];
      const collateral = await jobMarket.collateralOf(jobs[0]!);
      expect(2n * collateral <= PROVIDER_STAKE && 3n * collateral > PROVIDER_STAKE).to.equal(true);
      await expect(jobMarket.connect(provider!).claimMany(jobs))
        .to.emit(jobMarket, "ClaimSkipped")
        .withArgs(jobs[2]!, selector(market, "StakingInsufficientAvailableStake"))
        .and.to.emit(staking, "CollateralLocked")
        .withArgs(provider!.address, 2n * collateral, 2n * collateral);
      // One by one, the third claim is refused by Staking with the same error.
      await expect(jobMarket.connect(provider!).claimSlot(jobs[2]!)).to.be.revertedWithCustomError(
        staking,
        "StakingInsufficientAvailableStake",
      );
    });

    it("changes nothing when no job of the batch can be claimed: no slot, no collateral, no demand", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, staking } = market;
      const stranger = market.accounts.stranger;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
      // Someone who is not a provider is skipped on every job.
      await expect(jobMarket.connect(stranger).claimMany([jobId, jobId]))
        .to.emit(jobMarket, "ClaimSkipped")
        .withArgs(jobId, selector(market, "MarketProviderNotEligible"))
        .and.not.to.emit(staking, "CollateralLocked")
        .and.not.to.emit(market.pricingEngine, "DemandRecorded");
      expect((await jobMarket.slotsOf(jobId))[0]!.provider).to.equal(ZERO);
    });

    it("refuses an empty batch, one of more than MAX_CLAIM_BATCH jobs, and any batch while paused", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, accounts } = market;
      await expectBatchBounds(
        market,
        (jobIds) => jobMarket.claimMany(jobIds),
        await jobMarket.MAX_CLAIM_BATCH(),
        MAX_CLAIM_BATCH,
      );
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
      await jobMarket.connect(accounts.guardian).pause();
      await expect(jobMarket.connect(market.providers[0]!).claimMany([jobId])).to.be.revertedWithCustomError(
        jobMarket,
        "EnforcedPause",
      );
    });
  });

  describe("steps out of order", () => {
    it("refuses each step before its time, and after it", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, verificationHub, jobId, trio, accounts } = market;
      const answer = result("answer");
      await expect(jobMarket.connect(trio[0]!).revealResult(jobId, 0, answer, salt(1), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotInStatus")
        .withArgs(jobId, 0n, SlotStatus.Claimed);
      await expect(jobMarket.finalize(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Open);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubJobNotVerified")
        .withArgs(jobId);
      await expect(jobMarket.expireSlot(jobId, 0)).to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired");

      await commitAll(market, jobId, [answer, answer, answer]);
      await expect(
        jobMarket.connect(trio[0]!).commitResult(jobId, 0, commitmentOf(jobId, 0, trio[0]!.address, answer, salt(7))),
      )
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotInStatus")
        .withArgs(jobId, 0n, SlotStatus.Committed);
      await expect(jobMarket.connect(trio[1]!).revealResult(jobId, 0, answer, salt(1), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotSlotProvider")
        .withArgs(jobId, 0n, trio[1]!.address);
      await revealAll(market, jobId, [answer, answer, answer]);
      await expect(jobMarket.connect(trio[0]!).revealResult(jobId, 0, answer, salt(1), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Verified);
      await expect(jobMarket.expireSlot(jobId, 0))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Verified);
      await expect(jobMarket.connect(accounts.alice).cancelJob(jobId)).to.be.revertedWithCustomError(
        jobMarket,
        "MarketJobNotInStatus",
      );
      await time.increase(DAY + 1);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "HubChallengeWindowClosed",
      );
      await jobMarket.finalize(jobId);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "HubJobNotVerified",
      );
    });
  });

  describe("failover and timeouts", () => {
    it("slashes a provider who misses its delivery, reopens the slot to others, and the job still settles", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, staking, reputation, agpu, jobId, provider, providers, accounts } = market;
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired")
        .withArgs(jobId, 0n);
      await time.increase(HOUR + 1);
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 0n, provider.address, true)
        .and.to.emit(staking, "Slashed")
        .withArgs(provider.address, SLASH_MISSED, accounts.stranger.address, 15n * AGPU, 30n * AGPU, AGPU, 1n)
        .and.to.emit(reputation, "ReputationUpdated");
      expect((await reputation.recordOf(provider.address)).missed).to.equal(1n);
      expect(await staking.lockedOf(provider.address)).to.equal(0n);
      const [slot] = await jobMarket.slotsOf(jobId);
      expect(slot!.status).to.equal(SlotStatus.Open);

      // The provider who missed is barred from the job; another takes the slot and delivers.
      await expect(jobMarket.connect(provider).claimSlot(jobId)).to.be.revertedWithCustomError(
        jobMarket,
        "MarketAlreadyAssigned",
      );
      const [, backup] = providers;
      await raiseReputation(market, backup!.address);
      await jobMarket.connect(backup!).claimSlot(jobId);
      await jobMarket.connect(backup!).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId)).to.changeTokenBalances(
        ethers,
        agpu,
        [backup!, provider, accounts.alice],
        [(20n * AGPU * 8_800n) / 10_000n, 0n, 0n],
      );
    });

    it("refunds the requester when a provider misses and no delivery window is left before the deadline", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, agpu, accounts } = market;
      const [provider] = market.providers;
      await raiseReputation(market, provider!.address);
      const now = await time.latest();
      const jobId = await submit(market, jobSpec(now, { deadline: BigInt(now) + BigInt(HOUR) + 60n }));
      await jobMarket.connect(provider!).claimSlot(jobId);
      await time.increase(HOUR + 1);
      const tx = jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
      await expect(tx)
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 0n, provider!.address, false)
        .and.to.emit(jobMarket, "JobRefunded")
        .withArgs(jobId, 20n * AGPU);
      await expect(tx).to.changeTokenBalances(ethers, agpu, [accounts.alice, jobMarket], [20n * AGPU, -20n * AGPU]);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Refunded);
    });

    it("refunds a job nobody claimed once its deadline has passed", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, accounts } = market;
      const now = await time.latest();
      const jobId = await submit(market, jobSpec(now));
      await expect(jobMarket.expireSlot(jobId, 0)).to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired");
      await time.increaseTo(now + DAY);
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 0n, ZERO, false)
        .and.to.emit(jobMarket, "JobRefunded")
        .withArgs(jobId, 20n * AGPU);
      await expect(jobMarket.expireSlot(jobId, 0)).to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus");
    });

    it("pays no bounty to a provider who expires its own slot", async () => {
      const { jobMarket, staking, jobId, provider } = await loadFixture(claimedOptimistic);
      await time.increase(HOUR + 1);
      await expect(jobMarket.connect(provider).expireSlot(jobId, 0))
        .to.emit(staking, "Slashed")
        .withArgs(provider.address, SLASH_MISSED, ZERO, 15n * AGPU, 30n * AGPU, 0n, 1n);
    });
  });

  describe("governance", () => {
    it("changes the fee split and the market parameters within their bounds, and only through governance", async () => {
      const { jobMarket, accounts } = await loadFixture(ready);
      const split = { providerBps: 8_500, gasSubsidyBps: 0, treasuryBps: 1_000, modelCreatorBps: 500 };
      await expect(jobMarket.connect(accounts.stranger).setFeeSplit(split)).to.be.revertedWithCustomError(
        jobMarket,
        "AccessManagedUnauthorized",
      );
      await expect(jobMarket.connect(accounts.governor).setFeeSplit(split)).to.emit(jobMarket, "FeeSplitSet");
      expect((await jobMarket.feeSplit()).providerBps).to.equal(8_500n);
      await expect(jobMarket.connect(accounts.governor).setFeeSplit({ ...split, treasuryBps: 1_001 }))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidFeeSplit")
        .withArgs(10_001n);
      await expect(
        jobMarket
          .connect(accounts.governor)
          .setFeeSplit({ providerBps: 4_000, gasSubsidyBps: 1_000, treasuryBps: 3_000, modelCreatorBps: 2_000 }),
      )
        .to.be.revertedWithCustomError(jobMarket, "MarketParameterOutOfBounds")
        .withArgs("providerBps", 4_000n, 5_000n, 10_000n);

      const parameters = {
        collateralBps: 20_000,
        optimisticReputationFloor: 7_000,
        revealWindow: 2 * HOUR,
        challengeWindow: 3 * DAY,
        minDeliveryWindow: 300,
        maxJobDuration: 60 * DAY,
      };
      await expect(jobMarket.connect(accounts.governor).setMarketParameters(parameters)).to.emit(
        jobMarket,
        "MarketParametersSet",
      );
      for (const [name, value, min, max] of [
        ["collateralBps", 999, 1_000, 30_000],
        ["optimisticReputationFloor", 4_999, 5_000, 10_000],
        ["revealWindow", 60, 300, 7 * DAY],
        ["challengeWindow", 31 * DAY, 600, 30 * DAY],
        ["minDeliveryWindow", 2 * DAY, 60, DAY],
        ["maxJobDuration", 366 * DAY, DAY, 365 * DAY],
      ] as const) {
        await expect(jobMarket.connect(accounts.governor).setMarketParameters({ ...parameters, [name]: value }))
          .to.be.revertedWithCustomError(jobMarket, "MarketParameterOutOfBounds")
          .withArgs(name, value, min, max);
      }
    });

    it("snapshots the collateral rate per job, so a later change does not alter what a claim locked", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, staking, accounts } = market;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
      await jobMarket.connect(market.providers[0]!).claimSlot(jobId);
      const { optimisticReputationFloor, revealWindow, challengeWindow, minDeliveryWindow, maxJobDuration } =
        await jobMarket.marketParameters();
      const parameters = {
        collateralBps: 30_000,
        optimisticReputationFloor,
        revealWindow,
        challengeWindow,
        minDeliveryWindow,
        maxJobDuration,
      };
      await jobMarket.connect(accounts.governor).setMarketParameters(parameters);
      expect(await jobMarket.collateralOf(jobId)).to.equal(30n * AGPU);
      expect(await staking.lockedOf(market.providers[0]!.address)).to.equal(30n * AGPU);
    });
  });

  describe("pause", () => {
    it("stops new jobs, claims, deliveries and expiries while paused, and stops the clock; cancel stays open", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, jobId, provider, accounts } = market;
      const open = await submit(market, jobSpec(await time.latest()));
      const deliverBy = (await jobMarket.slotsOf(jobId))[0]!.deliverBy;
      await jobMarket.connect(accounts.guardian).pause();
      await expect(
        jobMarket.connect(accounts.alice).submitJob(jobSpec(await time.latest())),
      ).to.be.revertedWithCustomError(jobMarket, "EnforcedPause");
      await expect(jobMarket.connect(market.providers[1]!).claimSlot(open)).to.be.revertedWithCustomError(
        jobMarket,
        "EnforcedPause",
      );
      await expect(
        jobMarket.connect(provider).submitResult(jobId, 0, result("x"), NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "EnforcedPause");
      await jobMarket.connect(accounts.alice).cancelJob(open);
      await time.increase(HOUR + 1);
      // The provider could not deliver: its window waits, and nobody can expire the slot.
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0)).to.be.revertedWithCustomError(
        jobMarket,
        "EnforcedPause",
      );
      expect((await jobMarket.slotsOf(jobId))[0]!.deliverBy).to.be.greaterThan(deliverBy + BigInt(HOUR));
      await expect(jobMarket.connect(accounts.guardian).unpause()).to.be.revertedWithCustomError(
        jobMarket,
        "AccessManagedUnauthorized",
      );
      await jobMarket.connect(accounts.governor).unpause();
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired")
        .withArgs(jobId, 0n);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("x"), NO_EVIDENCE);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
    });
  });

  describe("the clock and the hub-facing functions", () => {
    /** Signs as the verification hub, the only holder of the market's hub-facing functions. */
    async function asHub(market: Market) {
      const address = await market.verificationHub.getAddress();
      await networkHelpers.setBalance(address, 10n ** 18n);
      return ethers.getImpersonatedSigner(address);
    }

    it("stands still while the market or the hub is paused, and runs again only when both are lifted", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub, accounts } = market;
      await jobMarket.connect(accounts.guardian).pause();
      const stoppedAt = await jobMarket.clock();
      await verificationHub.connect(accounts.guardian).pause();
      await time.increase(HOUR);
      await jobMarket.connect(accounts.governor).unpause();
      await time.increase(HOUR);
      expect(await jobMarket.clock()).to.equal(stoppedAt);
      await expect(verificationHub.connect(accounts.governor).unpause()).to.emit(jobMarket, "MarketClockResumed");
      await time.increase(HOUR);
      expect(await jobMarket.clock()).to.equal(stoppedAt + BigInt(HOUR));
    });

    it("counts each hold once: a repeated hold, or a release without a hold, changes nothing", async () => {
      const market = await loadFixture(ready);
      const { jobMarket } = market;
      const hub = await asHub(market);
      await expect(jobMarket.connect(hub).holdClock(false)).not.to.emit(jobMarket, "MarketClockResumed");
      await expect(jobMarket.connect(hub).holdClock(true)).to.emit(jobMarket, "MarketClockStopped");
      const stoppedAt = await jobMarket.clock();
      await time.increase(HOUR);
      await expect(jobMarket.connect(hub).holdClock(true)).not.to.emit(jobMarket, "MarketClockStopped");
      await expect(jobMarket.connect(hub).holdClock(false)).to.emit(jobMarket, "MarketClockResumed");
      expect(await jobMarket.clock()).to.equal(stoppedAt);
    });

    it("starts a dispute only on a Verified job, and closes one only on a Disputed job, whoever asks", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, jobId, provider, accounts } = market;
      const hub = await asHub(market);
      await expect(jobMarket.connect(hub).startDispute(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Open);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      await expect(jobMarket.connect(hub).closeDispute(jobId, 0, accounts.alice.address, ethers.ZeroHash, 0n))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Verified);
    });

    it("refuses, by the market's own clock, a dispute started after the challenge window, whoever asks", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, jobId, provider } = market;
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      const { challengeEndsAt } = await jobMarket.jobOf(jobId);
      await time.increaseTo(challengeEndsAt + 1n);
      await expect(jobMarket.connect(await asHub(market)).startDispute(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketChallengeWindowClosed")
        .withArgs(jobId, challengeEndsAt);
    });

    it("stops commitments and reveals while paused, and the reveal window waits out the pause", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, jobId, trio, accounts } = market;
      const answer = result("answer");
      await commitAll(market, jobId, [answer, answer]);
      await jobMarket.connect(accounts.guardian).pause();
      await expect(
        jobMarket.connect(trio[2]!).commitResult(jobId, 2, commitmentOf(jobId, 2, trio[2]!.address, answer, salt(3))),
      ).to.be.revertedWithCustomError(jobMarket, "EnforcedPause");
      await jobMarket.connect(accounts.governor).unpause();
      await commitAll(market, jobId, [undefined, undefined, answer]);
      const { revealEndsAt } = await jobMarket.jobOf(jobId);
      await jobMarket.connect(accounts.guardian).pause();
      await expect(
        jobMarket.connect(trio[0]!).revealResult(jobId, 0, answer, salt(1), NO_EVIDENCE),
      ).to.be.revertedWithCustomError(jobMarket, "EnforcedPause");
      await time.increase(2 * HOUR);
      await jobMarket.connect(accounts.governor).unpause();
      // The two hours paused do not count against the reveal window.
      expect((await jobMarket.jobOf(jobId)).revealEndsAt).to.be.greaterThan(revealEndsAt + BigInt(2 * HOUR) - 1n);
      await revealAll(market, jobId, [answer, answer, answer]);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
    });
  });

  describe("batch views", () => {
    it("lists the claimable jobs of a zone, by tier or at every tier, and reads jobs with their slots in one call", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, jobMarketLens, accounts } = market;
      const now = await time.latest();
      const consensus = { mode: Mode.Consensus, redundancy: 3 };
      const open = await submit(market, jobSpec(now, consensus));
      const economy = await submit(market, jobSpec(now, { ...consensus, tier: Tier.Economy }));
      const full = await submit(market, jobSpec(now, consensus));
      const cancelled = await submit(market, jobSpec(now, consensus));
      const partly = await submit(market, jobSpec(now, consensus));
      await jobMarket.connect(market.providers[0]!).claimSlot(full);
      await jobMarket.connect(market.providers[1]!).claimSlot(full);
      await jobMarket.connect(market.providers[2]!).claimSlot(full);
      await jobMarket.connect(market.providers[0]!).claimSlot(partly);
      await jobMarket.connect(accounts.alice).cancelJob(cancelled);

      expect(await jobMarketLens.openJobs(EU_WEST, Tier.Standard, 0, 100)).to.deep.equal([open, partly]);
      expect(await jobMarketLens.openJobs(EU_WEST, Tier.Economy, 1, 100)).to.deep.equal([economy]);
      expect(await jobMarketLens.openJobs(EU_WEST, Tier.Standard, 2, 3)).to.deep.equal([]);
      expect(await jobMarketLens.openJobs(zoneId("us-east"), Tier.Standard, 1, 100)).to.deep.equal([]);
      // Every tier at once: the union of the tiers' lists, in id order, with the same range and deadline rules.
      expect(await jobMarketLens.openJobsInZone(EU_WEST, 0, 100)).to.deep.equal([open, economy, partly]);
      expect(await jobMarketLens.openJobsInZone(EU_WEST, economy, 2)).to.deep.equal([economy]);
      expect(await jobMarketLens.openJobsInZone(zoneId("us-east"), 1, 100)).to.deep.equal([]);
      await time.increaseTo(now + DAY);
      expect(await jobMarketLens.openJobs(EU_WEST, Tier.Standard, 1, 100)).to.deep.equal([]);
      expect(await jobMarketLens.openJobsInZone(EU_WEST, 1, 100)).to.deep.equal([]);

      const [first, second] = await jobMarketLens.jobsWithSlots([full, partly]);
      expect(first!.jobId).to.equal(full);
      expect(first!.slots.map((slot) => slot.provider)).to.deep.equal([
        market.providers[0]!.address,
        market.providers[1]!.address,
        market.providers[2]!.address,
      ]);
      expect(second!.job.status).to.equal(JobStatus.Open);
      expect(second!.slots[1]!.status).to.equal(SlotStatus.Open);
    });
  });

  describe("outcomes recorded", () => {
    it("records a completion with the delivery's speed", async () => {
      const { jobMarket, reputation, jobId, provider } = await loadFixture(claimedOptimistic);
      await time.increase(HOUR / 2 - 1);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      expect((await jobMarket.slotsOf(jobId))[0]!.speedPercent).to.equal(50n);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId))
        .to.emit(reputation, "ReputationUpdated")
        .withArgs(
          provider.address,
          Outcome.Completed,
          (v: bigint) => v > 0n,
          (v: bigint) => v > 0n,
          (v: bigint) => v > 0n,
          (v: bigint) => v > 0n,
          ethers.toBeHex(jobId, 32),
        );
    });
  });
});

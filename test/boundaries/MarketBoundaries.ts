import { expect } from "chai";

import {
  HOUR,
  Mode,
  SlotStatus,
  Tier,
  commitmentOf,
  jobSpec,
  marketFixture,
  raiseReputation,
  result,
  salt,
  submit,
} from "../support/market.js";
import { connect } from "../support/protocol.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const ready = marketFixture(connection);

const NO_EVIDENCE = "0x";
const ANSWER = result("answer");

/** An Optimistic single-provider job (one day to its deadline, one hour to deliver), not yet claimed. */
async function submitted() {
  const market = await ready();
  const [provider] = market.providers;
  await raiseReputation(market, provider!.address);
  const jobId = await submit(market, jobSpec(await time.latest()));
  const job = await market.jobMarket.jobOf(jobId);
  return { ...market, jobId, provider: provider!, deadline: job.deadline };
}

/** The same job, claimed: `deliverBy` is one hour after the claim. */
async function claimed() {
  const market = await submitted();
  await market.jobMarket.connect(market.provider).claimSlot(market.jobId);
  const [slot] = await market.jobMarket.slotsOf(market.jobId);
  return { ...market, deliverBy: slot!.deliverBy };
}

/** The same job, delivered and Verified: `challengeEndsAt` is one day after the delivery. */
async function verified() {
  const market = await claimed();
  await market.jobMarket.connect(market.provider).submitResult(market.jobId, 0, ANSWER, NO_EVIDENCE);
  const job = await market.jobMarket.jobOf(market.jobId);
  return { ...market, challengeEndsAt: job.challengeEndsAt };
}

/** A three-provider Consensus job whose three slots are committed: `revealEndsAt` is set. */
async function committed() {
  const market = await ready();
  const trio = market.providers.slice(0, 3);
  const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
  for (const provider of trio) await market.jobMarket.connect(provider).claimSlot(jobId);
  for (const [slot, provider] of trio.entries()) {
    await market.jobMarket
      .connect(provider)
      .commitResult(jobId, slot, commitmentOf(jobId, slot, provider.address, ANSWER, salt(slot + 1)));
  }
  const job = await market.jobMarket.jobOf(jobId);
  return { ...market, jobId, trio, revealEndsAt: job.revealEndsAt };
}

describe("JobMarket at its time boundaries: one second before, at, one second after", () => {
  describe("a slot can be claimed until, and not at, the job's deadline", () => {
    it("claims one second before the deadline, with delivery due at the deadline", async () => {
      const { jobMarket, jobId, provider, deadline } = await loadFixture(submitted);
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(jobMarket.connect(provider).claimSlot(jobId)).to.emit(jobMarket, "SlotClaimed");
      expect((await jobMarket.slotsOf(jobId))[0]!.deliverBy).to.equal(deadline);
    });

    it("refuses a claim at the deadline", async () => {
      const { jobMarket, jobId, provider, deadline } = await loadFixture(submitted);
      await time.setNextBlockTimestamp(deadline);
      await expect(jobMarket.connect(provider).claimSlot(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketClaimTooLate")
        .withArgs(jobId, deadline);
    });
  });

  describe("a slot nobody claimed lapses at the deadline", () => {
    it("cannot be expired one second before the deadline", async () => {
      const { jobMarket, jobId, deadline } = await loadFixture(submitted);
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(jobMarket.expireSlot(jobId, 0))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired")
        .withArgs(jobId, 0);
    });

    it("is expired at the deadline", async () => {
      const { jobMarket, jobId, deadline } = await loadFixture(submitted);
      await time.setNextBlockTimestamp(deadline);
      await expect(jobMarket.expireSlot(jobId, 0)).to.emit(jobMarket, "SlotMissed");
      expect((await jobMarket.slotsOf(jobId))[0]!.status).to.equal(SlotStatus.Missed);
    });
  });

  describe("a claimed slot is delivered until deliverBy, and expired only after it", () => {
    it("accepts delivery at deliverBy", async () => {
      const { jobMarket, jobId, provider, deliverBy } = await loadFixture(claimed);
      await time.setNextBlockTimestamp(deliverBy);
      await expect(jobMarket.connect(provider).submitResult(jobId, 0, ANSWER, NO_EVIDENCE)).to.emit(
        jobMarket,
        "JobVerified",
      );
    });

    it("refuses delivery one second after deliverBy", async () => {
      const { jobMarket, jobId, provider, deliverBy } = await loadFixture(claimed);
      await time.setNextBlockTimestamp(deliverBy + 1n);
      await expect(jobMarket.connect(provider).submitResult(jobId, 0, ANSWER, NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketDeliveryOverdue")
        .withArgs(jobId, 0, deliverBy);
    });

    it("cannot expire (or slash) the slot at deliverBy, while delivery is still allowed", async () => {
      const { jobMarket, jobId, deliverBy } = await loadFixture(claimed);
      await time.setNextBlockTimestamp(deliverBy);
      await expect(jobMarket.expireSlot(jobId, 0))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired")
        .withArgs(jobId, 0);
    });

    it("expires the slot one second after deliverBy", async () => {
      const { jobMarket, jobId, provider, deliverBy } = await loadFixture(claimed);
      await time.setNextBlockTimestamp(deliverBy + 1n);
      await expect(jobMarket.expireSlot(jobId, 0))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 0, provider.address, true);
    });
  });

  describe("an expired slot reopens only while a whole delivery window still fits before the deadline", () => {
    it("reopens when exactly one delivery window is left", async () => {
      const { jobMarket, jobId, provider, deadline } = await loadFixture(claimed);
      await time.setNextBlockTimestamp(deadline - BigInt(HOUR));
      await expect(jobMarket.expireSlot(jobId, 0))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 0, provider.address, true);
      expect((await jobMarket.slotsOf(jobId))[0]!.status).to.equal(SlotStatus.Open);
    });

    it("is missed for good when one second less is left", async () => {
      const { jobMarket, jobId, provider, deadline } = await loadFixture(claimed);
      await time.setNextBlockTimestamp(deadline - BigInt(HOUR) + 1n);
      await expect(jobMarket.expireSlot(jobId, 0))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 0, provider.address, false);
      expect((await jobMarket.slotsOf(jobId))[0]!.status).to.equal(SlotStatus.Missed);
    });
  });

  describe("a committed result is revealed until revealEndsAt, and the slot expired only after it", () => {
    it("accepts a reveal at revealEndsAt", async () => {
      const { jobMarket, jobId, trio, revealEndsAt } = await loadFixture(committed);
      await time.setNextBlockTimestamp(revealEndsAt);
      await expect(jobMarket.connect(trio[0]!).revealResult(jobId, 0, ANSWER, salt(1), NO_EVIDENCE)).to.emit(
        jobMarket,
        "ResultRevealed",
      );
    });

    it("cannot expire a silent committed slot at revealEndsAt", async () => {
      const { jobMarket, jobId, revealEndsAt } = await loadFixture(committed);
      await time.setNextBlockTimestamp(revealEndsAt);
      await expect(jobMarket.expireSlot(jobId, 1))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotExpired")
        .withArgs(jobId, 1);
    });

    it("refuses a reveal one second after revealEndsAt, and expires the silent slot", async () => {
      const { jobMarket, jobId, trio, revealEndsAt } = await loadFixture(committed);
      await time.setNextBlockTimestamp(revealEndsAt + 1n);
      await expect(jobMarket.connect(trio[0]!).revealResult(jobId, 0, ANSWER, salt(1), NO_EVIDENCE))
        .to.be.revertedWithCustomError(jobMarket, "MarketRevealClosed")
        .withArgs(jobId, revealEndsAt);
      await expect(jobMarket.expireSlot(jobId, 1))
        .to.emit(jobMarket, "SlotMissed")
        .withArgs(jobId, 1, trio[1]!.address, false);
    });
  });

  describe("the challenge window: disputes until challengeEndsAt, finalization only after it", () => {
    it("refuses to finalize at challengeEndsAt", async () => {
      const { jobMarket, jobId, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt);
      await expect(jobMarket.finalize(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketChallengeWindowOpen")
        .withArgs(jobId, challengeEndsAt);
    });

    it("opens the requester's dispute at challengeEndsAt", async () => {
      const { jobMarket, verificationHub, jobId, accounts, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.emit(jobMarket, "DisputeStarted");
    });

    it("finalizes one second after challengeEndsAt", async () => {
      const { jobMarket, jobId, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt + 1n);
      await expect(jobMarket.finalize(jobId)).to.emit(jobMarket, "JobSettled");
    });

    it("refuses a dispute one second after challengeEndsAt", async () => {
      const { verificationHub, jobId, accounts, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt + 1n);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubChallengeWindowClosed")
        .withArgs(jobId, challengeEndsAt);
    });
  });

  describe("a job's deadline must leave one delivery window and stay within the longest job", () => {
    it("accepts a deadline exactly one delivery window away, and refuses one second less", async () => {
      const { jobMarket, accounts } = await loadFixture(ready);
      const at = BigInt(await time.latest()) + 10n;
      const earliest = at + BigInt(HOUR);
      await time.setNextBlockTimestamp(at);
      await expect(jobMarket.connect(accounts.alice).submitJob(jobSpec(at, { deadline: earliest - 1n })))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidDeadline")
        .withArgs(earliest - 1n, earliest, at + BigInt((await jobMarket.marketParameters()).maxJobDuration));
      await time.setNextBlockTimestamp(at + 1n);
      await expect(jobMarket.connect(accounts.alice).submitJob(jobSpec(at, { deadline: earliest + 1n }))).to.emit(
        jobMarket,
        "JobSubmitted",
      );
    });

    it("accepts a deadline exactly the longest job away, and refuses one second more", async () => {
      const { jobMarket, accounts } = await loadFixture(ready);
      const longest = BigInt((await jobMarket.marketParameters()).maxJobDuration);
      const at = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(at);
      await expect(jobMarket.connect(accounts.alice).submitJob(jobSpec(at, { deadline: at + longest + 1n })))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidDeadline")
        .withArgs(at + longest + 1n, at + BigInt(HOUR), at + longest);
      await time.setNextBlockTimestamp(at + 1n);
      await expect(jobMarket.connect(accounts.alice).submitJob(jobSpec(at, { deadline: at + 1n + longest }))).to.emit(
        jobMarket,
        "JobSubmitted",
      );
    });
  });
});

describe("JobMarket at its amount boundaries: exactly at, and one unit past", () => {
  it("takes a quote of exactly maxTotal, and refuses a maxTotal one wei under it", async () => {
    const { jobMarket, pricingEngine, accounts } = await loadFixture(ready);
    const spec = jobSpec(await time.latest());
    const { total } = await pricingEngine.quote(spec.zone, spec.tier, spec.gpuHours, spec.redundancy, false);
    await expect(jobMarket.connect(accounts.alice).submitJob({ ...spec, maxTotal: total - 1n }))
      .to.be.revertedWithCustomError(jobMarket, "MarketPriceAboveLimit")
      .withArgs(total, total - 1n);
    await jobMarket.connect(accounts.alice).submitJob({ ...spec, maxTotal: total });
    expect((await jobMarket.jobOf(1n)).escrow).to.equal(total);
  });

  it("takes a delivery window of exactly the minimum or the longest job, and refuses one second outside either", async () => {
    const { jobMarket, accounts } = await loadFixture(ready);
    const { minDeliveryWindow, maxJobDuration } = await jobMarket.marketParameters();
    const now = await time.latest();
    for (const deliveryWindow of [minDeliveryWindow - 1n, maxJobDuration + 1n]) {
      await expect(
        jobMarket.connect(accounts.alice).submitJob(jobSpec(now, { deliveryWindow: Number(deliveryWindow) })),
      )
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidDeliveryWindow")
        .withArgs(deliveryWindow, minDeliveryWindow, maxJobDuration);
    }
    await expect(
      jobMarket.connect(accounts.alice).submitJob(jobSpec(now, { deliveryWindow: Number(minDeliveryWindow) })),
    ).to.emit(jobMarket, "JobSubmitted");
    const at = BigInt(await time.latest()) + 10n;
    await time.setNextBlockTimestamp(at);
    const longest = jobSpec(at, { deliveryWindow: Number(maxJobDuration), deadline: at + maxJobDuration });
    await expect(jobMarket.connect(accounts.alice).submitJob(longest)).to.emit(jobMarket, "JobSubmitted");
  });

  describe("a provider qualifies with exactly the job's hardware and reputation floor", () => {
    /** A Consensus job (no Optimistic floor applies) asking for `overrides`; the providers are H100s (80 GiB, 9.0). */
    async function consensusJob(market: Awaited<ReturnType<typeof ready>>, overrides: Parameters<typeof jobSpec>[1]) {
      return submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3, ...overrides }));
    }

    it("lets a provider with exactly the required VRAM and compute capability claim", async () => {
      const market = await loadFixture(ready);
      const jobId = await consensusJob(market, { minVramMiB: 81_920, minComputeCapability: 90 });
      await expect(market.jobMarket.connect(market.providers[0]!).claimSlot(jobId)).to.emit(
        market.jobMarket,
        "SlotClaimed",
      );
    });

    it("refuses a provider one MiB of VRAM, or one step of compute capability, short", async () => {
      const market = await loadFixture(ready);
      const provider = market.providers[0]!;
      for (const overrides of [
        { minVramMiB: 81_921, minComputeCapability: 90 },
        { minVramMiB: 81_920, minComputeCapability: 91 },
      ]) {
        const jobId = await consensusJob(market, overrides);
        await expect(market.jobMarket.connect(provider).claimSlot(jobId))
          .to.be.revertedWithCustomError(market.jobMarket, "MarketHardwareBelowRequirement")
          .withArgs(provider.address);
      }
    });

    /** Governance sets the Standard tier's reputation floor to `floor`, keeping the multipliers. */
    async function standardFloor(market: Awaited<ReturnType<typeof ready>>, floor: number) {
      const tiers = await Promise.all([0, 1, 2].map((tier) => market.pricingEngine.tierOf(tier)));
      await market.pricingEngine
        .connect(market.accounts.governor)
        .setTiers(tiers.map(([multiplier]) => multiplier) as [bigint, bigint, bigint], [
          0,
          floor,
          Math.max(floor, Number(tiers[2]![1])),
        ]);
    }

    it("lets a provider whose score is exactly the tier's floor claim", async () => {
      const market = await loadFixture(ready);
      const provider = market.providers[0]!;
      // A provider without history scores neutral: 5 000.
      expect(await market.reputation.eligibilityScoreOf(provider.address)).to.equal(5_000n);
      await standardFloor(market, 5_000);
      const jobId = await consensusJob(market, { tier: Tier.Standard });
      await expect(market.jobMarket.connect(provider).claimSlot(jobId)).to.emit(market.jobMarket, "SlotClaimed");
    });

    it("refuses a provider one point under the tier's floor", async () => {
      const market = await loadFixture(ready);
      const provider = market.providers[0]!;
      await standardFloor(market, 5_001);
      const jobId = await consensusJob(market, { tier: Tier.Standard });
      await expect(market.jobMarket.connect(provider).claimSlot(jobId))
        .to.be.revertedWithCustomError(market.jobMarket, "MarketReputationBelowFloor")
        .withArgs(provider.address, 5_000n, 5_001n);
    });
  });
});

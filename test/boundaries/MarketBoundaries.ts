import { expect } from "chai";

import {
  HOUR,
  Mode,
  SlotStatus,
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

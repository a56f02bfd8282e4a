import { expect } from "chai";

import { deliverVerifiedJob, drawCommittee, marketFixture, result, salt } from "../support/market.js";
import { connect } from "../support/protocol.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture, mine, time } = networkHelpers;
const ready = marketFixture(connection);

const ANSWER = result("answer");

/**
 * An Optimistic job delivered and Verified, sampled for audit (the audit rate is 100%): `challengeEndsAt` is one day
 * after the delivery. No pause happens in these specifications, so the market's clock is the wall clock.
 */
async function verified() {
  const market = await ready();
  const { jobId } = await deliverVerifiedJob(market, 10_000, ANSWER);
  const { challengeEndsAt } = await market.jobMarket.jobOf(jobId);
  return { ...market, jobId, challengeEndsAt };
}

/** The same job disputed by its requester, and the committee of three drawn. */
async function drawn() {
  const market = await verified();
  await market.verificationHub.connect(market.accounts.alice).openDispute(market.jobId);
  const jurors = await drawCommittee(market, market.jobId);
  const dispute = await market.verificationHub.disputeOf(market.jobId);
  return { ...market, jurors, commitEndsAt: dispute.commitEndsAt, votingEndsAt: dispute.votingEndsAt };
}

/** The committee of `drawn`, the first two jurors committed to uphold. (Bob, who appeals below, approved the hub.) */
async function twoCommitted() {
  const market = await drawn();
  for (const [index, juror] of market.jurors.slice(0, 2).entries()) {
    const commitment = await market.verificationHub.voteCommitment(market.jobId, juror.address, true, salt(index + 1));
    await market.verificationHub.connect(juror).commitVote(market.jobId, commitment);
  }
  return market;
}

/** Every juror of `drawn` committed; the first two revealed, the third not yet. */
async function oneRevealLeft() {
  const market = await twoCommitted();
  const third = market.jurors[2]!;
  const commitment = await market.verificationHub.voteCommitment(market.jobId, third.address, true, salt(3));
  await market.verificationHub.connect(third).commitVote(market.jobId, commitment);
  for (const [index, juror] of market.jurors.slice(0, 2).entries()) {
    await market.verificationHub.connect(juror).revealVote(market.jobId, true, salt(index + 1));
  }
  return market;
}

/** Every vote of `drawn` revealed: the appeal period runs from the last reveal. */
async function allRevealed() {
  const market = await oneRevealLeft();
  await market.verificationHub.connect(market.jurors[2]!).revealVote(market.jobId, true, salt(3));
  const { appealEndsAt } = await market.verificationHub.disputeOf(market.jobId);
  return { ...market, appealEndsAt };
}

/**
 * The job of `verified`, disputed, with the pool down to three validators; the first has exactly `free` of its stake
 * not locked elsewhere.
 */
async function disputedWithFree(free: (collateral: bigint) => bigint) {
  const market = await verified();
  const { verificationHub, staking, validators, accounts } = market;
  await verificationHub.connect(validators[3]!).leavePool();
  const collateral = (await verificationHub.parameters()).jurorCollateral;
  const first = validators[0]!.address;
  await staking.connect(accounts.market).lockCollateral(first, (await staking.availableOf(first)) - free(collateral));
  await verificationHub.connect(accounts.alice).openDispute(market.jobId);
  await mine();
  return market;
}

describe("VerificationHub at its amount boundaries: exactly at, and one unit short", () => {
  it("draws a pool member with exactly a juror's collateral free", async () => {
    const { verificationHub, validators, jobId } = await disputedWithFree((collateral) => collateral);
    await verificationHub.drawCommittee(jobId);
    expect(await verificationHub.jurorsOf(jobId)).to.have.members(validators.slice(0, 3).map((v) => v.address));
  });

  it("passes over a pool member one wei short of it", async () => {
    const { verificationHub, validators, jobId } = await disputedWithFree((collateral) => collateral - 1n);
    await verificationHub.drawCommittee(jobId);
    const jurors = await verificationHub.jurorsOf(jobId);
    expect(jurors).to.not.include(validators[0]!.address);
    expect(jurors).to.have.members(validators.slice(1, 3).map((v) => v.address));
  });
});

describe("VerificationHub at its time boundaries: at, and one second after", () => {
  describe("a verified job can be audited and disputed until challengeEndsAt, inclusive", () => {
    it("takes an audit report at challengeEndsAt", async () => {
      const { verificationHub, validators, jobId, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt);
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, ANSWER)).to.emit(
        verificationHub,
        "AuditPassed",
      );
    });

    it("refuses an audit report one second after challengeEndsAt", async () => {
      const { verificationHub, validators, jobId, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt + 1n);
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, ANSWER))
        .to.be.revertedWithCustomError(verificationHub, "HubChallengeWindowClosed")
        .withArgs(jobId, challengeEndsAt);
    });

    it("opens a dispute at challengeEndsAt", async () => {
      const { verificationHub, accounts, jobId, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.emit(
        verificationHub,
        "DisputeOpened",
      );
    });

    it("refuses a dispute one second after challengeEndsAt", async () => {
      const { verificationHub, accounts, jobId, challengeEndsAt } = await loadFixture(verified);
      await time.setNextBlockTimestamp(challengeEndsAt + 1n);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubChallengeWindowClosed")
        .withArgs(jobId, challengeEndsAt);
    });
  });

  describe("a juror commits until commitEndsAt, inclusive", () => {
    it("takes a commitment at commitEndsAt", async () => {
      const { verificationHub, jurors, jobId, commitEndsAt } = await loadFixture(drawn);
      const commitment = await verificationHub.voteCommitment(jobId, jurors[0]!.address, true, salt(1));
      await time.setNextBlockTimestamp(commitEndsAt);
      await expect(verificationHub.connect(jurors[0]!).commitVote(jobId, commitment)).to.emit(
        verificationHub,
        "VoteCommitted",
      );
    });

    it("refuses a commitment one second after commitEndsAt", async () => {
      const { verificationHub, jurors, jobId, commitEndsAt } = await loadFixture(drawn);
      const commitment = await verificationHub.voteCommitment(jobId, jurors[0]!.address, true, salt(1));
      await time.setNextBlockTimestamp(commitEndsAt + 1n);
      await expect(verificationHub.connect(jurors[0]!).commitVote(jobId, commitment))
        .to.be.revertedWithCustomError(verificationHub, "HubCommitClosed")
        .withArgs(jobId, commitEndsAt);
    });
  });

  describe("while a juror has not committed, reveals open one second after commitEndsAt", () => {
    it("refuses a reveal at commitEndsAt", async () => {
      const { verificationHub, jurors, jobId, commitEndsAt } = await loadFixture(twoCommitted);
      await time.setNextBlockTimestamp(commitEndsAt);
      await expect(verificationHub.connect(jurors[0]!).revealVote(jobId, true, salt(1)))
        .to.be.revertedWithCustomError(verificationHub, "HubRevealNotOpen")
        .withArgs(jobId, commitEndsAt);
    });

    it("takes a reveal one second after commitEndsAt", async () => {
      const { verificationHub, jurors, jobId, commitEndsAt } = await loadFixture(twoCommitted);
      await time.setNextBlockTimestamp(commitEndsAt + 1n);
      await expect(verificationHub.connect(jurors[0]!).revealVote(jobId, true, salt(1)))
        .to.emit(verificationHub, "DisputeVoteCast")
        .withArgs(jobId, jurors[0]!.address, true);
    });
  });

  describe("a juror reveals until votingEndsAt, inclusive; until then a silent juror holds the vote open", () => {
    it("takes a reveal at votingEndsAt", async () => {
      const { verificationHub, jurors, jobId, votingEndsAt } = await loadFixture(oneRevealLeft);
      await time.setNextBlockTimestamp(votingEndsAt);
      await expect(verificationHub.connect(jurors[2]!).revealVote(jobId, true, salt(3))).to.emit(
        verificationHub,
        "DisputeVoteCast",
      );
    });

    it("refuses a reveal one second after votingEndsAt", async () => {
      const { verificationHub, jurors, jobId, votingEndsAt } = await loadFixture(oneRevealLeft);
      await time.setNextBlockTimestamp(votingEndsAt + 1n);
      await expect(verificationHub.connect(jurors[2]!).revealVote(jobId, true, salt(3)))
        .to.be.revertedWithCustomError(verificationHub, "HubRevealClosed")
        .withArgs(jobId, votingEndsAt);
    });

    it("refuses an appeal at votingEndsAt while a vote is unrevealed", async () => {
      const { verificationHub, accounts, jobId, votingEndsAt } = await loadFixture(oneRevealLeft);
      await time.setNextBlockTimestamp(votingEndsAt);
      await expect(verificationHub.connect(accounts.bob).appeal(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubVotingOpen")
        .withArgs(jobId, votingEndsAt);
    });

    it("takes an appeal one second after votingEndsAt, the silent vote lost", async () => {
      const { verificationHub, accounts, jobId, votingEndsAt } = await loadFixture(oneRevealLeft);
      await time.setNextBlockTimestamp(votingEndsAt + 1n);
      await expect(verificationHub.connect(accounts.bob).appeal(jobId)).to.emit(verificationHub, "DisputeAppealed");
    });
  });

  describe("once every vote is in, a ruling can be appealed until appealEndsAt, inclusive, and resolved only after", () => {
    it("takes an appeal at appealEndsAt", async () => {
      const { verificationHub, accounts, jobId, appealEndsAt } = await loadFixture(allRevealed);
      await time.setNextBlockTimestamp(appealEndsAt);
      await expect(verificationHub.connect(accounts.bob).appeal(jobId)).to.emit(verificationHub, "DisputeAppealed");
    });

    it("refuses an appeal one second after appealEndsAt", async () => {
      const { verificationHub, accounts, jobId, appealEndsAt } = await loadFixture(allRevealed);
      await time.setNextBlockTimestamp(appealEndsAt + 1n);
      await expect(verificationHub.connect(accounts.bob).appeal(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubAppealClosed")
        .withArgs(jobId, appealEndsAt);
    });

    it("refuses to resolve at appealEndsAt", async () => {
      const { verificationHub, jobId, appealEndsAt } = await loadFixture(allRevealed);
      await time.setNextBlockTimestamp(appealEndsAt);
      await expect(verificationHub.resolveDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubAppealOpen")
        .withArgs(jobId, appealEndsAt);
    });

    it("resolves one second after appealEndsAt", async () => {
      const { verificationHub, jobId, appealEndsAt } = await loadFixture(allRevealed);
      await time.setNextBlockTimestamp(appealEndsAt + 1n);
      await expect(verificationHub.resolveDispute(jobId)).to.emit(verificationHub, "DisputeResolved");
    });
  });
});

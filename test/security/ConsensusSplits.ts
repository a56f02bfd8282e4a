import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import {
  AuditDraw,
  DAY,
  JobStatus,
  Mode,
  Tier,
  claimCommitReveal,
  decideDispute,
  jobSpec,
  marketFixture,
  result,
  submit,
} from "../support/market.js";
import { connect } from "../support/protocol.js";

/**
 * Attack 6, its split variant: a requester whose own providers win two of a Consensus job's three slots reveals two
 * different wrong results, so that no majority forms, hoping for a refund and the honest third's work for free. A
 * split is Verified with nothing accepted and always audited; a committee that confirms an auditor's result pays the
 * slots that revealed it and slashes the others for fraud. See docs/threat-model.md.
 */
const connection = await connect();
const { loadFixture, time } = connection.networkHelpers;
const ready = marketFixture(connection);

/** A Consensus job of Alice's split by her two providers (the first two), beside an honest third. */
async function forcedSplit() {
  const market = await ready();
  const [first, second, honest] = market.providers;
  const jobId = await submit(
    market,
    jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3, tier: Tier.Economy }),
  );
  await claimCommitReveal(
    market,
    jobId,
    [first!, second!, honest!],
    [result("wrong-one"), result("wrong-two"), result("right")],
  );
  return { ...market, jobId, attackers: [first!, second!], honest: honest! };
}

describe("Security: a forced three-way consensus split (attack 6)", () => {
  it("is always audited, and a confirmed result pays the honest third and slashes both splitters whole", async () => {
    const market = await loadFixture(forcedSplit);
    const { jobMarket, verificationHub, staking, agpu, jobId, attackers, honest, validators, accounts } = market;
    expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
    expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0n);
    expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Sampled);

    const { escrow } = await jobMarket.jobOf(jobId);
    const share = escrow / 3n;
    const collateral = await jobMarket.collateralOf(jobId);
    const attackerStakes = await Promise.all(attackers.map((a) => staking.stakeOf(a.address)));
    const honestStake = await staking.stakeOf(honest.address);
    const honestBalance = await agpu.balanceOf(honest.address);
    const requesterBefore = await agpu.balanceOf(accounts.alice.address);

    // An honest validator re-executes the job and claims its result; for a split, any claim goes to a committee.
    await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, result("right")))
      .to.emit(verificationHub, "AuditFailed")
      .withArgs(jobId, validators[0]!.address, result("right"));
    const { courtFee } = await verificationHub.disputeOf(jobId);
    expect(courtFee).to.equal((3n * share * 4_500n) / 10_000n);
    const jurors = await decideDispute(market, jobId, true);
    const jurorBalances = await Promise.all(jurors.map((j) => agpu.balanceOf(j.address)));

    await expect(verificationHub.resolveDispute(jobId))
      .to.emit(jobMarket, "ProviderPaid")
      .withArgs(jobId, 2n, honest.address, anyValue, anyValue, anyValue)
      .and.to.emit(jobMarket, "ResultRejected")
      .withArgs(jobId, 0n, attackers[0]!.address, result("wrong-one"))
      .and.to.emit(jobMarket, "JobSettled")
      .withArgs(jobId, share, escrow - share);

    // The splitters lose their whole collateral (fraud); the honest third keeps its stake and is paid its share.
    for (const [index, attacker] of attackers.entries()) {
      expect(attackerStakes[index]! - (await staking.stakeOf(attacker.address))).to.equal(collateral);
      expect(await staking.lockedOf(attacker.address)).to.equal(0n);
    }
    expect(await staking.stakeOf(honest.address)).to.equal(honestStake);
    expect(await staking.lockedOf(honest.address)).to.equal(0n);
    expect(await agpu.balanceOf(honest.address)).to.be.greaterThan(honestBalance);
    // The requester pays for the one right result it received, and gets the rest back.
    expect((await agpu.balanceOf(accounts.alice.address)) - requesterBefore).to.equal(escrow - share);
    // The splitters paid the court: each juror has its part of the fee.
    for (const [index, juror] of jurors.entries()) {
      expect((await agpu.balanceOf(juror.address)) - jurorBalances[index]!).to.be.greaterThanOrEqual(courtFee / 3n);
    }
  });

  it("lets no false audit pre-empt the honest one: rejected, the job returns to its window for the next auditor", async () => {
    const market = await loadFixture(forcedSplit);
    const { jobMarket, verificationHub, staking, jobId, honest, validators } = market;
    const [accomplice, auditor] = validators;
    // The splitters' accomplice claims one of their wrong results first.
    await verificationHub.connect(accomplice!).reportAudit(jobId, result("wrong-one"));
    await decideDispute(market, jobId, false);
    const accompliceStake = await staking.stakeOf(accomplice!.address);
    await expect(verificationHub.resolveDispute(jobId))
      .to.emit(jobMarket, "DisputeClosed")
      .withArgs(jobId, false, accomplice!.address)
      .and.to.emit(jobMarket, "JobVerified")
      .withArgs(jobId, 0, anyValue);
    // The accomplice loses the whole collateral it put behind the claim; nobody else is touched yet.
    expect(accompliceStake - (await staking.stakeOf(accomplice!.address))).to.equal(
      await jobMarket.collateralOf(jobId),
    );
    expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
    expect(await verificationHub.jurorsOf(jobId)).to.deep.equal([]);

    // The honest auditor still reports, and its claim is confirmed.
    await verificationHub.connect(auditor!).reportAudit(jobId, result("right"));
    await decideDispute(market, jobId, true);
    await expect(verificationHub.resolveDispute(jobId))
      .to.emit(jobMarket, "ProviderPaid")
      .withArgs(jobId, 2n, honest.address, anyValue, anyValue, anyValue);
    expect(await staking.recentOffences(honest.address)).to.equal(0n);
  });

  it("refuses a claim of no result at all", async () => {
    const market = await loadFixture(forcedSplit);
    const { verificationHub, jobId, validators } = market;
    await expect(
      verificationHub.connect(validators[0]!).reportAudit(jobId, `0x${"00".repeat(32)}`),
    ).to.be.revertedWithCustomError(verificationHub, "HubZeroResult");
  });

  it("frees everyone and refunds the requester when nobody audits the split before its window ends", async () => {
    const market = await loadFixture(forcedSplit);
    const { jobMarket, staking, agpu, jobId, attackers, honest, accounts } = market;
    const requesterBefore = await agpu.balanceOf(accounts.alice.address);
    const { escrow } = await jobMarket.jobOf(jobId);
    await time.increase(DAY + 1);
    await expect(jobMarket.finalize(jobId)).to.emit(jobMarket, "JobSettled").withArgs(jobId, 0n, escrow);
    for (const provider of [...attackers, honest]) {
      expect(await staking.lockedOf(provider.address)).to.equal(0n);
      expect(await staking.recentOffences(provider.address)).to.equal(0n);
    }
    expect((await agpu.balanceOf(accounts.alice.address)) - requesterBefore).to.equal(escrow);
  });
});

import { expect } from "chai";
import { ZeroAddress } from "ethers";

import {
  AGPU,
  JobStatus,
  type Market,
  VALIDATOR_STAKE,
  Verdict,
  decideDispute,
  drawCommittee,
  enrolValidator,
  jobSpec,
  marketFixture,
  raiseReputation,
  result,
  setHubParameters,
  submit,
  voteAll,
  waitOutAppeals,
} from "../support/market.js";
import { type Signer, connect, freshSigner } from "../support/protocol.js";

/**
 * Attack 2: buying a dispute committee. Committees are drawn by stake-weighted sortition, so an attacker holding a
 * third of the validator stake still wins a three-seat committee about one time in five. Appeals make that capture
 * lose money: anyone may appeal a ruling to a committee twice as large plus one, drawn from validators not seated
 * yet, and every juror of every round is settled against the last ruling. See docs/threat-model.md.
 */
const connection = await connect();
const { loadFixture, time } = connection.networkHelpers;
const ready = marketFixture(connection);

const JUROR_COLLATERAL = 250n * AGPU;
const EXTRA_VALIDATORS = 8;

/** The market with twelve validators in the pool, and an Optimistic job whose provider delivered a wrong answer. */
async function disputedWrongResult() {
  const market = await ready();
  const { verificationHub, jobMarket, agpu, accounts, providers } = market;
  const validators = [...market.validators];
  for (let i = 0; i < EXTRA_VALIDATORS; i++) {
    const validator = await freshSigner(connection);
    await enrolValidator(market, validator, `https://validator-extra-${i}.example`);
    validators.push(validator);
  }
  const court: Market = { ...market, validators };
  const cheat = providers[0]!;
  await raiseReputation(court, cheat.address);
  const jobId = await submit(court, jobSpec(await time.latest()));
  await jobMarket.connect(cheat).claimSlot(jobId);
  await jobMarket.connect(cheat).submitResult(jobId, 0, result("wrong"), "0x");
  await verificationHub.connect(accounts.alice).openDispute(jobId);
  // The provider may appeal too: it holds AGPU and approves the hub.
  await agpu.connect(accounts.deployer).transfer(cheat.address, 10_000n * AGPU);
  await agpu.connect(cheat).approve(await verificationHub.getAddress(), 10_000n * AGPU);
  return { ...court, jobId, cheat };
}

/** A second job, delivered wrong by another provider and disputed by its requester: its id. */
async function disputeAnotherWrongResult(market: Market): Promise<bigint> {
  const jobId = await submit(market, jobSpec(await time.latest()));
  const provider: Signer = market.providers[1]!;
  await raiseReputation(market, provider.address);
  await market.jobMarket.connect(provider).claimSlot(jobId);
  await market.jobMarket.connect(provider).submitResult(jobId, 0, result("wrong"), "0x");
  await market.verificationHub.connect(market.accounts.alice).openDispute(jobId);
  return jobId;
}

describe("Security: dispute committees and appeals (attack 2)", () => {
  it("reverses a captured committee on appeal, and the captors lose their collateral to the honest jurors", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, jobMarket, staking, agpu, jobId, cheat, accounts } = market;
    // The first committee is bought: it rules the wrong result right.
    const captors = await drawCommittee(market, jobId);
    await voteAll(market, jobId, false);
    expect((await verificationHub.disputeOf(jobId)).rejectVotes).to.equal(3n);
    // Resolving now would carry out the bought ruling: it waits for the appeal period.
    const { appealEndsAt } = await verificationHub.disputeOf(jobId);
    await expect(verificationHub.resolveDispute(jobId))
      .to.be.revertedWithCustomError(verificationHub, "HubAppealOpen")
      .withArgs(jobId, appealEndsAt);

    // The requester appeals with one juror collateral; seven validators not seated yet will vote.
    const requesterBefore = await agpu.balanceOf(accounts.alice.address);
    await expect(verificationHub.connect(accounts.alice).appeal(jobId))
      .to.emit(verificationHub, "DisputeAppealed")
      .withArgs(jobId, accounts.alice.address, 1, Verdict.Rejected, 7, JUROR_COLLATERAL, (b: bigint) => b > 0n);
    const appealed = await verificationHub.disputeOf(jobId);
    expect(appealed.round).to.equal(1n);
    expect(appealed.committeeSize).to.equal(7n);
    expect(appealed.commitEndsAt).to.equal(0n);
    // The appeal is on record for round 0: who appealed which verdict, with what bond.
    expect(await verificationHub.appealOf(jobId, 0)).to.deep.equal([
      accounts.alice.address,
      BigInt(Verdict.Rejected),
      JUROR_COLLATERAL,
    ]);
    expect(await verificationHub.appealOf(jobId, 1)).to.deep.equal([ZeroAddress, 0n, 0n]);
    // A captor of the first round has no seat in the second.
    await expect(verificationHub.connect(captors[0]!).commitVote(jobId, result("x")))
      .to.be.revertedWithCustomError(verificationHub, "HubCommitteeNotDrawn")
      .withArgs(jobId);
    const jurors = await drawCommittee(market, jobId);
    expect(jurors).to.have.length(7);
    for (const captor of captors) expect(jurors).to.not.include(captor);
    await voteAll(market, jobId, true);
    await waitOutAppeals(market, jobId);

    const cheatStake = await staking.stakeOf(cheat.address);
    await expect(verificationHub.resolveDispute(jobId))
      .to.emit(verificationHub, "DisputeResolved")
      .withArgs(jobId, Verdict.Upheld, 7, 0)
      .and.to.emit(verificationHub, "AppealSettled")
      .withArgs(jobId, 0, accounts.alice.address, JUROR_COLLATERAL, true);
    // The wrong result is refunded and its provider slashed; the appellant has its bond back.
    expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Refunded);
    expect(await staking.stakeOf(cheat.address)).to.be.lessThan(cheatStake);
    expect(await agpu.balanceOf(accounts.alice.address)).to.be.greaterThan(requesterBefore);
    // Every captor forfeits its collateral; the seven honest jurors share it.
    for (const captor of captors) {
      expect(await staking.stakeOf(captor.address)).to.equal(VALIDATOR_STAKE - JUROR_COLLATERAL);
      expect(await staking.lockedOf(captor.address)).to.equal(0n);
    }
    const shared = (3n * JUROR_COLLATERAL) / 7n;
    for (const juror of jurors) {
      expect(await agpu.balanceOf(juror.address)).to.be.greaterThanOrEqual(shared);
      expect(await staking.stakeOf(juror.address)).to.equal(VALIDATOR_STAKE);
      expect(await staking.lockedOf(juror.address)).to.equal(0n);
    }
    expect(await verificationHub.totalBonds()).to.equal(0n);
    expect(await agpu.balanceOf(await verificationHub.getAddress())).to.equal(0n);
  });

  it("makes a losing appeal pay the jurors who upheld the ruling again", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, agpu, jobId, cheat } = market;
    await drawCommittee(market, jobId);
    await voteAll(market, jobId, true);
    // The cheat appeals the ruling against it, hoping for a friendlier committee.
    const cheatBefore = await agpu.balanceOf(cheat.address);
    await verificationHub.connect(cheat).appeal(jobId);
    const second = await drawCommittee(market, jobId);
    await voteAll(market, jobId, true);
    await waitOutAppeals(market, jobId);
    await expect(verificationHub.resolveDispute(jobId))
      .to.emit(verificationHub, "AppealSettled")
      .withArgs(jobId, 0, cheat.address, JUROR_COLLATERAL, false);
    expect(await agpu.balanceOf(cheat.address)).to.equal(cheatBefore - JUROR_COLLATERAL);
    // Ten coherent jurors (three, then seven) share the forfeited bond.
    const each = JUROR_COLLATERAL / 10n;
    for (const juror of second) expect(await agpu.balanceOf(juror.address)).to.be.greaterThanOrEqual(each);
  });

  it("takes appeals only after the votes are in and within the appeal period, and resolves only after it", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, jobId, accounts } = market;
    await expect(verificationHub.connect(accounts.alice).appeal(jobId))
      .to.be.revertedWithCustomError(verificationHub, "HubCommitteeNotDrawn")
      .withArgs(jobId);
    await drawCommittee(market, jobId);
    await expect(verificationHub.connect(accounts.alice).appeal(jobId)).to.be.revertedWithCustomError(
      verificationHub,
      "HubVotingOpen",
    );
    await voteAll(market, jobId, true);
    await waitOutAppeals(market, jobId);
    const { appealEndsAt } = await verificationHub.disputeOf(jobId);
    await expect(verificationHub.connect(accounts.alice).appeal(jobId))
      .to.be.revertedWithCustomError(verificationHub, "HubAppealClosed")
      .withArgs(jobId, appealEndsAt);
    await expect(verificationHub.resolveDispute(jobId)).to.emit(verificationHub, "DisputeResolved");
  });

  it("keeps the appeal period from running out while the hub is paused, and takes no appeal meanwhile", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, jobId, accounts } = market;
    await drawCommittee(market, jobId);
    await voteAll(market, jobId, false);
    await verificationHub.connect(accounts.guardian).pause();
    await time.increase(5 * 86_400);
    await expect(verificationHub.connect(accounts.alice).appeal(jobId)).to.be.revertedWithCustomError(
      verificationHub,
      "EnforcedPause",
    );
    await verificationHub.connect(accounts.governor).unpause();
    // Five days later the ruling can still be appealed: the period waited on the market's clock.
    await expect(verificationHub.connect(accounts.alice).appeal(jobId)).to.emit(verificationHub, "DisputeAppealed");
  });

  it("runs the appeal period again once the hub is unpaused, until it closes", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { jobMarket, verificationHub, jobId, accounts } = market;
    await drawCommittee(market, jobId);
    await voteAll(market, jobId, false);
    await expect(verificationHub.connect(accounts.guardian).pause()).to.emit(jobMarket, "MarketClockStopped");
    await time.increase(5 * 86_400);
    await expect(verificationHub.connect(accounts.governor).unpause()).to.emit(jobMarket, "MarketClockResumed");
    const { appealPeriod } = await verificationHub.parameters();
    await time.increase(Number(appealPeriod) + 1);
    await expect(verificationHub.connect(accounts.alice).appeal(jobId)).to.be.revertedWithCustomError(
      verificationHub,
      "HubAppealClosed",
    );
  });

  it("stops appealing at the largest committee, whose ruling is final at once", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, jobId, accounts } = market;
    // Governance sizes committees at eleven: the next (23) would exceed the largest (21).
    await setHubParameters(market, { committeeSize: 11 });
    await time.increase(1);
    // The dispute keeps the size it opened with: a second dispute takes the new one.
    expect((await verificationHub.disputeOf(jobId)).committeeSize).to.equal(3n);
    const second = await disputeAnotherWrongResult(market);
    const jurors = await drawCommittee(market, second);
    expect(jurors).to.have.length(11);
    await voteAll(market, second, true);
    await expect(verificationHub.connect(accounts.alice).appeal(second))
      .to.be.revertedWithCustomError(verificationHub, "HubNoMoreAppeals")
      .withArgs(second);
    await expect(verificationHub.resolveDispute(second))
      .to.emit(verificationHub, "DisputeResolved")
      .withArgs(second, Verdict.Upheld, 11, 0);
  });

  it("takes an appeal to a committee of exactly the largest size (21, from ten seats), and waits for it", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, accounts } = market;
    await setHubParameters(market, { committeeSize: 10 });
    const jobId = await disputeAnotherWrongResult(market);
    expect(await drawCommittee(market, jobId)).to.have.length(10);
    await voteAll(market, jobId, true);
    // An appeal is still possible, so the ruling waits for the appeal period.
    await expect(verificationHub.resolveDispute(jobId)).to.be.revertedWithCustomError(verificationHub, "HubAppealOpen");
    await expect(verificationHub.connect(accounts.alice).appeal(jobId)).to.emit(verificationHub, "DisputeAppealed");
    expect((await verificationHub.disputeOf(jobId)).committeeSize).to.equal(21n);
  });

  it("pays every juror who votes with the outcome the court fee, out of what the losing side put at risk", async () => {
    const market = await loadFixture(disputedWrongResult);
    const { verificationHub, jobMarket, staking, agpu, jobId, cheat, accounts } = market;
    // Upheld: the cheat's collateral pays the court (three seats at 45% of a share each).
    const { courtFee, bond } = await verificationHub.disputeOf(jobId);
    const { escrow } = await jobMarket.jobOf(jobId);
    expect(courtFee).to.equal((3n * escrow * 4_500n) / 10_000n);
    expect(bond).to.equal(escrow / 10n + courtFee);
    const jurors = await decideDispute(market, jobId, true);
    const before = await Promise.all(jurors.map((j) => agpu.balanceOf(j.address)));
    const cheatStake = await staking.stakeOf(cheat.address);
    await verificationHub.resolveDispute(jobId);
    expect(cheatStake - (await staking.stakeOf(cheat.address))).to.equal(await jobMarket.collateralOf(jobId));
    for (const [index, juror] of jurors.entries()) {
      expect((await agpu.balanceOf(juror.address)) - before[index]!).to.be.greaterThanOrEqual(courtFee / 3n);
    }

    // Rejected: a requester who disputes a right result pays the court out of its bond; the rest goes to the
    // provider it accused.
    const honest = market.providers[1]!;
    await raiseReputation(market, honest.address);
    const second = await submit(market, jobSpec(await time.latest()));
    await jobMarket.connect(honest).claimSlot(second);
    await jobMarket.connect(honest).submitResult(second, 0, result("right"), "0x");
    const requesterBefore = await agpu.balanceOf(accounts.alice.address);
    await verificationHub.connect(accounts.alice).openDispute(second);
    const posted = (await verificationHub.disputeOf(second)).bond;
    const fee = (await verificationHub.disputeOf(second)).courtFee;
    const secondJurors = await decideDispute(market, second, false);
    const jurorsBefore = await Promise.all(secondJurors.map((j) => agpu.balanceOf(j.address)));
    await expect(verificationHub.resolveDispute(second))
      .to.emit(verificationHub, "BondForfeited")
      .withArgs(second, honest.address, posted - fee);
    for (const [index, juror] of secondJurors.entries()) {
      expect((await agpu.balanceOf(juror.address)) - jurorsBefore[index]!).to.be.greaterThanOrEqual(fee / 3n);
    }
    expect(requesterBefore - (await agpu.balanceOf(accounts.alice.address))).to.equal(posted);
    expect(await agpu.balanceOf(await verificationHub.getAddress())).to.equal(0n);
  });
});

import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import {
  AGPU,
  AuditDraw,
  DAY,
  HOUR,
  JobStatus,
  Mode,
  PROVIDER_STAKE,
  Tier,
  jobSpec,
  marketFixture,
  raiseReputation,
  result,
  setAuditRate,
  claimCommitReveal,
  decideDispute,
  drawCommittee,
  voteAll,
  submit,
  waitOutAppeals,
} from "../support/market.js";
import { connect } from "../support/protocol.js";

/**
 * Attacks on slashing, collateral, time and the audit draw, each tried as the attacker would: every one must be
 * refused or cost the attacker, and no honest party may lose. See docs/threat-model.md.
 */
const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, mine, time } = networkHelpers;
const ready = marketFixture(connection);

const NO_EVIDENCE = "0x";
const ESCROW = 20n * AGPU;
/** The default collateral: 150% of a slot's share of the escrow. */
const COLLATERAL = 30n * AGPU;

/** An Optimistic job (20 AGPU) claimed by a provider with enough reputation. */
async function claimed() {
  const market = await ready();
  const [provider, other, third] = market.providers;
  for (const p of [provider!, other!, third!]) await raiseReputation(market, p.address);
  const jobId = await submit(market, jobSpec(await time.latest()));
  await market.jobMarket.connect(provider!).claimSlot(jobId);
  return { ...market, jobId, provider: provider!, other: other!, third: third! };
}

describe("Security: slashing, collateral, time and audit draws", () => {
  describe("a slash is proportional to the job (attack 9)", () => {
    it("costs a provider who misses a 20 AGPU job half that job's collateral, never its unrelated stake", async () => {
      const { jobMarket, staking, jobId, provider, accounts } = await loadFixture(claimed);
      const stakeBefore = await staking.stakeOf(provider.address);
      await time.increase(HOUR + 1);
      await jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
      // 50% of 30 AGPU of collateral: 15 AGPU out of 10 000+ staked (was 20% of the whole stake).
      expect(stakeBefore - (await staking.stakeOf(provider.address))).to.equal(COLLATERAL / 2n);
      expect(await staking.lockedOf(provider.address)).to.equal(0n);
    });

    it("takes no more than the job's collateral from a repeat offender, escalating within it", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, staking, provider, accounts } = market;
      const taken: bigint[] = [];
      const collaterals: bigint[] = [];
      for (let round = 0; round < 4; round++) {
        // Economy Consensus jobs: no reputation floor, so the offender can keep claiming after its misses.
        const spec = jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3, tier: Tier.Economy });
        const jobId = await submit(market, spec);
        await jobMarket.connect(provider).claimSlot(jobId);
        collaterals.push(await jobMarket.collateralOf(jobId));
        const before = await staking.stakeOf(provider.address);
        await time.increase(HOUR + 1);
        await jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
        taken.push(before - (await staking.stakeOf(provider.address)));
      }
      // 50%, 75%, 100%, 100% of each job's collateral: never past it, never into the rest of the stake.
      const ladder = [5_000n, 7_500n, 10_000n, 10_000n];
      expect(taken).to.deep.equal(collaterals.map((collateral, i) => (collateral * ladder[i]!) / 10_000n));
      // Only the fixture's own live claim is still locked.
      expect(await staking.lockedOf(provider.address)).to.equal(COLLATERAL);
      const atRisk = collaterals.reduce((sum, collateral) => sum + collateral, 0n);
      expect(await staking.stakeOf(provider.address)).to.be.greaterThan(PROVIDER_STAKE - atRisk);
    });
  });

  describe("collateral stays exact after a slash (attack 7)", () => {
    it("keeps another job's collateral locked, so a slashed provider cannot unbond stake that backs a live claim", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, staking, jobId, provider, accounts } = market;
      // The provider claims a second job, then misses the first.
      const second = await submit(market, jobSpec(await time.latest(), { deliveryWindow: 3 * HOUR }));
      await jobMarket.connect(provider).claimSlot(second);
      await time.increase(HOUR + 1);
      await jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
      // Exactly the second job's collateral is still locked...
      expect(await staking.lockedOf(provider.address)).to.equal(COLLATERAL);
      // ...and cannot leave while the claim lives.
      const available = await staking.availableOf(provider.address);
      await expect(staking.connect(provider).requestUnbond(available + 1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientAvailableStake")
        .withArgs(provider.address, available + 1n, available);
    });
  });

  describe("no deadline runs while the action it needs is paused (attack 3)", () => {
    it("never slashes a provider for a delivery window that passed while the market was paused", async () => {
      const { jobMarket, staking, jobId, provider, accounts } = await loadFixture(claimed);
      const stakeBefore = await staking.stakeOf(provider.address);
      await jobMarket.connect(accounts.guardian).pause();
      await time.increase(3 * DAY);
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0)).to.be.revertedWithCustomError(
        jobMarket,
        "EnforcedPause",
      );
      await jobMarket.connect(accounts.governor).unpause();
      // Three days later the provider still has its whole window, and the slot cannot be expired.
      await expect(jobMarket.connect(accounts.stranger).expireSlot(jobId, 0)).to.be.revertedWithCustomError(
        jobMarket,
        "MarketSlotNotExpired",
      );
      await jobMarket.connect(provider).submitResult(jobId, 0, result("honest"), NO_EVIDENCE);
      expect(await staking.stakeOf(provider.address)).to.equal(stakeBefore);
    });

    it("keeps the requester's challenge window open through a pause of the hub, and settles nothing meanwhile", async () => {
      const { jobMarket, verificationHub, agpu, jobId, provider, accounts } = await loadFixture(claimed);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("wrong"), NO_EVIDENCE);
      await verificationHub.connect(accounts.guardian).pause();
      await time.increase(2 * DAY);
      // The window would have closed a day ago: the job must not settle, and the dispute must still be possible.
      await expect(jobMarket.finalize(jobId)).to.be.revertedWithCustomError(jobMarket, "MarketChallengeWindowOpen");
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "EnforcedPause",
      );
      await verificationHub.connect(accounts.governor).unpause();
      await agpu
        .connect(accounts.alice)
        .approve(await verificationHub.getAddress(), await verificationHub.disputeBondOf(jobId));
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.emit(
        verificationHub,
        "DisputeOpened",
      );
    });

    it("lets no committee vote lapse, and forces no verdict, while the hub is paused", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, verificationHub, agpu, jobId, provider, accounts } = market;
      await jobMarket.connect(provider).submitResult(jobId, 0, result("wrong"), NO_EVIDENCE);
      await agpu
        .connect(accounts.alice)
        .approve(await verificationHub.getAddress(), await verificationHub.disputeBondOf(jobId));
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await drawCommittee(market, jobId);
      await verificationHub.connect(accounts.guardian).pause();
      await time.increase(5 * DAY);
      await expect(verificationHub.resolveDispute(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "EnforcedPause",
      );
      await verificationHub.connect(accounts.governor).unpause();
      await expect(verificationHub.resolveDispute(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "HubVotingOpen",
      );
      await voteAll(market, jobId, true);
      await waitOutAppeals(market, jobId);
      await verificationHub.resolveDispute(jobId);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Refunded);
    });
  });

  describe("the audit draw cannot be dodged or predicted (attack 1)", () => {
    it("draws from the hash of a block after the delivery, so reverting the delivery buys nothing", async () => {
      const { jobMarket, verificationHub, jobId, provider } = await loadFixture(claimed);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      const seedBlock = await verificationHub.auditSeedBlockOf(jobId);
      // Inside the delivering transaction the draw is unknowable: it depends on a block not yet built.
      expect(seedBlock).to.equal(BigInt(await ethers.provider.getBlockNumber()) + 1n);
      expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Pending);
      await expect(verificationHub.drawAudit(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubAuditDrawPending")
        .withArgs(jobId, seedBlock);
    });

    it("counts a job whose draw was never recorded while readable as sampled, never as safe", async () => {
      const { jobMarket, verificationHub, jobId, provider, validators, accounts } = await loadFixture(claimed);
      // At a 0% rate nothing would be sampled...
      await setAuditRate({ verificationHub, accounts }, 0);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      // ...but once the seed block's hash is gone (256 blocks), an unrecorded draw counts as sampled.
      await mine(300);
      expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Sampled);
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, result("answer"))).to.emit(
        verificationHub,
        "AuditPassed",
      );
    });

    it("keeps a recorded draw after the block hash is gone", async () => {
      const { jobMarket, verificationHub, jobId, provider, accounts } = await loadFixture(claimed);
      await setAuditRate({ verificationHub, accounts }, 0);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      await mine();
      await expect(verificationHub.drawAudit(jobId)).to.emit(verificationHub, "AuditDrawn").withArgs(jobId, false);
      await mine(300);
      expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Skipped);
    });

    it("lets only the market schedule an audit draw (ZK jobs get none: see the ZK jobs' tests)", async () => {
      const { verificationHub } = await loadFixture(claimed);
      const stranger = (await ethers.getSigners())[10]!;
      await expect(verificationHub.connect(stranger).scheduleAudit(1n, false))
        .to.be.revertedWithCustomError(verificationHub, "HubNotMarket")
        .withArgs(stranger.address);
    });
  });

  describe("a false audit costs the auditor (attack 1)", () => {
    it("locks the job's collateral from an auditor that claims a mismatch, and slashes it when the claim is rejected", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, verificationHub, staking, jobId, provider, validators } = market;
      await setAuditRate(market, 10_000);
      await jobMarket.connect(provider).submitResult(jobId, 0, result("answer"), NO_EVIDENCE);
      await mine();
      const [liar] = validators;
      const before = await staking.stakeOf(liar!.address);
      await verificationHub.connect(liar!).reportAudit(jobId, result("lie"));
      expect(await staking.lockedOf(liar!.address)).to.equal(COLLATERAL);
      await decideDispute(market, jobId, false);
      await expect(verificationHub.resolveDispute(jobId))
        .to.emit(jobMarket, "DisputeClosed")
        .withArgs(jobId, false, liar!.address)
        .and.to.emit(jobMarket, "JobVerified");
      // A false claim is fraud: the whole of what it put at risk, on a first offence too (the court's fee out of
      // it goes to the jurors, the rest is slashed).
      expect(before - (await staking.stakeOf(liar!.address))).to.equal(COLLATERAL);
      expect(await staking.lockedOf(liar!.address)).to.equal(0n);
      // It shows only that the auditor was wrong: the job is back in a fresh challenge window, then settles, and
      // the honest provider keeps its stake and is paid.
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId)).to.emit(jobMarket, "ProviderPaid");
      expect(await staking.stakeOf(provider.address)).to.be.greaterThanOrEqual(PROVIDER_STAKE);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
    });
  });

  describe("consensus collusion (attack 6)", () => {
    it("keeps an honest dissenter's collateral while a dispute can still prove the colluding majority wrong", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, verificationHub, staking, agpu, other, third, accounts } = market;
      const spec = jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3, tier: Tier.Economy });
      const jobId = await submit(market, spec);
      // Two colluders agree on a wrong result; the honest third dissents.
      await claimCommitReveal(
        market,
        jobId,
        [other, third, market.providers[3]!],
        [result("colluded"), result("colluded"), result("honest")],
      );
      const honest = market.providers[3]!;
      expect(await staking.lockedOf(honest.address)).to.equal(await jobMarket.collateralOf(jobId));
      // The requester checks the result and disputes; the committee upholds.
      await agpu
        .connect(accounts.alice)
        .approve(await verificationHub.getAddress(), await verificationHub.disputeBondOf(jobId));
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await decideDispute(market, jobId, true);
      const before = await staking.stakeOf(honest.address);
      await verificationHub.resolveDispute(jobId);
      // The colluders lose collateral; the honest dissenter loses nothing and its collateral is free again.
      expect(await staking.stakeOf(honest.address)).to.equal(before);
      expect(await staking.lockedOf(honest.address)).to.equal(0n);
      expect(await staking.recentOffences(honest.address)).to.equal(0n);
      expect(await staking.recentOffences(other.address)).to.equal(1n);
      expect(await staking.recentOffences(third.address)).to.equal(1n);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Refunded);
    });
  });

  describe("consensus needs three providers and audits every dissent (attack 6)", () => {
    it("refuses a two-provider Consensus job, where the requester's own sybil could split it for a free result", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, accounts } = market;
      const spec = jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 2, tier: Tier.Economy });
      await expect(jobMarket.connect(accounts.alice).submitJob(spec))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidRedundancy")
        .withArgs(2, Mode.Consensus);
    });

    it("always audits a job with a dissenter, so an honest validator can prove a colluding majority wrong alone and the dissenter is paid", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, verificationHub, staking, agpu, other, third, validators, accounts } = market;
      // At a 0% audit rate a unanimous job is never sampled...
      await setAuditRate(market, 0);
      const spec = jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3, tier: Tier.Economy });
      const jobId = await submit(market, spec);
      const honest = market.providers[3]!;
      await claimCommitReveal(
        market,
        jobId,
        [other, third, honest],
        [result("colluded"), result("colluded"), result("honest")],
      );
      // ...but this one has a dissenter: it is sampled, whatever the rate.
      expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Sampled);
      const requesterBefore = await agpu.balanceOf(accounts.alice.address);
      const { escrow } = await jobMarket.jobOf(jobId);
      const honestStake = await staking.stakeOf(honest.address);
      // The requester stays silent; a validator re-executes, finds the accepted result wrong and escalates.
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, result("honest"))).to.emit(
        verificationHub,
        "AuditFailed",
      );
      await decideDispute(market, jobId, true);
      const honestBalance = await agpu.balanceOf(honest.address);
      await expect(verificationHub.resolveDispute(jobId))
        .to.emit(jobMarket, "ProviderPaid")
        .withArgs(jobId, 2n, honest.address, anyValue, anyValue, anyValue);
      // The committee confirmed the auditor's result, which the dissenter revealed: the dissenter is paid its
      // share, the colluders are slashed, and the requester pays for the one right result only.
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
      expect(await staking.recentOffences(other.address)).to.equal(1n);
      expect(await staking.recentOffences(third.address)).to.equal(1n);
      expect(await staking.stakeOf(honest.address)).to.equal(honestStake);
      expect(await staking.lockedOf(honest.address)).to.equal(0n);
      expect(await agpu.balanceOf(honest.address)).to.be.greaterThan(honestBalance);
      expect((await agpu.balanceOf(accounts.alice.address)) - requesterBefore).to.equal(escrow - escrow / 3n);
    });
  });

  describe("smaller attacks (10)", () => {
    it("keeps a provider who missed a slot barred from the job after another provider re-claims that slot", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, jobId, provider, other, accounts } = market;
      await time.increase(HOUR + 1);
      await jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
      await jobMarket.connect(other).claimSlot(jobId);
      await time.increase(HOUR + 1);
      await jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
      // The slot is open again and names `other` now; the first provider is still barred.
      await expect(jobMarket.connect(provider).claimSlot(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketAlreadyAssigned")
        .withArgs(jobId, provider.address);
    });

    it("lets a provider's second account earn no more than a gas-sized bounty for proving its own miss", async () => {
      const { jobMarket, staking, jobId, provider, accounts } = await loadFixture(claimed);
      const before = await staking.stakeOf(provider.address);
      await time.increase(HOUR + 1);
      // `stranger` plays the provider's own second account.
      await jobMarket.connect(accounts.stranger).expireSlot(jobId, 0);
      const lost = before - (await staking.stakeOf(provider.address));
      const bounty = await staking.unpaidBountyOf(accounts.stranger.address);
      expect(bounty).to.equal(AGPU);
      expect(lost - bounty).to.equal(14n * AGPU);
    });

    it("refuses a requester that names itself the model creator", async () => {
      const market = await loadFixture(claimed);
      const { jobMarket, accounts } = market;
      await expect(
        jobMarket
          .connect(accounts.alice)
          .submitJob(jobSpec(await time.latest(), { modelCreator: accounts.alice.address as `0x${string}` })),
      )
        .to.be.revertedWithCustomError(jobMarket, "MarketModelCreatorIsRequester")
        .withArgs(accounts.alice.address);
    });
  });
});

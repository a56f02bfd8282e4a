import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const DAY = 86_400n;
const PROVIDER = 1;
const FAULT = keccak256(toUtf8Bytes("job.wrong-result"));

/** Alice has 10 000 AGPU staked and 1 000 AGPU more approved. */
async function aliceStaked() {
  const protocol = await deployed();
  const { agpu, staking, accounts } = protocol;
  await agpu.connect(accounts.deployer).transfer(accounts.alice.address, 11_000n * AGPU);
  await agpu.connect(accounts.alice).approve(await staking.getAddress(), 11_000n * AGPU);
  await staking.connect(accounts.alice).stake(10_000n * AGPU);
  return protocol;
}

/** Alice asked to unbond 1 000 AGPU; `releaseAt` is when it matures. */
async function unbonding() {
  const protocol = await aliceStaked();
  await protocol.staking.connect(protocol.accounts.alice).requestUnbond(1_000n * AGPU);
  const releaseAt = BigInt(await time.latest()) + 7n * DAY;
  return { ...protocol, releaseAt };
}

/** Alice was slashed once, at `offenceAt`, and has 1 000 AGPU more locked as a job's collateral. */
async function offended() {
  const protocol = await aliceStaked();
  const { staking, accounts } = protocol;
  await staking.connect(accounts.market).lockCollateral(accounts.alice.address, 2_000n * AGPU);
  await staking
    .connect(accounts.market)
    .slashCollateral(accounts.alice.address, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false);
  return { ...protocol, offenceAt: BigInt(await time.latest()) };
}

describe("Staking at its boundaries: one before, at, one after", () => {
  describe("an unbonding matures at exactly its releaseAt", () => {
    it("is not withdrawable one second before releaseAt", async () => {
      const { staking, accounts, releaseAt } = await loadFixture(unbonding);
      await time.setNextBlockTimestamp(releaseAt - 1n);
      await expect(staking.connect(accounts.alice).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
        .withArgs(accounts.alice.address, releaseAt);
    });

    it("is withdrawable at releaseAt", async () => {
      const { staking, accounts, releaseAt } = await loadFixture(unbonding);
      await time.setNextBlockTimestamp(releaseAt);
      await expect(staking.connect(accounts.alice).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(accounts.alice.address, 1_000n * AGPU);
    });
  });

  describe("what can be unbonded or locked is exactly the available stake", () => {
    it("unbonds all of the available stake, and refuses one wei more", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const available = await staking.availableOf(accounts.alice.address);
      await expect(staking.connect(accounts.alice).requestUnbond(available + 1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientAvailableStake")
        .withArgs(accounts.alice.address, available + 1n, available);
      await expect(staking.connect(accounts.alice).requestUnbond(available)).to.emit(staking, "UnbondingRequested");
      expect(await staking.availableOf(accounts.alice.address)).to.equal(0n);
    });

    it("locks all of the available stake as collateral, and refuses one wei more", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const market = staking.connect(accounts.market);
      const available = await staking.availableOf(accounts.alice.address);
      await expect(market.lockCollateral(accounts.alice.address, available + 1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientAvailableStake")
        .withArgs(accounts.alice.address, available + 1n, available);
      await market.lockCollateral(accounts.alice.address, available);
      expect(await staking.lockedOf(accounts.alice.address)).to.equal(available);
    });
  });

  describe("a role's minimum is met by a stake exactly at it", () => {
    it("counts a stake of exactly the minimum, and not one wei less", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const minimum = await staking.minimumStake(PROVIDER);
      const excess = (await staking.stakeOf(accounts.alice.address)) - minimum;
      await staking.connect(accounts.alice).requestUnbond(excess);
      expect(await staking.meetsMinimum(accounts.alice.address, PROVIDER)).to.equal(true);
      await staking.connect(accounts.alice).requestUnbond(1n);
      expect(await staking.meetsMinimum(accounts.alice.address, PROVIDER)).to.equal(false);
    });
  });

  describe("an offence counts for exactly the 90-day window", () => {
    it("still escalates a fault one second before the window ends", async () => {
      const { staking, accounts, offenceAt } = await loadFixture(offended);
      await time.setNextBlockTimestamp(offenceAt + 90n * DAY - 1n);
      // Second offence in the window: 75% of the 1 000 AGPU collateral.
      await expect(
        staking
          .connect(accounts.market)
          .slashCollateral(accounts.alice.address, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false),
      )
        .to.emit(staking, "Slashed")
        .withArgs(accounts.alice.address, FAULT, ethers.ZeroAddress, 750n * AGPU, 1_000n * AGPU, 0n, 2n);
    });

    it("has forgotten it when the window ends", async () => {
      const { staking, accounts, offenceAt } = await loadFixture(offended);
      await time.setNextBlockTimestamp(offenceAt + 90n * DAY);
      await expect(
        staking
          .connect(accounts.market)
          .slashCollateral(accounts.alice.address, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false),
      )
        .to.emit(staking, "Slashed")
        .withArgs(accounts.alice.address, FAULT, ethers.ZeroAddress, 500n * AGPU, 1_000n * AGPU, 0n, 1n);
    });
  });

  describe("slashing tiers may stay level but never fall", () => {
    const policy = { window: 90n * DAY, bountyBps: 0, maxBounty: 0n };

    it("accepts a tier equal to the one before it", async () => {
      const { staking, accounts } = await loadFixture(deployed);
      await expect(
        staking.connect(accounts.governor).setSlashPolicy({ ...policy, tierBps: [5_000, 5_000, 5_000] }),
      ).to.emit(staking, "SlashPolicySet");
    });

    it("refuses a tier one basis point below the one before it", async () => {
      const { staking, accounts } = await loadFixture(deployed);
      await expect(
        staking.connect(accounts.governor).setSlashPolicy({ ...policy, tierBps: [5_000, 4_999, 10_000] }),
      ).to.be.revertedWithCustomError(staking, "StakingSlashTiersNotAscending");
    });
  });
});

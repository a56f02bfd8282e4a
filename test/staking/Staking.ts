import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";
import { signPermit } from "../support/permit.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const DAY = 86_400n;
const PROVIDER = 1;
const VALIDATOR = 2;
const ORACLE = 4;
const REQUESTER = 8;
const FAULT = keccak256(toUtf8Bytes("job.wrong-result"));

/** Alice and Bob hold 100 000 AGPU each and have approved the staking contract for all of it. */
async function funded() {
  const protocol = await deployed();
  const { agpu, staking, accounts } = protocol;
  for (const holder of [accounts.alice, accounts.bob]) {
    await agpu.connect(accounts.deployer).transfer(holder.address, 100_000n * AGPU);
    await agpu.connect(holder).approve(await staking.getAddress(), 100_000n * AGPU);
  }
  return protocol;
}

/** Alice has 10 000 AGPU staked. */
async function aliceStaked() {
  const protocol = await funded();
  await protocol.staking.connect(protocol.accounts.alice).stake(10_000n * AGPU);
  return protocol;
}

describe("Staking", () => {
  describe("at deployment", () => {
    it("starts with the default minimums, a 7-day unbonding period and a 50/75/100% collateral slashing ladder", async () => {
      const { staking, agpu, treasury } = await loadFixture(deployed);
      expect(await staking.token()).to.equal(await agpu.getAddress());
      expect(await staking.treasury()).to.equal(await treasury.getAddress());
      expect(await staking.minimumStake(PROVIDER)).to.equal(1_000n * AGPU);
      expect(await staking.minimumStake(VALIDATOR)).to.equal(5_000n * AGPU);
      expect(await staking.minimumStake(ORACLE)).to.equal(2_000n * AGPU);
      expect(await staking.minimumStake(REQUESTER)).to.equal(0n);
      expect(await staking.unbondingPeriod()).to.equal(7n * DAY);
      const policy = await staking.slashPolicy();
      expect(policy.tierBps.map(Number)).to.deep.equal([5_000, 7_500, 10_000]);
      expect(policy.window).to.equal(90n * DAY);
      expect(policy.bountyBps).to.equal(1_000n);
      expect(policy.maxBounty).to.equal(AGPU);
    });
  });

  describe("staking", () => {
    it("pulls AGPU by allowance and emits Staked with the new total", async () => {
      const { staking, agpu, accounts } = await loadFixture(funded);
      await expect(staking.connect(accounts.alice).stake(600n * AGPU))
        .to.emit(staking, "Staked")
        .withArgs(accounts.alice.address, 600n * AGPU, 600n * AGPU);
      await staking.connect(accounts.alice).stake(400n * AGPU);
      expect(await staking.stakeOf(accounts.alice.address)).to.equal(1_000n * AGPU);
      expect(await staking.totalStaked()).to.equal(1_000n * AGPU);
      expect(await agpu.balanceOf(await staking.getAddress())).to.equal(1_000n * AGPU);
    });

    it("stakes with a permit instead of an approval", async () => {
      const { staking, agpu, accounts } = await loadFixture(deployed);
      await agpu.connect(accounts.deployer).transfer(accounts.carol.address, 2_000n * AGPU);
      const deadline = BigInt(await time.latest()) + 600n;
      const p = await signPermit(agpu, accounts.carol, await staking.getAddress(), 2_000n * AGPU, deadline, 31337n);
      await staking.connect(accounts.carol).stakeWithPermit(2_000n * AGPU, deadline, p.v, p.r, p.s);
      expect(await staking.stakeOf(accounts.carol.address)).to.equal(2_000n * AGPU);
    });

    it("still stakes when the permit was front-run, since the allowance is there", async () => {
      const { staking, agpu, accounts } = await loadFixture(deployed);
      await agpu.connect(accounts.deployer).transfer(accounts.carol.address, 2_000n * AGPU);
      const deadline = BigInt(await time.latest()) + 600n;
      const p = await signPermit(agpu, accounts.carol, await staking.getAddress(), 2_000n * AGPU, deadline, 31337n);
      await agpu.connect(accounts.stranger).permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s);
      await staking.connect(accounts.carol).stakeWithPermit(2_000n * AGPU, deadline, p.v, p.r, p.s);
      expect(await staking.stakeOf(accounts.carol.address)).to.equal(2_000n * AGPU);
    });

    it("reverts with the token's error when a permit is invalid and there is no allowance", async () => {
      const { staking, agpu, accounts } = await loadFixture(deployed);
      await agpu.connect(accounts.deployer).transfer(accounts.carol.address, 2_000n * AGPU);
      const deadline = BigInt(await time.latest()) + 600n;
      const forged = await signPermit(agpu, accounts.stranger, await staking.getAddress(), 1n, deadline, 31337n);
      await expect(
        staking.connect(accounts.carol).stakeWithPermit(2_000n * AGPU, deadline, forged.v, forged.r, forged.s),
      )
        .to.be.revertedWithCustomError(agpu, "ERC20InsufficientAllowance")
        .withArgs(await staking.getAddress(), 0n, 2_000n * AGPU);
    });

    it("reverts with StakingZeroAmount on zero and changes nothing", async () => {
      const { staking, accounts } = await loadFixture(funded);
      await expect(staking.connect(accounts.alice).stake(0n)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      expect(await staking.totalStaked()).to.equal(0n);
    });

    it("stops taking stake while paused, by allowance or by permit", async () => {
      const { staking, agpu, accounts } = await loadFixture(funded);
      await staking.connect(accounts.guardian).pause();
      await expect(staking.connect(accounts.alice).stake(AGPU)).to.be.revertedWithCustomError(staking, "EnforcedPause");
      await agpu.connect(accounts.deployer).transfer(accounts.carol.address, AGPU);
      const deadline = BigInt(await time.latest()) + 600n;
      const p = await signPermit(agpu, accounts.carol, await staking.getAddress(), AGPU, deadline, 31337n);
      await expect(
        staking.connect(accounts.carol).stakeWithPermit(AGPU, deadline, p.v, p.r, p.s),
      ).to.be.revertedWithCustomError(staking, "EnforcedPause");
      expect(await staking.totalStaked()).to.equal(0n);
    });
  });

  describe("role minimums", () => {
    it("tells whether a node's stake meets each role's minimum", async () => {
      const { staking, accounts } = await loadFixture(funded);
      await staking.connect(accounts.alice).stake(2_000n * AGPU);
      expect(await staking.meetsMinimum(accounts.alice.address, PROVIDER)).to.equal(true);
      expect(await staking.meetsMinimum(accounts.alice.address, ORACLE)).to.equal(true);
      expect(await staking.meetsMinimum(accounts.alice.address, VALIDATOR)).to.equal(false);
      expect(await staking.meetsMinimum(accounts.bob.address, REQUESTER)).to.equal(true);
    });

    it("lets governance set a minimum within its hard bounds", async () => {
      const { staking, accounts } = await loadFixture(deployed);
      await expect(staking.connect(accounts.governor).setMinimumStake(PROVIDER, 3_000n * AGPU))
        .to.emit(staking, "MinimumStakeSet")
        .withArgs(PROVIDER, 3_000n * AGPU);
      const max = await staking.MAX_MINIMUM_STAKE();
      await expect(staking.connect(accounts.governor).setMinimumStake(PROVIDER, max + 1n))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("minimumStake", max + 1n, 0n, max);
    });

    it("refuses a role that is not exactly one known role bit", async () => {
      const { staking, accounts } = await loadFixture(deployed);
      for (const role of [0, PROVIDER | VALIDATOR, 16]) {
        await expect(staking.connect(accounts.governor).setMinimumStake(role, AGPU))
          .to.be.revertedWithCustomError(staking, "StakingInvalidRole")
          .withArgs(role);
        await expect(staking.meetsMinimum(accounts.alice.address, role))
          .to.be.revertedWithCustomError(staking, "StakingInvalidRole")
          .withArgs(role);
        await expect(staking.minimumStake(role))
          .to.be.revertedWithCustomError(staking, "StakingInvalidRole")
          .withArgs(role);
      }
    });
  });

  describe("collateral", () => {
    it("locks part of the available stake for a job and unlocks it", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const node = accounts.alice.address;
      await expect(staking.connect(accounts.market).lockCollateral(node, 4_000n * AGPU))
        .to.emit(staking, "CollateralLocked")
        .withArgs(node, 4_000n * AGPU, 4_000n * AGPU);
      expect(await staking.availableOf(node)).to.equal(6_000n * AGPU);
      await expect(staking.connect(accounts.market).unlockCollateral(node, 4_000n * AGPU))
        .to.emit(staking, "CollateralUnlocked")
        .withArgs(node, 4_000n * AGPU, 0n);
      expect(await staking.availableOf(node)).to.equal(10_000n * AGPU);
    });

    it("refuses to lock more than is available with StakingInsufficientAvailableStake", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const node = accounts.alice.address;
      await staking.connect(accounts.market).lockCollateral(node, 9_000n * AGPU);
      await expect(staking.connect(accounts.market).lockCollateral(node, 1_001n * AGPU))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientAvailableStake")
        .withArgs(node, 1_001n * AGPU, 1_000n * AGPU);
    });

    it("cannot be unbonded while locked", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      await staking.connect(accounts.market).lockCollateral(accounts.alice.address, 9_000n * AGPU);
      await expect(staking.connect(accounts.alice).requestUnbond(1_001n * AGPU))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientAvailableStake")
        .withArgs(accounts.alice.address, 1_001n * AGPU, 1_000n * AGPU);
    });

    it("refuses to lock or unlock nothing with StakingZeroAmount", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const node = accounts.alice.address;
      await expect(staking.connect(accounts.market).lockCollateral(node, 0n)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      await staking.connect(accounts.market).lockCollateral(node, AGPU);
      await expect(staking.connect(accounts.market).unlockCollateral(node, 0n)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      expect(await staking.availableOf(node)).to.equal(9_999n * AGPU);
    });

    it("lets only the collateral manager lock or unlock", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      await expect(staking.connect(accounts.alice).unlockCollateral(accounts.alice.address, 1n))
        .to.be.revertedWithCustomError(staking, "AccessManagedUnauthorized")
        .withArgs(accounts.alice.address);
    });
  });

  describe("forfeiting (a juror's collateral, whole, to whoever the court names)", () => {
    /** Alice locks 1 000 AGPU as a juror's collateral. */
    async function jurorCollateral() {
      const protocol = await loadFixture(aliceStaked);
      await protocol.staking
        .connect(protocol.accounts.market)
        .lockCollateral(protocol.accounts.alice.address, 1_000n * AGPU);
      return protocol;
    }
    const REASON = keccak256(toUtf8Bytes("dispute.juror-absent"));

    it("pays the forfeited collateral to the named recipient at once, counting no offence", async () => {
      const { staking, agpu, accounts } = await jurorCollateral();
      const node = accounts.alice.address;
      await expect(
        staking.connect(accounts.market).forfeitCollateral(node, 400n * AGPU, REASON, accounts.carol.address),
      )
        .to.emit(staking, "CollateralForfeited")
        .withArgs(node, REASON, accounts.carol.address, 400n * AGPU);
      expect(await agpu.balanceOf(accounts.carol.address)).to.equal(400n * AGPU);
      expect(await staking.stakeOf(node)).to.equal(9_600n * AGPU);
      expect(await staking.lockedOf(node)).to.equal(600n * AGPU);
      expect(await staking.totalStaked()).to.equal(9_600n * AGPU);
      expect(await staking.unpaidTreasury()).to.equal(0n);
      expect(await staking.recentOffences(node)).to.equal(0n);
    });

    it("owes it to the treasury when no recipient is named, paid on the next sweep", async () => {
      const { staking, agpu, treasury, accounts } = await jurorCollateral();
      await staking
        .connect(accounts.market)
        .forfeitCollateral(accounts.alice.address, 1_000n * AGPU, REASON, ethers.ZeroAddress);
      expect(await staking.unpaidTreasury()).to.equal(1_000n * AGPU);
      await staking.connect(accounts.stranger).sweepToTreasury();
      expect(await agpu.balanceOf(await treasury.getAddress())).to.equal(1_000n * AGPU);
      expect(await staking.lockedOf(accounts.alice.address)).to.equal(0n);
    });

    it("refuses nothing, more than is locked, and anyone but a slasher", async () => {
      const { staking, accounts } = await jurorCollateral();
      const node = accounts.alice.address;
      const market = staking.connect(accounts.market);
      await expect(market.forfeitCollateral(node, 0n, REASON, accounts.carol.address)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      await expect(market.forfeitCollateral(node, 1_001n * AGPU, REASON, accounts.carol.address))
        .to.be.revertedWithCustomError(staking, "StakingCollateralNotLocked")
        .withArgs(node, 1_001n * AGPU, 1_000n * AGPU);
      await expect(staking.connect(accounts.carol).forfeitCollateral(node, 1n, REASON, accounts.carol.address))
        .to.be.revertedWithCustomError(staking, "AccessManagedUnauthorized")
        .withArgs(accounts.carol.address);
      expect(await staking.lockedOf(node)).to.equal(1_000n * AGPU);
    });
  });

  describe("unbonding", () => {
    it("queues unlocked stake for the unbonding period, then pays it out", async () => {
      const { staking, agpu, accounts } = await loadFixture(aliceStaked);
      const node = accounts.alice.address;
      const tx = staking.connect(accounts.alice).requestUnbond(3_000n * AGPU);
      const releaseAt = BigInt(await time.latest()) + 1n + 7n * DAY;
      await expect(tx)
        .to.emit(staking, "UnbondingRequested")
        .withArgs(node, 3_000n * AGPU, releaseAt, 7_000n * AGPU);
      expect(await staking.stakeOf(node)).to.equal(7_000n * AGPU);
      expect(await staking.unbondingOf(node)).to.equal(3_000n * AGPU);

      await time.increaseTo(releaseAt);
      const before = await agpu.balanceOf(node);
      await expect(staking.connect(accounts.alice).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(node, 3_000n * AGPU);
      expect(await agpu.balanceOf(node)).to.equal(before + 3_000n * AGPU);
      expect(await staking.unbondingOf(node)).to.equal(0n);
      expect(await staking.unbondingsOf(node)).to.deep.equal([]);
    });

    it("pays a later request first when governance shortened the period, and names the earliest still pending", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const alice = staking.connect(accounts.alice);
      const releaseOf = async () => (await staking.unbondingsOf(accounts.alice.address)).at(-1)!.releaseAt;
      await alice.requestUnbond(1_000n * AGPU);
      const weekLater = await releaseOf();
      await staking.connect(accounts.governor).setUnbondingPeriod(DAY);
      await alice.requestUnbond(2_000n * AGPU);
      const dayLater = await releaseOf();
      await alice.requestUnbond(500n * AGPU);
      const justAfter = await releaseOf();
      expect(dayLater).to.be.lessThan(weekLater);
      // Nothing is due: the earliest pending release is the second request's, though it came later.
      await expect(alice.withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
        .withArgs(accounts.alice.address, dayLater);
      expect(justAfter).to.be.greaterThan(dayLater);
      await time.setNextBlockTimestamp(dayLater);
      await expect(alice.withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(accounts.alice.address, 2_000n * AGPU);
      expect(await staking.unbondingsOf(accounts.alice.address)).to.deep.equal([
        [1_000n * AGPU, weekLater],
        [500n * AGPU, justAfter],
      ]);
    });

    it("holds unbonding requests and withdrawals while paused (an attacker cannot leave mid-incident), and lets them through once unpaused", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      const node = accounts.alice;
      await staking.connect(node).requestUnbond(1_000n * AGPU);
      await time.increase(7n * DAY);
      await staking.connect(accounts.guardian).pause();
      await expect(staking.connect(node).requestUnbond(AGPU)).to.be.revertedWithCustomError(staking, "EnforcedPause");
      await expect(staking.connect(node).withdraw()).to.be.revertedWithCustomError(staking, "EnforcedPause");
      expect(await staking.unbondingOf(node.address)).to.equal(1_000n * AGPU);

      await staking.connect(accounts.governor).unpause();
      await expect(staking.connect(node).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(node.address, 1_000n * AGPU);
      await expect(staking.connect(node).requestUnbond(AGPU)).to.emit(staking, "UnbondingRequested");
    });

    it("reverts with StakingNothingToWithdraw before the period ends, naming when it will", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      await staking.connect(accounts.alice).requestUnbond(AGPU);
      const releaseAt = BigInt(await time.latest()) + 7n * DAY;
      await time.increaseTo(releaseAt - 2n);
      await expect(staking.connect(accounts.alice).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
        .withArgs(accounts.alice.address, releaseAt);
      expect(await staking.unbondingOf(accounts.alice.address)).to.equal(AGPU);
    });

    it("pays only the matured entries and keeps the rest in order", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      await staking.connect(accounts.alice).requestUnbond(1n * AGPU);
      await time.increase(3n * DAY);
      await staking.connect(accounts.alice).requestUnbond(2n * AGPU);
      await time.increase(3n * DAY);
      await staking.connect(accounts.alice).requestUnbond(3n * AGPU);
      await time.increase(DAY + 1n);
      await expect(staking.connect(accounts.alice).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(accounts.alice.address, 1n * AGPU);
      const left = await staking.unbondingsOf(accounts.alice.address);
      expect(left.map((entry) => entry.amount)).to.deep.equal([2n * AGPU, 3n * AGPU]);
    });

    it("refuses a seventeenth pending unbonding with StakingTooManyUnbondings", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      for (let i = 0; i < 16; i++) await staking.connect(accounts.alice).requestUnbond(AGPU);
      await expect(staking.connect(accounts.alice).requestUnbond(AGPU))
        .to.be.revertedWithCustomError(staking, "StakingTooManyUnbondings")
        .withArgs(accounts.alice.address, 16n);
    });

    it("makes a node that unbonds below its role's minimum ineligible", async () => {
      const { staking, accounts } = await loadFixture(funded);
      await staking.connect(accounts.alice).stake(1_000n * AGPU);
      expect(await staking.meetsMinimum(accounts.alice.address, PROVIDER)).to.equal(true);
      await staking.connect(accounts.alice).requestUnbond(1n);
      expect(await staking.meetsMinimum(accounts.alice.address, PROVIDER)).to.equal(false);
    });

    it("reverts with StakingZeroAmount for an empty request", async () => {
      const { staking, accounts } = await loadFixture(aliceStaked);
      await expect(staking.connect(accounts.alice).requestUnbond(0n)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
    });

    it("lets governance change the period only within 1 to 60 days", async () => {
      const { staking, accounts } = await loadFixture(deployed);
      await staking.connect(accounts.governor).setUnbondingPeriod(14n * DAY);
      expect(await staking.unbondingPeriod()).to.equal(14n * DAY);
      await expect(staking.connect(accounts.governor).setUnbondingPeriod(DAY - 1n))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("unbondingPeriod", DAY - 1n, DAY, 60n * DAY);
      await expect(staking.connect(accounts.governor).setUnbondingPeriod(61n * DAY)).to.be.revertedWithCustomError(
        staking,
        "StakingParameterOutOfBounds",
      );
    });
  });

  describe("slashing", () => {
    /** Alice locks `amount` as a job's collateral, as the market does when she claims a slot. */
    async function withCollateral(amount: bigint) {
      const protocol = await loadFixture(aliceStaked);
      await protocol.staking.connect(protocol.accounts.market).lockCollateral(protocol.accounts.alice.address, amount);
      return protocol;
    }

    it("takes 50%, then 75%, then 100% of the job's collateral for offences within 90 days, never other stake", async () => {
      const { staking, accounts } = await withCollateral(3_000n * AGPU);
      const node = accounts.alice.address;
      const market = staking.connect(accounts.market);
      await expect(market.slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false))
        .to.emit(staking, "Slashed")
        .withArgs(node, FAULT, ethers.ZeroAddress, 500n * AGPU, 1_000n * AGPU, 0n, 1n);
      await time.increase(30n * DAY);
      await expect(market.slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false))
        .to.emit(staking, "Slashed")
        .withArgs(node, FAULT, ethers.ZeroAddress, 750n * AGPU, 1_000n * AGPU, 0n, 2n);
      await time.increase(30n * DAY);
      await expect(market.slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false))
        .to.emit(staking, "Slashed")
        .withArgs(node, FAULT, ethers.ZeroAddress, 1_000n * AGPU, 1_000n * AGPU, 0n, 3n);
      // 10 000 staked, 2 250 slashed: the 7 000 that no job held is untouched, and nothing stays locked.
      expect(await staking.stakeOf(node)).to.equal(7_750n * AGPU);
      expect(await staking.lockedOf(node)).to.equal(0n);
      expect(await staking.availableOf(node)).to.equal(7_750n * AGPU);
      expect(await staking.recentOffences(node)).to.equal(3n);
    });

    it("takes the whole collateral for fraud (a result shown wrong) on a first offence, and counts the offence", async () => {
      const { staking, accounts } = await withCollateral(2_000n * AGPU);
      const node = accounts.alice.address;
      await expect(
        staking.connect(accounts.market).slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, true),
      )
        .to.emit(staking, "Slashed")
        .withArgs(node, FAULT, ethers.ZeroAddress, 1_000n * AGPU, 1_000n * AGPU, 0n, 1n);
      expect(await staking.lockedOf(node)).to.equal(1_000n * AGPU);
      // A later accidental fault escalates from the record, fraud included.
      await expect(
        staking.connect(accounts.market).slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false),
      )
        .to.emit(staking, "Slashed")
        .withArgs(node, FAULT, ethers.ZeroAddress, 750n * AGPU, 1_000n * AGPU, 0n, 2n);
    });

    it("forgets offences older than the window", async () => {
      const { staking, accounts } = await withCollateral(2_000n * AGPU);
      const node = accounts.alice.address;
      await staking.connect(accounts.market).slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false);
      await time.increase(90n * DAY);
      expect(await staking.recentOffences(node)).to.equal(0n);
      await expect(
        staking.connect(accounts.market).slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false),
      )
        .to.emit(staking, "Slashed")
        .withArgs(node, FAULT, ethers.ZeroAddress, 500n * AGPU, 1_000n * AGPU, 0n, 1n);
    });

    it("owes the prover a bounty share capped at a gas-sized reward, and the treasury the rest, each paid on claim", async () => {
      const { staking, agpu, treasury, accounts } = await withCollateral(4_000n * AGPU);
      // 50% of 4 000 is 2 000; 10% of that would be 200, but the bounty is capped at 1 AGPU.
      await staking
        .connect(accounts.market)
        .slashCollateral(accounts.alice.address, 4_000n * AGPU, FAULT, accounts.carol.address, false);
      expect(await staking.unpaidBountyOf(accounts.carol.address)).to.equal(1n * AGPU);
      expect(await staking.unpaidTreasury()).to.equal(1_999n * AGPU);

      await expect(staking.connect(accounts.carol).claimBounty())
        .to.emit(staking, "BountyClaimed")
        .withArgs(accounts.carol.address, 1n * AGPU);
      expect(await agpu.balanceOf(accounts.carol.address)).to.equal(1n * AGPU);
      await expect(staking.connect(accounts.stranger).sweepToTreasury())
        .to.emit(treasury, "FeeReceived")
        .withArgs(
          await agpu.getAddress(),
          await staking.getAddress(),
          1_999n * AGPU,
          keccak256(toUtf8Bytes("staking.slash")),
        );
      expect(await agpu.balanceOf(await treasury.getAddress())).to.equal(1_999n * AGPU);
      expect(await agpu.balanceOf(await staking.getAddress())).to.equal(8_000n * AGPU);

      await expect(staking.connect(accounts.carol).claimBounty())
        .to.be.revertedWithCustomError(staking, "StakingNothingToClaim")
        .withArgs(accounts.carol.address);
    });

    it("pays the bounty share in full when it is under the cap", async () => {
      const { staking, accounts } = await withCollateral(10n * AGPU);
      await staking
        .connect(accounts.market)
        .slashCollateral(accounts.alice.address, 10n * AGPU, FAULT, accounts.carol.address, false);
      // 50% of 10 is 5; 10% of 5 is 0.5 AGPU, under the 1 AGPU cap.
      expect(await staking.unpaidBountyOf(accounts.carol.address)).to.equal(AGPU / 2n);
    });

    it("never reaches stake that is unbonding", async () => {
      const { staking, accounts } = await withCollateral(1_000n * AGPU);
      const node = accounts.alice.address;
      await staking.connect(accounts.alice).requestUnbond(4_000n * AGPU);
      await staking.connect(accounts.market).slashCollateral(node, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false);
      expect(await staking.unbondingOf(node)).to.equal(4_000n * AGPU);
      expect(await staking.stakeOf(node)).to.equal(5_500n * AGPU);
    });

    it("refuses to slash or unlock more collateral than is locked, so no other job's collateral is taken", async () => {
      const { staking, accounts } = await withCollateral(1_000n * AGPU);
      const node = accounts.alice.address;
      await expect(
        staking.connect(accounts.market).slashCollateral(node, 1_001n * AGPU, FAULT, ethers.ZeroAddress, false),
      )
        .to.be.revertedWithCustomError(staking, "StakingCollateralNotLocked")
        .withArgs(node, 1_001n * AGPU, 1_000n * AGPU);
      await expect(staking.connect(accounts.market).unlockCollateral(node, 1_001n * AGPU))
        .to.be.revertedWithCustomError(staking, "StakingCollateralNotLocked")
        .withArgs(node, 1_001n * AGPU, 1_000n * AGPU);
      await expect(
        staking
          .connect(accounts.market)
          .slashCollateral(accounts.stranger.address, 1n, FAULT, ethers.ZeroAddress, false),
      ).to.be.revertedWithCustomError(staking, "StakingCollateralNotLocked");
      await expect(
        staking.connect(accounts.market).slashCollateral(node, 0n, FAULT, ethers.ZeroAddress, false),
      ).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
    });

    it("refuses to slash the zero address", async () => {
      const { staking, accounts } = await withCollateral(1_000n * AGPU);
      await expect(
        staking.connect(accounts.market).slashCollateral(ethers.ZeroAddress, 1n, FAULT, ethers.ZeroAddress, false),
      ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
    });

    it("lets only a slasher slash", async () => {
      const { staking, accounts } = await withCollateral(1_000n * AGPU);
      await expect(
        staking.connect(accounts.bob).slashCollateral(accounts.alice.address, 1n, FAULT, accounts.bob.address, false),
      )
        .to.be.revertedWithCustomError(staking, "AccessManagedUnauthorized")
        .withArgs(accounts.bob.address);
    });

    it("keeps slashing while paused, so faults are still punished", async () => {
      const { staking, accounts } = await withCollateral(1_000n * AGPU);
      await staking.connect(accounts.guardian).pause();
      await staking
        .connect(accounts.market)
        .slashCollateral(accounts.alice.address, 1_000n * AGPU, FAULT, ethers.ZeroAddress, false);
      expect(await staking.stakeOf(accounts.alice.address)).to.equal(9_500n * AGPU);
    });

    it("refuses a slashing policy out of bounds or with falling tiers", async () => {
      const { staking, accounts } = await loadFixture(deployed);
      const governor = staking.connect(accounts.governor);
      const policy = {
        tierBps: [2_000, 5_000, 10_000] as [number, number, number],
        window: 90n * DAY,
        bountyBps: 0,
        maxBounty: 0n,
      };
      await expect(
        governor.setSlashPolicy({ ...policy, tierBps: [5_000, 2_000, 10_000] }),
      ).to.be.revertedWithCustomError(staking, "StakingSlashTiersNotAscending");
      await expect(governor.setSlashPolicy({ ...policy, tierBps: [99, 5_000, 10_000] }))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("slashTierBps", 99n, 100n, 10_000n);
      await expect(governor.setSlashPolicy({ ...policy, tierBps: [2_000, 5_000, 10_001] }))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("slashTierBps", 10_001n, 100n, 10_000n);
      await expect(governor.setSlashPolicy({ ...policy, window: DAY - 1n }))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("slashWindow", DAY - 1n, DAY, 365n * DAY);
      await expect(governor.setSlashPolicy({ ...policy, bountyBps: 5_001 }))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("bountyBps", 5_001n, 0n, 5_000n);
      await expect(governor.setSlashPolicy({ ...policy, maxBounty: 100n * AGPU + 1n }))
        .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
        .withArgs("maxBounty", 100n * AGPU + 1n, 0n, 100n * AGPU);
      await expect(governor.setSlashPolicy({ ...policy, maxBounty: 100n * AGPU }))
        .to.emit(staking, "SlashPolicySet")
        .withArgs([2_000n, 5_000n, 10_000n], 90n * DAY, 0n, 100n * AGPU);
    });
  });
});

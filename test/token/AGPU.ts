import { expect } from "chai";

import { DEFAULT_TOKEN_PARAMETERS } from "../../ignition/modules/Tokens.js";
import { connect, protocolFixture } from "../support/protocol.js";
import { signPermit } from "../support/permit.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const { genesisSupply, epochDuration, initialEpochEmission, halvingEpochs } = DEFAULT_TOKEN_PARAMETERS;

describe("AGPU", () => {
  describe("at deployment", () => {
    it("is named StarMiner GPU (AGPU) with 18 decimals and a one-billion cap", async () => {
      const { agpu } = await loadFixture(deployed);
      expect(await agpu.name()).to.equal("StarMiner GPU");
      expect(await agpu.symbol()).to.equal("AGPU");
      expect(await agpu.decimals()).to.equal(18n);
      expect(await agpu.cap()).to.equal(1_000_000_000n * AGPU);
    });

    it("mints the genesis supply to the genesis recipient and nothing else", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      expect(await agpu.totalSupply()).to.equal(genesisSupply);
      expect(await agpu.balanceOf(accounts.deployer.address)).to.equal(genesisSupply);
      expect(await agpu.totalEmitted()).to.equal(0n);
    });

    it("refuses a schedule whose upper bound exceeds the cap", async () => {
      const { accessManager, accounts } = await loadFixture(deployed);
      const factory = await ethers.getContractFactory("AGPU");
      const tooMuch = (600_000_000n * AGPU) / (2n * halvingEpochs) + 1n;
      const bound = genesisSupply + 2n * halvingEpochs * tooMuch;
      await expect(
        factory.deploy(accessManager, accounts.alice.address, genesisSupply, epochDuration, tooMuch, halvingEpochs),
      )
        .to.be.revertedWithCustomError(factory, "AGPUScheduleExceedsCap")
        .withArgs(bound, 1_000_000_000n * AGPU);
    });

    it("refuses an epoch shorter than an hour or longer than a year, and zero epochs per halving", async () => {
      const { accessManager, accounts } = await loadFixture(deployed);
      const factory = await ethers.getContractFactory("AGPU");
      const args = (duration: bigint, halving: bigint) =>
        [accessManager, accounts.alice.address, 0n, duration, AGPU, halving] as const;
      await expect(factory.deploy(...args(3599n, 1n)))
        .to.be.revertedWithCustomError(factory, "AGPUInvalidSchedule")
        .withArgs("epochDuration");
      await expect(factory.deploy(...args(366n * 86400n, 1n)))
        .to.be.revertedWithCustomError(factory, "AGPUInvalidSchedule")
        .withArgs("epochDuration");
      await expect(factory.deploy(...args(3600n, 0n)))
        .to.be.revertedWithCustomError(factory, "AGPUInvalidSchedule")
        .withArgs("halvingEpochs");
    });

    it("refuses a genesis supply without a recipient", async () => {
      const { accessManager } = await loadFixture(deployed);
      const factory = await ethers.getContractFactory("AGPU");
      await expect(
        factory.deploy(accessManager, ethers.ZeroAddress, 1n, epochDuration, AGPU, 1n),
      ).to.be.revertedWithCustomError(factory, "AGPUZeroAddress");
    });
  });

  describe("emissions schedule", () => {
    it("starts in epoch 0 with the initial budget", async () => {
      const { agpu } = await loadFixture(deployed);
      expect(await agpu.currentEpoch()).to.equal(0n);
      expect(await agpu.emissionBudget(0n)).to.equal(initialEpochEmission);
      expect(await agpu.remainingEmission()).to.equal(initialEpochEmission);
    });

    it("declines every epoch and halves every halving period", async () => {
      const { agpu } = await loadFixture(deployed);
      const budget = (epoch: bigint) => agpu.emissionBudget(epoch);
      expect(await budget(1n)).to.be.lessThan(await budget(0n));
      expect(await budget(halvingEpochs - 1n)).to.be.greaterThanOrEqual(await budget(halvingEpochs));
      expect(await budget(halvingEpochs)).to.equal(initialEpochEmission / 2n);
      expect(await budget(3n * halvingEpochs)).to.equal(initialEpochEmission / 8n);
      expect(await budget(256n * halvingEpochs)).to.equal(0n);
    });

    it("fits genesis and every future emission under the cap", async () => {
      const { agpu } = await loadFixture(deployed);
      const maxTotal = await agpu.maxTotalSupply();
      expect(maxTotal).to.equal(genesisSupply + 2n * halvingEpochs * initialEpochEmission);
      expect(maxTotal).to.be.lessThanOrEqual(await agpu.cap());
    });

    it("moves to the next epoch when an epoch's duration has passed", async () => {
      const { agpu } = await loadFixture(deployed);
      const start = await agpu.emissionStart();
      await time.increaseTo(start + epochDuration - 1n);
      expect(await agpu.currentEpoch()).to.equal(0n);
      await time.increaseTo(start + epochDuration);
      expect(await agpu.currentEpoch()).to.equal(1n);
    });
  });

  describe("mintEmission", () => {
    it("lets the emissions minter mint within the epoch's budget", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      const amount = 1_000n * AGPU;
      await expect(agpu.connect(accounts.minter).mintEmission(accounts.alice.address, amount))
        .to.emit(agpu, "EmissionMinted")
        .withArgs(0n, accounts.alice.address, amount, initialEpochEmission - amount);
      expect(await agpu.balanceOf(accounts.alice.address)).to.equal(amount);
      expect(await agpu.totalSupply()).to.equal(genesisSupply + amount);
      expect(await agpu.emittedInEpoch(0n)).to.equal(amount);
      expect(await agpu.totalEmitted()).to.equal(amount);
    });

    it("reverts with AGPUEmissionBudgetExceeded past the budget and mints nothing", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      await agpu.connect(accounts.minter).mintEmission(accounts.alice.address, initialEpochEmission - 5n);
      await expect(agpu.connect(accounts.minter).mintEmission(accounts.alice.address, 6n))
        .to.be.revertedWithCustomError(agpu, "AGPUEmissionBudgetExceeded")
        .withArgs(0n, 6n, 5n);
      expect(await agpu.totalSupply()).to.equal(genesisSupply + initialEpochEmission - 5n);
    });

    it("does not carry an unused budget into the next epoch", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      await time.increase(epochDuration);
      const budgetOne = await agpu.emissionBudget(1n);
      expect(await agpu.remainingEmission()).to.equal(budgetOne);
      await expect(
        agpu.connect(accounts.minter).mintEmission(accounts.alice.address, budgetOne + 1n),
      ).to.be.revertedWithCustomError(agpu, "AGPUEmissionBudgetExceeded");
      await agpu.connect(accounts.minter).mintEmission(accounts.alice.address, budgetOne);
      expect(await agpu.emittedInEpoch(1n)).to.equal(budgetOne);
      expect(await agpu.emittedInEpoch(0n)).to.equal(0n);
    });

    it("reverts with the manager's AccessManagedUnauthorized for any other caller", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      for (const caller of [accounts.stranger, accounts.deployer, accounts.guardian, accounts.governor]) {
        await expect(agpu.connect(caller).mintEmission(caller.address, AGPU))
          .to.be.revertedWithCustomError(agpu, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
    });

    it("reverts with AGPUZeroAmount for a zero amount", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      await expect(
        agpu.connect(accounts.minter).mintEmission(accounts.alice.address, 0n),
      ).to.be.revertedWithCustomError(agpu, "AGPUZeroAmount");
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      await expect(agpu.connect(accounts.minter).mintEmission(ethers.ZeroAddress, AGPU))
        .to.be.revertedWithCustomError(agpu, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await agpu.totalEmitted()).to.equal(0n);
    });
  });

  describe("permit (EIP-2612)", () => {
    it("sets an allowance from the owner's signature and consumes the nonce", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      const deadline = BigInt(await time.latest()) + 3600n;
      const p = await signPermit(agpu, accounts.deployer, accounts.bob.address, 500n * AGPU, deadline, 31337n);
      await expect(agpu.connect(accounts.stranger).permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s))
        .to.emit(agpu, "Approval")
        .withArgs(p.owner, p.spender, p.value);
      expect(await agpu.allowance(p.owner, p.spender)).to.equal(500n * AGPU);
      expect(await agpu.nonces(p.owner)).to.equal(1n);
      await agpu.connect(accounts.bob).transferFrom(p.owner, accounts.bob.address, 500n * AGPU);
      expect(await agpu.balanceOf(accounts.bob.address)).to.equal(500n * AGPU);
    });

    it("reverts with ERC2612ExpiredSignature after the deadline", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      const deadline = BigInt(await time.latest()) + 60n;
      const p = await signPermit(agpu, accounts.deployer, accounts.bob.address, AGPU, deadline, 31337n);
      await time.increaseTo(deadline + 1n);
      await expect(agpu.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s))
        .to.be.revertedWithCustomError(agpu, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await agpu.allowance(p.owner, p.spender)).to.equal(0n);
    });

    it("reverts with ERC2612InvalidSigner for a signature by someone else, and on replay", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      const deadline = BigInt(await time.latest()) + 3600n;
      const forged = await signPermit(agpu, accounts.stranger, accounts.stranger.address, AGPU, deadline, 31337n);
      await expect(
        agpu.permit(
          accounts.deployer.address,
          forged.spender,
          forged.value,
          forged.deadline,
          forged.v,
          forged.r,
          forged.s,
        ),
      ).to.be.revertedWithCustomError(agpu, "ERC2612InvalidSigner");

      const p = await signPermit(agpu, accounts.deployer, accounts.bob.address, AGPU, deadline, 31337n);
      await agpu.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s);
      await expect(agpu.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s)).to.be.revertedWithCustomError(
        agpu,
        "ERC2612InvalidSigner",
      );
    });
  });

  describe("burning", () => {
    it("burns from the holder's balance and from an allowance, reducing the supply", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      await agpu.connect(accounts.deployer).burn(10n * AGPU);
      await agpu.connect(accounts.deployer).approve(accounts.alice.address, 5n * AGPU);
      await agpu.connect(accounts.alice).burnFrom(accounts.deployer.address, 5n * AGPU);
      expect(await agpu.totalSupply()).to.equal(genesisSupply - 15n * AGPU);
    });

    it("reverts with ERC20InsufficientAllowance when burning another holder's tokens without allowance", async () => {
      const { agpu, accounts } = await loadFixture(deployed);
      await expect(agpu.connect(accounts.stranger).burnFrom(accounts.deployer.address, 1n))
        .to.be.revertedWithCustomError(agpu, "ERC20InsufficientAllowance")
        .withArgs(accounts.stranger.address, 0n, 1n);
    });
  });
});

import { expect } from "chai";

import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const HOUR = 3_600n;
const YEAR = 365n * 24n * HOUR;
const MAX_SUPPLY = 1_000_000_000n * AGPU;

/** AGPU's constructor arguments: genesis supply, epoch duration, first epoch's emission, epochs per halving. */
async function schedule(genesis: bigint, epoch: bigint, emission: bigint, halving: bigint) {
  const { accessManager, accounts } = await loadFixture(deployed);
  const factory = await ethers.getContractFactory("AGPU");
  return {
    factory,
    deploy: () => factory.deploy(accessManager, accounts.alice.address, genesis, epoch, emission, halving),
  };
}

describe("AGPU at its boundaries: one before, at, one after", () => {
  describe("an emission epoch lasts from one hour to one year", () => {
    it("accepts exactly one hour and exactly one year", async () => {
      for (const epoch of [HOUR, YEAR]) {
        const { deploy } = await schedule(0n, epoch, AGPU, 1n);
        const agpu = await deploy();
        expect(await agpu.epochDuration()).to.equal(epoch);
      }
    });

    it("refuses one second less than an hour and one second more than a year", async () => {
      for (const epoch of [HOUR - 1n, YEAR + 1n]) {
        const { factory, deploy } = await schedule(0n, epoch, AGPU, 1n);
        await expect(deploy()).to.be.revertedWithCustomError(factory, "AGPUInvalidSchedule").withArgs("epochDuration");
      }
    });
  });

  describe("the schedule's upper bound may reach the cap exactly", () => {
    // genesis + 2 × halvingEpochs × first epoch's emission: 400M + 2 × 10 × 30M = 1B.
    it("accepts a schedule whose bound is exactly the cap", async () => {
      const { deploy } = await schedule(400_000_000n * AGPU, HOUR, 30_000_000n * AGPU, 10n);
      const agpu = await deploy();
      expect(await agpu.totalSupply()).to.equal(400_000_000n * AGPU);
    });

    it("refuses one whose bound is one wei over it", async () => {
      const { factory, deploy } = await schedule(400_000_000n * AGPU + 1n, HOUR, 30_000_000n * AGPU, 10n);
      await expect(deploy())
        .to.be.revertedWithCustomError(factory, "AGPUScheduleExceedsCap")
        .withArgs(MAX_SUPPLY + 1n, MAX_SUPPLY);
    });
  });
});

import { expect } from "chai";

import { AGPU, LIMIT, OTHER_CHAIN, bridgesFixture, incoming, sign } from "../support/bridge.js";
import { connect } from "../support/protocol.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const bridges = bridgesFixture(connection);

/** The home gateway's rate-limit window opened with Alice's 500 AGPU send; `windowStart` is when. */
async function windowOpen() {
  const b = await bridges();
  const windowStart = BigInt(await time.latest());
  await b.agpu.connect(b.alice).approve(await b.home.getAddress(), 10_000n * AGPU);
  return { ...b, windowStart };
}

describe("BridgeGateway at its boundaries: one before, at, one after", () => {
  describe("a validator set needs a strict majority to sign", () => {
    it("refuses a threshold of exactly half, and accepts one more", async () => {
      const b = await loadFixture(bridges);
      const four = [...b.validators.map((v) => v.address), b.outsider.address].sort((x, y) =>
        BigInt(x) < BigInt(y) ? -1 : 1,
      );
      await expect(b.home.connect(b.deployer).setValidators(four, 2))
        .to.be.revertedWithCustomError(b.home, "BridgeInvalidValidatorSet")
        .withArgs(4, 2);
      await expect(b.home.connect(b.deployer).setValidators(four, 3)).to.emit(b.home, "ValidatorsSet");
      expect(await b.home.threshold()).to.equal(3n);
    });

    it("accepts a threshold of every validator, and refuses one more than there are", async () => {
      const b = await loadFixture(bridges);
      const three = b.validators.map((v) => v.address);
      await expect(b.home.connect(b.deployer).setValidators(three, 4))
        .to.be.revertedWithCustomError(b.home, "BridgeInvalidValidatorSet")
        .withArgs(3, 4);
      await expect(b.home.connect(b.deployer).setValidators(three, 3)).to.emit(b.home, "ValidatorsSet");
    });
  });

  describe("a transfer out may use exactly what is left of the period's limit", () => {
    it("sends exactly the remaining allowance", async () => {
      const b = await loadFixture(windowOpen);
      const [left] = await b.home.available();
      expect(left).to.equal(LIMIT.maxOutgoing - 500n * AGPU);
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, left)).to.emit(b.home, "TransferSent");
      expect((await b.home.available())[0]).to.equal(0n);
    });

    it("refuses one wei more than the remaining allowance, naming what is left", async () => {
      const b = await loadFixture(windowOpen);
      const [left] = await b.home.available();
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, left + 1n))
        .to.be.revertedWithCustomError(b.home, "BridgeRateLimited")
        .withArgs(true, left + 1n, left);
    });

    it("still counts the period one second before it ends", async () => {
      const b = await loadFixture(windowOpen);
      const [left] = await b.home.available();
      await time.setNextBlockTimestamp(b.windowStart + BigInt(LIMIT.period) - 1n);
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, left + 1n)).to.be.revertedWithCustomError(
        b.home,
        "BridgeRateLimited",
      );
    });

    it("starts a new period, with the whole limit, when the period ends", async () => {
      const b = await loadFixture(windowOpen);
      await time.setNextBlockTimestamp(b.windowStart + BigInt(LIMIT.period));
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, LIMIT.maxOutgoing)).to.emit(
        b.home,
        "TransferSent",
      );
    });
  });

  describe("what is available for the period is the whole limit again when the period ends", () => {
    it("reports what is left one second before the period ends", async () => {
      const b = await loadFixture(windowOpen);
      await time.increaseTo(b.windowStart + BigInt(LIMIT.period) - 1n);
      expect((await b.home.available())[0]).to.equal(LIMIT.maxOutgoing - 500n * AGPU);
    });

    it("reports the whole limit at the second the period ends, as a send then would find", async () => {
      const b = await loadFixture(windowOpen);
      await time.increaseTo(b.windowStart + BigInt(LIMIT.period));
      expect(await b.home.available()).to.deep.equal([LIMIT.maxOutgoing, LIMIT.maxIncoming]);
    });
  });

  describe("a validator set holds at most 32 validators", () => {
    const set = (count: number) =>
      Array.from({ length: count }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);

    it("accepts exactly 32 validators", async () => {
      const b = await loadFixture(bridges);
      await expect(b.home.connect(b.deployer).setValidators(set(32), 17)).to.emit(b.home, "ValidatorsSet");
      expect(await b.home.validators()).to.have.length(32);
    });

    it("refuses 33", async () => {
      const b = await loadFixture(bridges);
      await expect(b.home.connect(b.deployer).setValidators(set(33), 17))
        .to.be.revertedWithCustomError(b.home, "BridgeInvalidValidatorSet")
        .withArgs(33, 17);
    });
  });

  describe("a rate-limit period lasts from one hour to seven days", () => {
    const HOUR = 3_600;
    const WEEK = 7 * 24 * HOUR;

    it("accepts exactly one hour and exactly seven days", async () => {
      const b = await loadFixture(bridges);
      await expect(b.home.connect(b.deployer).setRateLimit({ ...LIMIT, period: HOUR })).to.emit(b.home, "RateLimitSet");
      await expect(b.home.connect(b.deployer).setRateLimit({ ...LIMIT, period: WEEK })).to.emit(b.home, "RateLimitSet");
      expect((await b.home.rateLimit()).period).to.equal(BigInt(WEEK));
    });

    it("refuses one second less than an hour and one second more than seven days", async () => {
      const b = await loadFixture(bridges);
      await expect(b.home.connect(b.deployer).setRateLimit({ ...LIMIT, period: HOUR - 1 }))
        .to.be.revertedWithCustomError(b.home, "BridgeParameterOutOfBounds")
        .withArgs("period", HOUR - 1, HOUR, WEEK);
      await expect(b.home.connect(b.deployer).setRateLimit({ ...LIMIT, period: WEEK + 1 }))
        .to.be.revertedWithCustomError(b.home, "BridgeParameterOutOfBounds")
        .withArgs("period", WEEK + 1, HOUR, WEEK);
    });
  });

  describe("a transfer in may use exactly the incoming limit", () => {
    it("completes a transfer of exactly the incoming limit, and refuses one wei more", async () => {
      const b = await loadFixture(bridges);
      const remote = await b.remote.getAddress();
      const tooMuch = incoming(b, { amount: LIMIT.maxIncoming + 1n, nonce: 1n });
      await expect(b.remote.complete(tooMuch, await sign(b.validators.slice(0, 2), tooMuch, remote)))
        .to.be.revertedWithCustomError(b.remote, "BridgeRateLimited")
        .withArgs(false, LIMIT.maxIncoming + 1n, LIMIT.maxIncoming);
      const exactly = incoming(b, { amount: LIMIT.maxIncoming, nonce: 2n });
      await expect(b.remote.complete(exactly, await sign(b.validators.slice(0, 2), exactly, remote))).to.emit(
        b.remote,
        "TransferCompleted",
      );
    });
  });

  describe("a stranger may cancel only a transfer over the incoming limit", () => {
    it("refuses a stranger's cancel of a transfer of exactly the limit", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b, { amount: LIMIT.maxIncoming });
      await expect(b.remote.connect(b.outsider).cancel(transfer)).to.be.revertedWithCustomError(
        b.remote,
        "BridgeNotCancellable",
      );
    });

    it("lets a stranger cancel a transfer one wei over the limit", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b, { amount: LIMIT.maxIncoming + 1n });
      await expect(b.remote.connect(b.outsider).cancel(transfer)).to.emit(b.remote, "TransferCancelled");
    });
  });
});

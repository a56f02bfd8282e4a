import { expect } from "chai";
import { Wallet } from "ethers";
import { zoneId } from "@starminer/sdk";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { feedOraclesFixture } from "../support/oracles.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const FEED = energyFeedId(zoneId("eu-west"));
/** The round timeout (one hour) and the energy feeds' maximum age (six hours) the deployment sets. */
const ROUND_TIMEOUT = 3_600n;
const MAX_AGE = 6n * 3_600n;

/** Five oracles in the feed's set, quorum three; no round yet. */
const withOracles = feedOraclesFixture(connection, deployed, FEED);

/** Three of the five reported 100 in round 0, which started with the first report. */
async function quorumReached() {
  const protocol = await withOracles();
  const [first, ...others] = protocol.oracles.slice(0, 3);
  const opening = await (await protocol.oracleHub.connect(first!).report(FEED, 100n)).wait();
  const startedAt = BigInt((await opening!.getBlock()).timestamp);
  for (const oracle of others) await protocol.oracleHub.connect(oracle).report(FEED, 100n);
  return { ...protocol, closesAt: startedAt + ROUND_TIMEOUT };
}

/** Every oracle reported 100: the answer is 100, published now. */
async function answered() {
  const protocol = await withOracles();
  for (const oracle of protocol.oracles) await protocol.oracleHub.connect(oracle).report(FEED, 100n);
  const [, answeredAt] = await protocol.oracleHub.latest(FEED);
  return { ...protocol, answeredAt };
}

/** Round 1 after `answered`: four oracles report 100, then the fifth reports `last`, which closes it. */
async function nextRound(protocol: Awaited<ReturnType<typeof answered>>, last: bigint) {
  const [first, ...rest] = protocol.oracles;
  for (const oracle of rest) await protocol.oracleHub.connect(oracle).report(FEED, 100n);
  return protocol.oracleHub.connect(first!).report(FEED, last);
}

describe("OracleHub at its boundaries: at, and one past", () => {
  describe("a round that reached its quorum closes one second after its timeout, not at it", () => {
    it("refuses to close it at the timeout", async () => {
      const { oracleHub, closesAt } = await loadFixture(quorumReached);
      await time.setNextBlockTimestamp(closesAt);
      await expect(oracleHub.closeRound(FEED))
        .to.be.revertedWithCustomError(oracleHub, "OracleRoundOpen")
        .withArgs(FEED, 0n, closesAt);
    });

    it("closes it one second after, with exactly the quorum", async () => {
      const { oracleHub, closesAt } = await loadFixture(quorumReached);
      await time.setNextBlockTimestamp(closesAt + 1n);
      await expect(oracleHub.closeRound(FEED)).to.emit(oracleHub, "RoundFinalized").withArgs(FEED, 0n, 100n, 3n);
    });

    it("counts a report at the timeout into the open round", async () => {
      const { oracleHub, oracles, closesAt } = await loadFixture(quorumReached);
      await time.setNextBlockTimestamp(closesAt);
      await expect(oracleHub.connect(oracles[3]!).report(FEED, 100n))
        .to.emit(oracleHub, "Reported")
        .withArgs(FEED, 0n, oracles[3]!.address, 100n)
        .and.not.to.emit(oracleHub, "RoundFinalized");
    });

    it("closes the timed-out round first for a report one second after, which opens the next", async () => {
      const { oracleHub, oracles, closesAt } = await loadFixture(quorumReached);
      await time.setNextBlockTimestamp(closesAt + 1n);
      await expect(oracleHub.connect(oracles[3]!).report(FEED, 100n))
        .to.emit(oracleHub, "RoundFinalized")
        .withArgs(FEED, 0n, 100n, 3n)
        .and.to.emit(oracleHub, "Reported")
        .withArgs(FEED, 1n, oracles[3]!.address, 100n);
    });
  });

  describe("a feed's oracle set: a quorum that is a strict majority, of at most 29 oracles", () => {
    // Governance may name any accounts; only registered oracles' reports count. The protocol-wide floor is three.
    const accounts = (count: number) => Array.from({ length: count }, () => Wallet.createRandom().address);

    it("accepts a quorum of the whole set, and refuses one more", async () => {
      const { oracleHub, accounts: named } = await loadFixture(deployed);
      const governor = oracleHub.connect(named.governor);
      const set = accounts(3);
      await expect(governor.setFeedOracles(FEED, set, 3))
        .to.emit(oracleHub, "FeedOraclesSet")
        .withArgs(FEED, set, 3n);
      await expect(governor.setFeedOracles(FEED, set, 4))
        .to.be.revertedWithCustomError(oracleHub, "OracleInvalidSet")
        .withArgs(FEED, 3n, 4n);
    });

    it("refuses a quorum of exactly half (above the floor), and accepts one more", async () => {
      const { oracleHub, accounts: named } = await loadFixture(deployed);
      const governor = oracleHub.connect(named.governor);
      const set = accounts(6);
      await expect(governor.setFeedOracles(FEED, set, 3))
        .to.be.revertedWithCustomError(oracleHub, "OracleInvalidSet")
        .withArgs(FEED, 6n, 3n);
      await expect(governor.setFeedOracles(FEED, set, 4)).to.emit(oracleHub, "FeedOraclesSet");
    });

    it("accepts 29 oracles, and refuses 30", async () => {
      const { oracleHub, accounts: named } = await loadFixture(deployed);
      const governor = oracleHub.connect(named.governor);
      await expect(governor.setFeedOracles(FEED, accounts(29), 15)).to.emit(oracleHub, "FeedOraclesSet");
      await expect(governor.setFeedOracles(FEED, accounts(30), 16))
        .to.be.revertedWithCustomError(oracleHub, "OracleInvalidSet")
        .withArgs(FEED, 30n, 16n);
    });
  });

  describe("an answer is served for exactly its feed's maximum age", () => {
    it("serves it maxAge after it was published", async () => {
      const { oracleHub, answeredAt } = await loadFixture(answered);
      await time.increaseTo(answeredAt + MAX_AGE);
      expect(await oracleHub.latest(FEED)).to.deep.equal([100n, answeredAt]);
      expect(await oracleHub.tryLatest(FEED)).to.deep.equal([true, 100n]);
    });

    it("refuses it one second later", async () => {
      const { oracleHub, answeredAt } = await loadFixture(answered);
      await time.increaseTo(answeredAt + MAX_AGE + 1n);
      await expect(oracleHub.latest(FEED))
        .to.be.revertedWithCustomError(oracleHub, "OracleStale")
        .withArgs(FEED, answeredAt, MAX_AGE);
      expect(await oracleHub.tryLatest(FEED)).to.deep.equal([false, 0n]);
    });
  });

  describe("a report is penalized only beyond the deviation bound (20% of the median)", () => {
    it("leaves a report exactly 20% above the median alone", async () => {
      const protocol = await loadFixture(answered);
      await expect(nextRound(protocol, 120n))
        .to.emit(protocol.oracleHub, "RoundFinalized")
        .withArgs(FEED, 1n, 100n, 5n)
        .and.not.to.emit(protocol.oracleHub, "ReportPenalized");
    });

    it("penalizes a report one unit further", async () => {
      const protocol = await loadFixture(answered);
      await expect(nextRound(protocol, 121n))
        .to.emit(protocol.oracleHub, "ReportPenalized")
        .withArgs(FEED, 1n, protocol.oracles[0]!.address, 121n, (slashed: bigint) => slashed > 0n);
    });
  });

  describe("an answer moves at most 20% from the previous one per round", () => {
    /** The five oracles of `answered` all report `value` in round 1. */
    async function everyoneReports(protocol: Awaited<ReturnType<typeof answered>>, value: bigint) {
      for (const oracle of protocol.oracles) await protocol.oracleHub.connect(oracle).report(FEED, value);
      return (await protocol.oracleHub.feed(FEED)).answer;
    }

    it("publishes a median exactly 20% above or below as it is", async () => {
      const protocol = await loadFixture(answered);
      expect(await everyoneReports(protocol, 120n)).to.equal(120n);
      const again = await loadFixture(answered);
      expect(await everyoneReports(again, 80n)).to.equal(80n);
    });

    it("holds a median one unit beyond to the 20% step", async () => {
      const protocol = await loadFixture(answered);
      expect(await everyoneReports(protocol, 121n)).to.equal(120n);
      const again = await loadFixture(answered);
      expect(await everyoneReports(again, 79n)).to.equal(80n);
    });
  });
});

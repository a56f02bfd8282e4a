import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { zoneId } from "../../scripts/lib/zones.js";
import { registerOracles } from "../support/oracles.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const FEED = energyFeedId(zoneId("eu-west"));
const FAULT = keccak256(toUtf8Bytes("oracle.lied"));

/** Five registered, staked oracles; the quorum is three. */
async function withOracles() {
  const protocol = await deployed();
  const oracles = await registerOracles(connection, protocol, 5);
  return { ...protocol, oracles };
}

describe("OracleHub", () => {
  it("starts with an energy feed for every default zone, a quorum of 3 and a 1-hour round timeout", async () => {
    const { oracleHub, pricingEngine } = await loadFixture(deployed);
    expect(await pricingEngine.energyFeedId(zoneId("eu-west"))).to.equal(FEED);
    expect((await oracleHub.feed(FEED)).maxAge).to.equal(6n * 3600n);
    expect(await oracleHub.quorum()).to.equal(3n);
    expect(await oracleHub.roundTimeout()).to.equal(3600n);
  });

  describe("rounds", () => {
    it("publishes the median once a quorum of oracles has reported", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      const [a, b, c] = oracles as [(typeof oracles)[0], (typeof oracles)[0], (typeof oracles)[0]];
      await expect(oracleHub.connect(a).report(FEED, 300n))
        .to.emit(oracleHub, "Reported")
        .withArgs(FEED, 0n, a.address, 300n);
      await oracleHub.connect(b).report(FEED, 100n);
      await expect(oracleHub.connect(c).report(FEED, 250n))
        .to.emit(oracleHub, "RoundFinalized")
        .withArgs(FEED, 0n, 250n, 3n);
      const [answer] = await oracleHub.latest(FEED);
      expect(answer).to.equal(250n);
      const feed = await oracleHub.feed(FEED);
      expect([feed.roundId, feed.answeredInRound]).to.deep.equal([1n, 0n]);
      expect(await oracleHub.pendingReports(FEED)).to.deep.equal([]);
    });

    it("takes the mean of the two middle values for an even quorum", async () => {
      const { oracleHub, oracles, accounts } = await loadFixture(withOracles);
      await oracleHub.connect(accounts.governor).setQuorum(4);
      const values = [10n, 40n, 20n, 1_000n];
      for (const [i, value] of values.entries()) await oracleHub.connect(oracles[i]!).report(FEED, value);
      expect((await oracleHub.latest(FEED))[0]).to.equal(30n);
    });

    it("serves no answer until a round reaches quorum", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      await oracleHub.connect(oracles[0]!).report(FEED, 100n);
      await oracleHub.connect(oracles[1]!).report(FEED, 100n);
      await expect(oracleHub.latest(FEED)).to.be.revertedWithCustomError(oracleHub, "OracleNoAnswer").withArgs(FEED);
      expect(await oracleHub.tryLatest(FEED)).to.deep.equal([false, 0n]);
      expect(await oracleHub.pendingReports(FEED)).to.deep.equal([100n, 100n]);
    });

    it("discards a round that missed quorum within the timeout when the next report comes", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      await oracleHub.connect(oracles[0]!).report(FEED, 100n);
      await oracleHub.connect(oracles[1]!).report(FEED, 100n);
      await time.increase(3601);
      await expect(oracleHub.connect(oracles[2]!).report(FEED, 500n))
        .to.emit(oracleHub, "RoundDiscarded")
        .withArgs(FEED, 0n, 2n);
      expect(await oracleHub.pendingReports(FEED)).to.deep.equal([500n]);
      expect((await oracleHub.feed(FEED)).roundId).to.equal(1n);
      // The oracles of the discarded round may report again in the new one.
      await oracleHub.connect(oracles[0]!).report(FEED, 400n);
      await oracleHub.connect(oracles[1]!).report(FEED, 450n);
      expect((await oracleHub.latest(FEED))[0]).to.equal(450n);
    });

    it("refuses a second report from the same oracle in one round", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      await oracleHub.connect(oracles[0]!).report(FEED, 100n);
      await expect(oracleHub.connect(oracles[0]!).report(FEED, 900n))
        .to.be.revertedWithCustomError(oracleHub, "OracleAlreadyReported")
        .withArgs(FEED, 0n, oracles[0]!.address);
      expect(await oracleHub.pendingReports(FEED)).to.deep.equal([100n]);
    });
  });

  describe("staleness", () => {
    it("refuses an answer older than the feed's maximum age", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      for (const oracle of oracles.slice(0, 3)) await oracleHub.connect(oracle).report(FEED, 200n);
      const answeredAt = (await oracleHub.feed(FEED)).answeredAt;
      await time.increase(6 * 3600 + 1);
      await expect(oracleHub.latest(FEED))
        .to.be.revertedWithCustomError(oracleHub, "OracleStale")
        .withArgs(FEED, answeredAt, 6n * 3600n);
      expect(await oracleHub.tryLatest(FEED)).to.deep.equal([false, 0n]);
    });
  });

  describe("reporters", () => {
    it("refuses a report from an account that is not an oracle node", async () => {
      const { oracleHub, accounts } = await loadFixture(withOracles);
      await expect(oracleHub.connect(accounts.stranger).report(FEED, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleNotEligible")
        .withArgs(accounts.stranger.address);
    });

    it("refuses a report from an oracle slashed within the window, even with enough stake left", async () => {
      const { oracleHub, staking, oracles, accounts } = await loadFixture(withOracles);
      const liar = oracles[0]!;
      // With the Oracle minimum lowered, the slash leaves the liar above it: only the offence disqualifies.
      await staking.connect(accounts.governor).setMinimumStake(4, 1_000n * 10n ** 18n);
      await staking.connect(accounts.market).lockCollateral(liar.address, 100n * 10n ** 18n);
      await staking
        .connect(accounts.market)
        .slashCollateral(liar.address, 100n * 10n ** 18n, FAULT, ethers.ZeroAddress);
      await expect(oracleHub.connect(liar).report(FEED, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleReporterSlashed")
        .withArgs(liar.address, 1n);
    });

    it("refuses a report from an oracle whose stake fell below the minimum, or that deactivated", async () => {
      const { oracleHub, nodeRegistry, staking, oracles } = await loadFixture(withOracles);
      await staking.connect(oracles[0]!).requestUnbond(1n);
      await expect(oracleHub.connect(oracles[0]!).report(FEED, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleNotEligible")
        .withArgs(oracles[0]!.address);
      await nodeRegistry.connect(oracles[1]!).deactivate();
      await expect(oracleHub.connect(oracles[1]!).report(FEED, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleNotEligible")
        .withArgs(oracles[1]!.address);
    });

    it("refuses a report for an unknown feed", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      const unknown = energyFeedId(zoneId("mars"));
      await expect(oracleHub.connect(oracles[0]!).report(unknown, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleUnknownFeed")
        .withArgs(unknown);
    });
  });

  describe("governance", () => {
    it("adds feeds and bounds quorum, timeout and maximum age", async () => {
      const { oracleHub, accounts } = await loadFixture(deployed);
      const governor = oracleHub.connect(accounts.governor);
      const feed = keccak256(toUtf8Bytes("gpu-rental-index"));
      await expect(governor.addFeed(feed, "GPU rental index", 3600))
        .to.emit(oracleHub, "FeedAdded")
        .withArgs(feed, "GPU rental index", 3600);
      await expect(governor.addFeed(feed, "again", 3600))
        .to.be.revertedWithCustomError(oracleHub, "OracleFeedExists")
        .withArgs(feed);
      await expect(governor.setQuorum(0))
        .to.be.revertedWithCustomError(oracleHub, "OracleParameterOutOfBounds")
        .withArgs("quorum", 0n, 1n, 15n);
      await expect(governor.setQuorum(16)).to.be.revertedWithCustomError(oracleHub, "OracleParameterOutOfBounds");
      await expect(governor.setRoundTimeout(59))
        .to.be.revertedWithCustomError(oracleHub, "OracleParameterOutOfBounds")
        .withArgs("roundTimeout", 59n, 60n, 86_400n);
      await expect(governor.setFeedMaxAge(feed, 8 * 86_400))
        .to.be.revertedWithCustomError(oracleHub, "OracleParameterOutOfBounds")
        .withArgs("maxAge", 8n * 86_400n, 60n, 7n * 86_400n);
    });
  });
});

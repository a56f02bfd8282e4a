import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { zoneId } from "@starminer/sdk";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { feedOraclesFixture, registerOracles } from "../support/oracles.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const FEED = energyFeedId(zoneId("eu-west"));
const FAULT = keccak256(toUtf8Bytes("oracle.lied"));
/** The round timeout the deployment sets: one hour. */
const ROUND_TIMEOUT = 3_600n;

/** Five registered, staked oracles, the feed's set; its quorum is three. */
const withOracles = feedOraclesFixture(connection, deployed, FEED);

describe("OracleHub", () => {
  it("starts with an energy feed for every default zone, a quorum of 3 and a 1-hour round timeout", async () => {
    const { oracleHub, pricingEngine } = await loadFixture(deployed);
    expect(await pricingEngine.energyFeedId(zoneId("eu-west"))).to.equal(FEED);
    expect((await oracleHub.feed(FEED)).maxAge).to.equal(6n * 3600n);
    expect(await oracleHub.quorum()).to.equal(3n);
    expect(await oracleHub.roundTimeout()).to.equal(3600n);
  });

  describe("rounds", () => {
    it("publishes the median once every oracle of the set has reported", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      const [a, b, c, d, e] = oracles as [(typeof oracles)[0], ...typeof oracles];
      await expect(oracleHub.connect(a).report(FEED, 300n))
        .to.emit(oracleHub, "Reported")
        .withArgs(FEED, 0n, a.address, 300n);
      await oracleHub.connect(b!).report(FEED, 240n);
      await oracleHub.connect(c!).report(FEED, 250n);
      await oracleHub.connect(d!).report(FEED, 260n);
      await expect(oracleHub.connect(e!).report(FEED, 250n))
        .to.emit(oracleHub, "RoundFinalized")
        .withArgs(FEED, 0n, 250n, 5n);
      const [answer] = await oracleHub.latest(FEED);
      expect(answer).to.equal(250n);
      const feed = await oracleHub.feed(FEED);
      expect([feed.roundId, feed.answeredInRound]).to.deep.equal([1n, 0n]);
      expect(await oracleHub.pendingReports(FEED)).to.deep.equal([]);
    });

    it("closes a round that reached quorum once it times out, taking the mean of the two middle values of an even count", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      const values = [28n, 32n, 30n, 31n];
      for (const [i, value] of values.entries()) await oracleHub.connect(oracles[i]!).report(FEED, value);
      await expect(oracleHub.closeRound(FEED)).to.be.revertedWithCustomError(oracleHub, "OracleRoundOpen");
      await time.increase(3601);
      await expect(oracleHub.closeRound(FEED)).to.emit(oracleHub, "RoundFinalized").withArgs(FEED, 0n, 30n, 4n);
      expect((await oracleHub.latest(FEED))[0]).to.equal(30n);
    });

    it("serves no answer until a round closes", async () => {
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
      await oracleHub.connect(oracles[0]!).report(FEED, 480n);
      await oracleHub.connect(oracles[1]!).report(FEED, 450n);
      await time.increase(3601);
      await oracleHub.closeRound(FEED);
      expect((await oracleHub.latest(FEED))[0]).to.equal(480n);
    });

    it("refuses a second report from the same oracle in one round", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      await oracleHub.connect(oracles[0]!).report(FEED, 100n);
      await expect(oracleHub.connect(oracles[0]!).report(FEED, 900n))
        .to.be.revertedWithCustomError(oracleHub, "OracleAlreadyReported")
        .withArgs(FEED, 0n, oracles[0]!.address);
      expect(await oracleHub.pendingReports(FEED)).to.deep.equal([100n]);
    });
    it("takes no report and closes no round while paused, and goes on from where it stopped once unpaused", async () => {
      const { oracleHub, oracles, accounts } = await loadFixture(withOracles);
      for (const oracle of oracles.slice(0, 3)) await oracleHub.connect(oracle).report(FEED, 100n);
      await oracleHub.connect(accounts.guardian).pause();
      await expect(oracleHub.connect(oracles[3]!).report(FEED, 100n)).to.be.revertedWithCustomError(
        oracleHub,
        "EnforcedPause",
      );
      await time.increase(ROUND_TIMEOUT + 1n);
      await expect(oracleHub.closeRound(FEED)).to.be.revertedWithCustomError(oracleHub, "EnforcedPause");
      // The guardian pauses; only governance unpauses.
      await oracleHub.connect(accounts.governor).unpause();
      await expect(oracleHub.closeRound(FEED)).to.emit(oracleHub, "RoundFinalized").withArgs(FEED, 0n, 100n, 3n);
    });
  });

  describe("staleness", () => {
    it("refuses an answer older than the feed's maximum age", async () => {
      const { oracleHub, oracles } = await loadFixture(withOracles);
      for (const oracle of oracles) await oracleHub.connect(oracle).report(FEED, 200n);
      const answeredAt = (await oracleHub.feed(FEED)).answeredAt;
      await time.increase(6 * 3600 + 1);
      await expect(oracleHub.latest(FEED))
        .to.be.revertedWithCustomError(oracleHub, "OracleStale")
        .withArgs(FEED, answeredAt, 6n * 3600n);
      expect(await oracleHub.tryLatest(FEED)).to.deep.equal([false, 0n]);
    });
  });

  describe("reporters", () => {
    it("refuses a report from an account outside the feed's set, oracle node or not", async () => {
      const protocol = await loadFixture(withOracles);
      const { oracleHub, accounts } = protocol;
      await expect(oracleHub.connect(accounts.stranger).report(FEED, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleNotInSet")
        .withArgs(FEED, accounts.stranger.address);
      const [outsider] = await registerOracles(connection, protocol, 1, 5);
      await expect(oracleHub.connect(outsider!).report(FEED, 1n))
        .to.be.revertedWithCustomError(oracleHub, "OracleNotInSet")
        .withArgs(FEED, outsider!.address);
    });

    it("refuses a report from an oracle slashed within the window, even with enough stake left", async () => {
      const { oracleHub, staking, oracles, accounts } = await loadFixture(withOracles);
      const liar = oracles[0]!;
      // With the Oracle minimum lowered, the slash leaves the liar above it: only the offence disqualifies.
      await staking.connect(accounts.governor).setMinimumStake(4, 1_000n * 10n ** 18n);
      await staking.connect(accounts.market).lockCollateral(liar.address, 100n * 10n ** 18n);
      await staking
        .connect(accounts.market)
        .slashCollateral(liar.address, 100n * 10n ** 18n, FAULT, ethers.ZeroAddress, false);
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

  describe("penalties", () => {
    /** Four oracles report 100 and one reports 1 000, far outside the 20% deviation bound. */
    async function roundWithOneDeviant(protocol: Awaited<ReturnType<typeof withOracles>>) {
      const [deviant, ...honest] = protocol.oracles;
      for (const oracle of honest.slice(0, 3)) await protocol.oracleHub.connect(oracle).report(FEED, 100n);
      await protocol.oracleHub.connect(deviant!).report(FEED, 1_000n);
      return protocol.oracleHub.connect(honest[3]!).report(FEED, 100n);
    }

    it("penalizes no report while governance has set the report bond to zero", async () => {
      const protocol = await loadFixture(withOracles);
      const { oracleHub, staking, oracles, accounts } = protocol;
      await oracleHub
        .connect(accounts.governor)
        .setParameters({ maxChangeBps: 2_000, deviationBps: 2_000, reportBond: 0 });
      const before = await staking.stakeOf(oracles[0]!.address);
      await expect(roundWithOneDeviant(protocol))
        .to.emit(oracleHub, "RoundFinalized")
        .and.not.to.emit(oracleHub, "ReportPenalized");
      expect(await staking.stakeOf(oracles[0]!.address)).to.equal(before);
      expect(await staking.recentOffences(oracles[0]!.address)).to.equal(0n);
    });

    it("takes no more than the deviant's free stake, and nothing when none is free", async () => {
      const protocol = await loadFixture(withOracles);
      const { oracleHub, staking, oracles, accounts } = protocol;
      const deviant = oracles[0]!.address;
      // All of the deviant's stake is locked elsewhere (as collateral of a job, say): the round still closes.
      await staking.connect(accounts.market).lockCollateral(deviant, await staking.availableOf(deviant));
      const before = await staking.stakeOf(deviant);
      await expect(roundWithOneDeviant(protocol))
        .to.emit(oracleHub, "RoundFinalized")
        .and.not.to.emit(oracleHub, "ReportPenalized");
      expect(await staking.stakeOf(deviant)).to.equal(before);
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
      for (const maxAge of [60, 7 * 86_400]) {
        await expect(governor.setFeedMaxAge(feed, maxAge)).to.emit(oracleHub, "FeedMaxAgeSet").withArgs(feed, maxAge);
        expect((await oracleHub.feed(feed)).maxAge).to.equal(BigInt(maxAge));
      }
      await expect(governor.setFeedMaxAge(feed, 59))
        .to.be.revertedWithCustomError(oracleHub, "OracleParameterOutOfBounds")
        .withArgs("maxAge", 59n, 60n, 7n * 86_400n);
      await expect(oracleHub.connect(accounts.stranger).setFeedMaxAge(feed, 3600))
        .to.be.revertedWithCustomError(oracleHub, "AccessManagedUnauthorized")
        .withArgs(accounts.stranger.address);
    });

    it("sets a feed's oracles only with a quorum that is a strict majority of them, each once", async () => {
      const protocol = await loadFixture(withOracles);
      const { oracleHub, oracles, accounts } = protocol;
      const governor = oracleHub.connect(accounts.governor);
      const addresses = oracles.map((oracle) => oracle.address);
      for (const [set, quorum] of [
        [addresses, 2],
        [addresses.slice(0, 4), 2],
        [addresses, 6],
        [[], 0],
        // The same oracle twice in a set that is otherwise a valid majority.
        [[addresses[0]!, addresses[1]!, addresses[2]!, addresses[0]!], 3],
      ] as const) {
        await expect(governor.setFeedOracles(FEED, [...set], quorum))
          .to.be.revertedWithCustomError(oracleHub, "OracleInvalidSet")
          .withArgs(FEED, set.length, quorum);
      }
      // Below the protocol-wide floor of three, even as a majority.
      await expect(governor.setFeedOracles(FEED, addresses.slice(0, 3), 2)).to.be.revertedWithCustomError(
        oracleHub,
        "OracleInvalidSet",
      );
      // A new set discards the round gathered under the old one.
      await oracleHub.connect(oracles[0]!).report(FEED, 10n);
      await expect(governor.setFeedOracles(FEED, addresses.slice(0, 4), 3))
        .to.emit(oracleHub, "FeedOraclesSet")
        .withArgs(FEED, addresses.slice(0, 4), 3n)
        .and.to.emit(oracleHub, "RoundDiscarded")
        .withArgs(FEED, 0n, 1n);
      expect(await oracleHub.feedOracles(FEED)).to.deep.equal([addresses.slice(0, 4), 3n]);
      await expect(oracleHub.connect(oracles[4]!).report(FEED, 10n)).to.be.revertedWithCustomError(
        oracleHub,
        "OracleNotInSet",
      );
      await expect(
        oracleHub.connect(accounts.stranger).setFeedOracles(FEED, addresses, 3),
      ).to.be.revertedWithCustomError(oracleHub, "AccessManagedUnauthorized");
    });

    it("bounds the answer step, the deviation bound and the report bond", async () => {
      const { oracleHub, accounts } = await loadFixture(deployed);
      const governor = oracleHub.connect(accounts.governor);
      expect(await oracleHub.parameters()).to.deep.equal([2_000n, 2_000n, 100n * 10n ** 18n]);
      const base = { maxChangeBps: 2_000, deviationBps: 2_000, reportBond: 100n * 10n ** 18n };
      for (const [name, value, min, max] of [
        ["maxChangeBps", 99, 100n, 10_000n],
        ["deviationBps", 10_001, 100n, 10_000n],
        ["reportBond", 100_001n * 10n ** 18n, 0n, 100_000n * 10n ** 18n],
      ] as const) {
        await expect(governor.setParameters({ ...base, [name]: value }))
          .to.be.revertedWithCustomError(oracleHub, "OracleParameterOutOfBounds")
          .withArgs(name, value, min, max);
      }
    });
  });
});

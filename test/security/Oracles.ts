import { expect } from "chai";
import { zoneId } from "@starminer/sdk";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { registerOracles, setFeedOracles } from "../support/oracles.js";
import { connect, protocolFixture } from "../support/protocol.js";

/**
 * Attack 4: sybil oracles set a zone's energy price, and with it the floor of every quote there. Each variant
 * must be refused or cost the liars, and the published price must stay near the honest one. See
 * docs/threat-model.md.
 */
const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const EU_WEST = zoneId("eu-west");
const FEED = energyFeedId(EU_WEST);
const HONEST = 20n * AGPU;
const LIE = 1_000_000n * AGPU;

/** Five oracles in the feed's set (quorum three) and an honest answer of 20 AGPU/kWh already published. */
async function honestFeed() {
  const protocol = await deployed();
  const oracles = await registerOracles(connection, protocol, 5);
  await setFeedOracles(protocol, FEED, oracles, 3);
  for (const oracle of oracles) await protocol.oracleHub.connect(oracle).report(FEED, HONEST);
  return { ...protocol, oracles };
}

describe("Security: oracles (attack 4)", () => {
  it("refuses sybil oracles with the minimum stake that governance never put in the feed's set", async () => {
    const protocol = await loadFixture(honestFeed);
    const sybils = await registerOracles(connection, protocol, 2, 5);
    for (const sybil of sybils) {
      await expect(protocol.oracleHub.connect(sybil).report(FEED, LIE))
        .to.be.revertedWithCustomError(protocol.oracleHub, "OracleNotInSet")
        .withArgs(FEED, sybil.address);
    }
  });

  it("lets a minority of the set neither close a round nor move the price", async () => {
    const { oracleHub, pricingEngine, oracles } = await loadFixture(honestFeed);
    const floor = await pricingEngine.energyFloorOf(EU_WEST);
    for (const liar of oracles.slice(0, 2)) await oracleHub.connect(liar).report(FEED, LIE);
    await time.increase(3601);
    await expect(oracleHub.closeRound(FEED)).to.emit(oracleHub, "RoundDiscarded").withArgs(FEED, 1n, 2n);
    expect((await oracleHub.feed(FEED)).answer).to.equal(HONEST);
    expect(await pricingEngine.energyFloorOf(EU_WEST)).to.equal(floor);
  });

  it("takes the honest majority's median when liars report beside it, and slashes the liars", async () => {
    const { oracleHub, staking, oracles } = await loadFixture(honestFeed);
    const [liarA, liarB, ...honest] = oracles;
    const stakeBefore = await staking.stakeOf(liarA!.address);
    await oracleHub.connect(liarA!).report(FEED, LIE);
    await oracleHub.connect(liarB!).report(FEED, LIE);
    await oracleHub.connect(honest[0]!).report(FEED, HONEST);
    await oracleHub.connect(honest[1]!).report(FEED, HONEST);
    await expect(oracleHub.connect(honest[2]!).report(FEED, HONEST - AGPU))
      .to.emit(oracleHub, "RoundFinalized")
      .withArgs(FEED, 1n, HONEST, 5n)
      .and.to.emit(oracleHub, "ReportPenalized")
      .withArgs(FEED, 1n, liarA!.address, LIE, 50n * AGPU);
    // Half the 100 AGPU report bond on a first offence.
    expect(stakeBefore - (await staking.stakeOf(liarA!.address))).to.equal(50n * AGPU);
    for (const honestOracle of honest) {
      expect(await staking.recentOffences(honestOracle.address)).to.equal(0n);
    }
    // The liar now holds less than the oracle minimum (and, had it more, its recent offence would still bar it).
    await expect(oracleHub.connect(liarA!).report(FEED, LIE))
      .to.be.revertedWithCustomError(oracleHub, "OracleNotEligible")
      .withArgs(liarA!.address);
  });

  it("moves even a captured median at most the governed step per round", async () => {
    const { oracleHub, oracles } = await loadFixture(honestFeed);
    // Three of five collude: they own the median, but each round moves the answer by 20% at most.
    for (const liar of oracles.slice(0, 3)) await oracleHub.connect(liar).report(FEED, LIE);
    await time.increase(3601);
    await oracleHub.closeRound(FEED);
    expect((await oracleHub.feed(FEED)).answer).to.equal((HONEST * 12n) / 10n);
  });

  it("moves a median captured downwards at most the governed step per round, too", async () => {
    const { oracleHub, oracles } = await loadFixture(honestFeed);
    for (const liar of oracles.slice(0, 3)) await oracleHub.connect(liar).report(FEED, 1n);
    await time.increase(3601);
    await oracleHub.closeRound(FEED);
    expect((await oracleHub.feed(FEED)).answer).to.equal((HONEST * 8n) / 10n);
  });
});

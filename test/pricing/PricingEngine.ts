import { expect } from "chai";
import type { Hex } from "viem";
import { zoneId } from "@starminer/sdk";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { NodeRole, providerMetadata } from "../support/nodes.js";
import { registerOracles, setFeedOracles } from "../support/oracles.js";
import { type Protocol, connect, protocolFixture, spareSigners, stakeFrom } from "../support/protocol.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const HOUR = 3600n;
const BPS = 10_000n;
const EU_WEST = zoneId("eu-west");
const EU_CENTRAL = zoneId("eu-central");
const US_EAST = zoneId("us-east");
const Tier = { Economy: 0, Standard: 1, Priority: 2 } as const;
const INITIAL = 2n * AGPU;

/** One EIP-1559 step as the contract computes it (target 70%, step 12.5%). */
function step(price: bigint, utilisationBps: bigint): bigint {
  const target = 7_000n;
  if (utilisationBps >= target) {
    let deviation = ((utilisationBps - target) * BPS) / target;
    if (deviation > BPS) deviation = BPS;
    return price + (price * 1_250n * deviation) / (BPS * BPS);
  }
  const shortfall = ((target - utilisationBps) * BPS) / target;
  return price - (price * 1_250n * shortfall) / (BPS * BPS);
}

/** Registers `count` providers in `zone` from the spare accounts, skipping the first `offset`. */
async function addProviders(protocol: Protocol, zone: Hex, count: number, offset = 0) {
  for (const signer of await spareSigners(connection, protocol, count, offset)) {
    // Only staked providers count as capacity.
    await stakeFrom(protocol, signer, await protocol.staking.minimumStake(NodeRole.PROVIDER));
    await protocol.nodeRegistry.connect(signer).register(NodeRole.PROVIDER, providerMetadata({ zone }));
  }
}

/** Moves to the start of the next pricing epoch. */
async function nextEpoch(protocol: Protocol, epochs = 1n) {
  const params = await protocol.pricingEngine.marketParameters();
  await time.increase(params.epochDuration * epochs);
}

/** Four providers in eu-west (capacity 4 GPU-hours per epoch) and two in eu-central, neighbours at 5%. */
async function twoZones() {
  const protocol = await deployed();
  await addProviders(protocol, EU_WEST, 4);
  await addProviders(protocol, EU_CENTRAL, 2, 4);
  await protocol.pricingEngine.connect(protocol.accounts.governor).setNeighbours(EU_WEST, EU_CENTRAL, 500);
  return protocol;
}

describe("PricingEngine", () => {
  describe("tiers and quotes", () => {
    it("prices an untouched zone at the initial price, times each tier's multiplier", async () => {
      const { pricingEngine } = await loadFixture(deployed);
      expect(await pricingEngine.basePriceOf(EU_WEST)).to.equal(INITIAL);
      expect(await pricingEngine.priceOf(EU_WEST, Tier.Economy)).to.equal((INITIAL * 8_000n) / BPS);
      expect(await pricingEngine.priceOf(EU_WEST, Tier.Standard)).to.equal(INITIAL);
      expect(await pricingEngine.priceOf(EU_WEST, Tier.Priority)).to.equal((INITIAL * 15_000n) / BPS);
      expect(await pricingEngine.tierOf(Tier.Economy)).to.deep.equal([8_000n, 0n]);
      expect(await pricingEngine.tierOf(Tier.Standard)).to.deep.equal([10_000n, 4_000n]);
      expect(await pricingEngine.tierOf(Tier.Priority)).to.deep.equal([15_000n, 7_000n]);
    });

    it("quotes a whole job: price per GPU-hour times hours times redundancy", async () => {
      const { pricingEngine } = await loadFixture(deployed);
      const quote = await pricingEngine.quote(EU_WEST, Tier.Priority, 4n, 3n, false);
      expect(quote.zone).to.equal(EU_WEST);
      expect(quote.requestedZone).to.equal(EU_WEST);
      expect(quote.pricePerGpuHour).to.equal(3n * AGPU);
      expect(quote.total).to.equal(3n * AGPU * 4n * 3n);
      expect(quote.spilledOver).to.equal(false);
    });

    it("refuses an unknown zone or tier, zero hours and a redundancy outside 1 to 3", async () => {
      const { pricingEngine } = await loadFixture(deployed);
      const mars = zoneId("mars");
      await expect(pricingEngine.quote(mars, Tier.Standard, 1n, 1n, false))
        .to.be.revertedWithCustomError(pricingEngine, "PricingUnknownZone")
        .withArgs(mars);
      await expect(pricingEngine.quote(EU_WEST, 3, 1n, 1n, false))
        .to.be.revertedWithCustomError(pricingEngine, "PricingUnknownTier")
        .withArgs(3n);
      await expect(pricingEngine.quote(EU_WEST, Tier.Standard, 0n, 1n, false)).to.be.revertedWithCustomError(
        pricingEngine,
        "PricingZeroHours",
      );
      for (const redundancy of [0n, 4n]) {
        await expect(pricingEngine.quote(EU_WEST, Tier.Standard, 1n, redundancy, false))
          .to.be.revertedWithCustomError(pricingEngine, "PricingInvalidRedundancy")
          .withArgs(redundancy);
      }
      await expect(pricingEngine.tierOf(3))
        .to.be.revertedWithCustomError(pricingEngine, "PricingUnknownTier")
        .withArgs(3n);
    });
  });

  describe("epochs", () => {
    it("keeps each zone's state: untouched at zero, then its price, epoch, demand and last utilisation", async () => {
      const protocol = await loadFixture(twoZones);
      const { pricingEngine, accounts } = protocol;
      expect(await pricingEngine.zoneState(EU_WEST)).to.deep.equal([0n, 0n, 0n, 0n]);
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 3n);
      const epoch = await pricingEngine.currentEpoch();
      expect(await pricingEngine.zoneState(EU_WEST)).to.deep.equal([INITIAL, epoch, 3n, 0n]);
      await nextEpoch(protocol);
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 1n);
      // 3 of 4 GPU-hours: 75%, above the 70% target.
      expect(await pricingEngine.zoneState(EU_WEST)).to.deep.equal([step(INITIAL, 7_500n), epoch + 1n, 1n, 7_500n]);
    });

    it("counts capacity as active providers times the epoch's hours", async () => {
      const { pricingEngine } = await loadFixture(twoZones);
      expect(await pricingEngine.capacityOf(EU_WEST)).to.equal(4n);
      expect(await pricingEngine.capacityOf(EU_CENTRAL)).to.equal(2n);
      expect(await pricingEngine.capacityOf(US_EAST)).to.equal(0n);
    });

    it("raises the price after an epoch above the target utilisation, in proportion to the excess", async () => {
      const protocol = await loadFixture(twoZones);
      const { pricingEngine, accounts } = protocol;
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 4n); // 100% of capacity
      await nextEpoch(protocol);
      const expected = step(INITIAL, 10_000n);
      await expect(pricingEngine.poke(EU_WEST))
        .to.emit(pricingEngine, "PriceUpdated")
        .withArgs(EU_WEST, await pricingEngine.currentEpoch(), expected, 10_000n);
      expect(await pricingEngine.basePriceOf(EU_WEST)).to.equal(expected);
      expect(expected).to.be.greaterThan(INITIAL);
      expect(expected - INITIAL).to.be.lessThan((INITIAL * 1_250n) / BPS);
    });

    it("moves by at most the maximum step however large the demand", async () => {
      const protocol = await loadFixture(twoZones);
      await protocol.pricingEngine.connect(protocol.accounts.market).recordDemand(EU_WEST, 1_000n);
      await nextEpoch(protocol);
      expect(await protocol.pricingEngine.basePriceOf(EU_WEST)).to.equal((INITIAL * 11_250n) / BPS);
    });

    it("holds the price exactly at the target utilisation", async () => {
      const protocol = await loadFixture(deployed);
      const { pricingEngine, accounts } = protocol;
      await pricingEngine
        .connect(accounts.governor)
        .setMarketParameters({ ...(await marketParameters(protocol)), targetUtilisationBps: 8_000n });
      await addProviders(protocol, EU_WEST, 5);
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 4n); // 80% of 5
      await nextEpoch(protocol);
      expect(await protocol.pricingEngine.basePriceOf(EU_WEST)).to.equal(INITIAL);
    });

    it("lowers the price by the full step after an idle epoch", async () => {
      const protocol = await loadFixture(twoZones);
      await protocol.pricingEngine.poke(EU_WEST);
      await nextEpoch(protocol);
      expect(await protocol.pricingEngine.basePriceOf(EU_WEST)).to.equal((INITIAL * 8_750n) / BPS);
    });

    it("catches up on many idle epochs in one bounded call, never below the minimum price", async () => {
      const protocol = await loadFixture(twoZones);
      const { pricingEngine } = protocol;
      await pricingEngine.poke(EU_WEST);
      await nextEpoch(protocol, 3n);
      // One step for the touched epoch and two for the idle ones: between three steps rounded down and three
      // single steps (which round up), never below the exact decline.
      const quoted = await pricingEngine.basePriceOf(EU_WEST);
      let roundedUp = INITIAL;
      let roundedDown = INITIAL;
      for (let i = 0; i < 3; i++) {
        roundedUp = step(roundedUp, 0n);
        roundedDown -= (roundedDown * 1_250n + BPS - 1n) / BPS;
      }
      expect(quoted).to.be.greaterThanOrEqual(roundedDown);
      expect(quoted).to.be.lessThanOrEqual(roundedUp);

      await nextEpoch(protocol, 10_000n);
      const tx = await pricingEngine.poke(EU_WEST);
      const receipt = await tx.wait();
      expect(receipt!.gasUsed).to.be.lessThan(150_000n);
      expect(await pricingEngine.basePriceOf(EU_WEST)).to.equal((await pricingEngine.marketParameters()).minPrice);
    });

    it("climbs to the maximum price under sustained excess demand, and no further", async () => {
      const protocol = await loadFixture(twoZones);
      const { pricingEngine, accounts } = protocol;
      await pricingEngine.connect(accounts.governor).setMarketParameters({
        ...(await marketParameters(protocol)),
        maxPrice: 3n * AGPU,
      });
      for (let i = 0; i < 6; i++) {
        await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 100n);
        await nextEpoch(protocol);
      }
      expect(await pricingEngine.basePriceOf(EU_WEST)).to.equal(3n * AGPU);
    });

    it("keeps the epoch number continuous when governance changes the epoch duration", async () => {
      const protocol = await loadFixture(deployed);
      const { pricingEngine, accounts } = protocol;
      await nextEpoch(protocol, 5n);
      const before = await pricingEngine.currentEpoch();
      await pricingEngine
        .connect(accounts.governor)
        .setMarketParameters({ ...(await marketParameters(protocol)), epochDuration: 2n * HOUR });
      expect(await pricingEngine.currentEpoch()).to.equal(before);
      await time.increase(2n * HOUR);
      expect(await pricingEngine.currentEpoch()).to.equal(before + 1n);
    });

    it("records demand only for a known zone and a non-zero amount", async () => {
      const { pricingEngine, accounts } = await loadFixture(deployed);
      const market = pricingEngine.connect(accounts.market);
      await expect(market.recordDemand(EU_WEST, 3n))
        .to.emit(pricingEngine, "DemandRecorded")
        .withArgs(EU_WEST, 0n, 3n, 3n);
      await expect(market.recordDemand(EU_WEST, 0n)).to.be.revertedWithCustomError(pricingEngine, "PricingZeroHours");
      await expect(market.recordDemand(zoneId("mars"), 1n))
        .to.be.revertedWithCustomError(pricingEngine, "PricingUnknownZone")
        .withArgs(zoneId("mars"));
    });
  });

  describe("energy floor", () => {
    async function withEnergyPrice() {
      const protocol = await twoZones();
      const oracles = await registerOracles(connection, protocol, 3, 6);
      await setFeedOracles(protocol, energyFeedId(EU_WEST), oracles, 3);
      // 4 AGPU per kWh at 0.7 kWh per GPU-hour: a floor of 2.8 AGPU, above the initial 2 AGPU.
      for (const oracle of oracles) await protocol.oracleHub.connect(oracle).report(energyFeedId(EU_WEST), 4n * AGPU);
      return protocol;
    }

    it("keeps the price at or above the energy cost of a GPU-hour", async () => {
      const { pricingEngine } = await loadFixture(withEnergyPrice);
      expect(await pricingEngine.energyFloorOf(EU_WEST)).to.equal((4n * AGPU * 700n) / 1_000n);
      expect(await pricingEngine.basePriceOf(EU_WEST)).to.equal((4n * AGPU * 700n) / 1_000n);
      expect(await pricingEngine.basePriceOf(EU_CENTRAL)).to.equal(INITIAL);
    });

    it("applies a floor that rose within the epoch to every read, while demand recorded meanwhile leaves the stored price", async () => {
      const protocol = await loadFixture(twoZones);
      const { pricingEngine, accounts } = protocol;
      const market = pricingEngine.connect(accounts.market);
      await market.recordDemand(EU_WEST, 1n);
      const epoch = await pricingEngine.currentEpoch();
      const oracles = await registerOracles(connection, protocol, 3, 6);
      await setFeedOracles(protocol, energyFeedId(EU_WEST), oracles, 3);
      for (const oracle of oracles) await protocol.oracleHub.connect(oracle).report(energyFeedId(EU_WEST), 4n * AGPU);
      expect(await pricingEngine.currentEpoch()).to.equal(epoch);

      await expect(market.recordDemand(EU_WEST, 2n))
        .to.emit(pricingEngine, "DemandRecorded")
        .withArgs(EU_WEST, epoch, 2n, 3n)
        .and.not.to.emit(pricingEngine, "PriceUpdated");
      expect(await pricingEngine.zoneState(EU_WEST)).to.deep.equal([INITIAL, epoch, 3n, 0n]);
      const floor = (4n * AGPU * 700n) / 1_000n;
      expect(await pricingEngine.basePriceOf(EU_WEST)).to.equal(floor);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, false)).pricePerGpuHour).to.equal(floor);
    });

    it("drops the floor, rather than using a stale energy price, once the feed goes stale", async () => {
      const protocol = await loadFixture(withEnergyPrice);
      await time.increase(6n * HOUR + 1n);
      expect(await protocol.pricingEngine.energyFloorOf(EU_WEST)).to.equal(0n);
    });
  });

  describe("spillover", () => {
    /** eu-west is overloaded (capacity 4, demand 4: 100%); eu-central is idle. */
    async function overloaded() {
      const protocol = await twoZones();
      await protocol.pricingEngine.connect(protocol.accounts.market).recordDemand(EU_WEST, 4n);
      return protocol;
    }

    /**
     * eu-west after its overloaded epoch: its price rose above eu-central's 2 AGPU (which, untouched, stays), and it
     * is overloaded again in the new epoch.
     */
    async function pricedAboveNeighbour() {
      const protocol = await overloaded();
      await nextEpoch(protocol);
      await protocol.pricingEngine.connect(protocol.accounts.market).recordDemand(EU_WEST, 4n);
      return protocol;
    }

    it("stays home while the neighbour, with its latency penalty, costs more than staying", async () => {
      const { pricingEngine } = await loadFixture(overloaded);
      expect(await pricingEngine.utilisationOf(EU_WEST)).to.equal(10_000n);
      // Both zones cost 2 AGPU; the neighbour's 5% penalty makes it 2.1 AGPU.
      const stay = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect(stay.spilledOver).to.equal(false);
      expect(stay.zone).to.equal(EU_WEST);
    });

    it("quotes in the cheapest uncongested neighbour, penalty included, once staying costs more", async () => {
      const protocol = await loadFixture(pricedAboveNeighbour);
      const home = await protocol.pricingEngine.priceOf(EU_WEST, Tier.Standard);
      const quote = await protocol.pricingEngine.quote(EU_WEST, Tier.Standard, 2n, 1n, true);
      expect(home).to.be.greaterThan((INITIAL * 10_500n) / BPS);
      expect(quote.spilledOver).to.equal(true);
      expect(quote.zone).to.equal(EU_CENTRAL);
      expect(quote.requestedZone).to.equal(EU_WEST);
      expect(quote.pricePerGpuHour).to.equal((INITIAL * 10_500n) / BPS);
      expect(quote.total).to.equal(quote.pricePerGpuHour * 2n);
    });

    it("stays home when spillover is not allowed, the zone is not congested, or every neighbour is", async () => {
      const { pricingEngine, accounts } = await loadFixture(pricedAboveNeighbour);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, false)).spilledOver).to.equal(false);
      expect((await pricingEngine.quote(EU_CENTRAL, Tier.Standard, 1n, 1n, true)).spilledOver).to.equal(false);
      await pricingEngine.connect(accounts.market).recordDemand(EU_CENTRAL, 2n); // eu-central at 100% too
      const quote = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect(quote.spilledOver).to.equal(false);
      expect(quote.zone).to.equal(EU_WEST);
    });

    it("stays home when no neighbour is cheaper, even an idle one", async () => {
      const { pricingEngine, accounts } = await loadFixture(pricedAboveNeighbour);
      await pricingEngine.connect(accounts.governor).setNeighbours(EU_WEST, EU_CENTRAL, 5_000); // +50% latency penalty
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).spilledOver).to.equal(false);
    });

    it("spills over only above the home zone's congestion threshold, not at it", async () => {
      const { pricingEngine, accounts } = await loadFixture(pricedAboveNeighbour);
      // eu-west is at exactly 100%.
      await pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_WEST, 10_000);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).spilledOver).to.equal(false);
      await pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_WEST, 9_999);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).spilledOver).to.equal(true);
    });

    it("goes back to the default threshold (90%) when governance sets a zone's to zero", async () => {
      const { pricingEngine, accounts } = await loadFixture(pricedAboveNeighbour);
      await pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_WEST, 10_000);
      await expect(pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_WEST, 0))
        .to.emit(pricingEngine, "CongestionThresholdSet")
        .withArgs(EU_WEST, 9_000);
      expect(await pricingEngine.congestionThresholdOf(EU_WEST)).to.equal(9_000n);
      // eu-west is at 100%, above the default: the quote spills over again.
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).spilledOver).to.equal(true);
    });

    it("counts a neighbour at exactly its own threshold as congested", async () => {
      const { pricingEngine, accounts } = await loadFixture(pricedAboveNeighbour);
      await pricingEngine.connect(accounts.market).recordDemand(EU_CENTRAL, 1n); // 1 of 2 GPU-hours: 50%
      await pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_CENTRAL, 5_000);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).spilledOver).to.equal(false);
      await pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_CENTRAL, 5_001);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).zone).to.equal(EU_CENTRAL);
    });

    it("stays home when the neighbour costs exactly as much", async () => {
      const { pricingEngine, accounts } = await loadFixture(overloaded);
      // No epoch has passed: both zones cost the initial price, and the link carries no penalty.
      await pricingEngine.connect(accounts.governor).setNeighbours(EU_WEST, EU_CENTRAL, 0);
      const quote = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect(await pricingEngine.utilisationOf(EU_WEST)).to.equal(10_000n);
      expect([quote.spilledOver, quote.pricePerGpuHour]).to.deep.equal([false, INITIAL]);
    });

    it("passes over a neighbour that governance disabled", async () => {
      const { pricingEngine, nodeRegistry, accounts } = await loadFixture(pricedAboveNeighbour);
      expect((await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true)).zone).to.equal(EU_CENTRAL);
      await nodeRegistry.connect(accounts.governor).setZoneEnabled(EU_CENTRAL, false);
      const quote = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect(quote.spilledOver).to.equal(false);
      expect(quote.zone).to.equal(EU_WEST);
    });

    /**
     * eu-west overloaded and repriced after eu-central, then us-east (one provider, idle), were linked to it with
     * these latency penalties. Both neighbours cost 2 AGPU before their penalty; eu-west about 2.107.
     */
    async function twoNeighboursLinked(centralPenaltyBps: number, eastPenaltyBps: number) {
      const protocol = await loadFixture(overloaded);
      const { pricingEngine, accounts } = protocol;
      const governor = pricingEngine.connect(accounts.governor);
      await addProviders(protocol, US_EAST, 1, 6);
      await governor.setNeighbours(EU_WEST, EU_CENTRAL, centralPenaltyBps);
      await governor.setNeighbours(EU_WEST, US_EAST, eastPenaltyBps);
      await nextEpoch(protocol);
      await pricingEngine.connect(accounts.market).recordDemand(EU_WEST, 4n);
      return { ...protocol, governor };
    }

    it("picks the cheapest of several uncongested neighbours, whichever order they were linked in", async () => {
      // eu-central (3%) was linked first, us-east (4%) second: the first stays the cheapest.
      const { pricingEngine, governor } = await twoNeighboursLinked(300, 400);
      const first = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect([first.zone, first.pricePerGpuHour]).to.deep.equal([EU_CENTRAL, (INITIAL * 10_300n) / BPS]);
      // eu-central at 5%: us-east, seen second, is now the cheaper.
      await governor.setNeighbours(EU_WEST, EU_CENTRAL, 500);
      const second = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect([second.zone, second.pricePerGpuHour]).to.deep.equal([US_EAST, (INITIAL * 10_400n) / BPS]);
    });

    it("keeps the neighbour linked first when two cost exactly the same", async () => {
      const { pricingEngine } = await twoNeighboursLinked(300, 300);
      const quote = await pricingEngine.quote(EU_WEST, Tier.Standard, 1n, 1n, true);
      expect([quote.zone, quote.pricePerGpuHour]).to.deep.equal([EU_CENTRAL, (INITIAL * 10_300n) / BPS]);
    });

    it("links a zone to at most eight neighbours, though an existing link's penalty can still change", async () => {
      const { pricingEngine, nodeRegistry, accounts } = await loadFixture(deployed);
      const governor = pricingEngine.connect(accounts.governor);
      const others = Array.from({ length: 9 }, (_, i) => zoneId(`edge-${i}`));
      for (const zone of others) await nodeRegistry.connect(accounts.governor).addZone(zone, "edge");
      for (const zone of others.slice(0, 8)) await governor.setNeighbours(EU_WEST, zone, 100);
      await expect(governor.setNeighbours(EU_WEST, others[8]!, 100))
        .to.be.revertedWithCustomError(pricingEngine, "PricingTooManyNeighbours")
        .withArgs(EU_WEST);
      await expect(governor.setNeighbours(EU_WEST, others[7]!, 200)).to.emit(pricingEngine, "NeighboursSet");
      const [neighbours, penalties] = await pricingEngine.neighboursOf(EU_WEST);
      expect(neighbours).to.deep.equal(others.slice(0, 8));
      expect(penalties.at(-1)).to.equal(200n);
    });

    it("keeps the adjacency symmetric, bounded and removable", async () => {
      const { pricingEngine, accounts } = await loadFixture(twoZones);
      const governor = pricingEngine.connect(accounts.governor);
      expect(await pricingEngine.neighboursOf(EU_CENTRAL)).to.deep.equal([[EU_WEST], [500n]]);
      await expect(governor.setNeighbours(EU_WEST, EU_WEST, 0))
        .to.be.revertedWithCustomError(pricingEngine, "PricingSelfNeighbour")
        .withArgs(EU_WEST);
      await expect(governor.setNeighbours(EU_WEST, US_EAST, 5_001))
        .to.be.revertedWithCustomError(pricingEngine, "PricingParameterOutOfBounds")
        .withArgs("penaltyBps", 5_001n, 0n, 5_000n);
      await expect(governor.removeNeighbours(EU_CENTRAL, EU_WEST)).to.emit(pricingEngine, "NeighboursRemoved");
      expect(await pricingEngine.neighboursOf(EU_WEST)).to.deep.equal([[], []]);
      await expect(governor.removeNeighbours(EU_CENTRAL, EU_WEST))
        .to.be.revertedWithCustomError(pricingEngine, "PricingNotNeighbours")
        .withArgs(EU_CENTRAL, EU_WEST);
    });

    it("sets congestion thresholds within 50% to 100%", async () => {
      const { pricingEngine, accounts } = await loadFixture(deployed);
      expect(await pricingEngine.congestionThresholdOf(EU_WEST)).to.equal(9_000n);
      await pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_WEST, 8_000);
      expect(await pricingEngine.congestionThresholdOf(EU_WEST)).to.equal(8_000n);
      await expect(pricingEngine.connect(accounts.governor).setCongestionThreshold(EU_WEST, 4_999))
        .to.be.revertedWithCustomError(pricingEngine, "PricingParameterOutOfBounds")
        .withArgs("congestionThreshold", 4_999n, 5_000n, 10_000n);
    });
  });

  describe("governed parameters", () => {
    it("refuses market parameters outside their hard bounds", async () => {
      const protocol = await loadFixture(deployed);
      const { pricingEngine, accounts } = protocol;
      const base = await marketParameters(protocol);
      const governor = pricingEngine.connect(accounts.governor);
      const cases: [string, Record<string, bigint>, bigint, bigint, bigint][] = [
        ["epochDuration", { epochDuration: 299n }, 299n, 300n, 86_400n],
        ["targetUtilisationBps", { targetUtilisationBps: 9_501n }, 9_501n, 3_000n, 9_500n],
        ["maxStepBps", { maxStepBps: 99n }, 99n, 100n, 2_500n],
        ["minPrice", { minPrice: 10n ** 12n - 1n }, 10n ** 12n - 1n, 10n ** 12n, 1_000_000n * AGPU],
        ["maxPrice", { maxPrice: 1_000_001n * AGPU }, 1_000_001n * AGPU, base.minPrice, 1_000_000n * AGPU],
      ];
      for (const [name, override, value, min, max] of cases) {
        await expect(governor.setMarketParameters({ ...base, ...override }))
          .to.be.revertedWithCustomError(pricingEngine, "PricingParameterOutOfBounds")
          .withArgs(name, value, min, max);
      }
    });

    it("refuses tiers that fall from Economy to Priority", async () => {
      const { pricingEngine, accounts } = await loadFixture(deployed);
      await expect(
        pricingEngine.connect(accounts.governor).setTiers([10_000, 9_000, 15_000], [0, 4_000, 7_000]),
      ).to.be.revertedWithCustomError(pricingEngine, "PricingTiersNotAscending");
      await expect(
        pricingEngine.connect(accounts.governor).setTiers([8_000, 10_000, 15_000], [0, 7_000, 4_000]),
      ).to.be.revertedWithCustomError(pricingEngine, "PricingTiersNotAscending");
    });
  });
});

async function marketParameters(protocol: Protocol) {
  const p = await protocol.pricingEngine.marketParameters();
  return {
    epochDuration: p.epochDuration,
    targetUtilisationBps: p.targetUtilisationBps,
    maxStepBps: p.maxStepBps,
    minPrice: p.minPrice,
    maxPrice: p.maxPrice,
    initialPrice: p.initialPrice,
    milliKwhPerGpuHour: p.milliKwhPerGpuHour,
  };
}

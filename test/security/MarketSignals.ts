import { expect } from "chai";

import { EU_WEST, jobSpec, marketFixture, raiseReputation, submit } from "../support/market.js";
import { NodeRole, providerMetadata } from "../support/nodes.js";
import { connect } from "../support/protocol.js";

/**
 * Attack 8: moving a zone's price with signals that cost nothing — fake demand (submit and cancel) and fake
 * capacity (unstaked registrations). Reputation bought with tiny self-dealt jobs (attack 5) is pinned in the
 * Reputation tests ("what reputation costs"). See docs/threat-model.md.
 */
const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const ready = marketFixture(connection);

describe("Security: price signals (attack 8)", () => {
  it("lets no submitted-then-cancelled job count as demand, so the price does not move", async () => {
    const market = await loadFixture(ready);
    const { jobMarket, pricingEngine, accounts } = market;
    const before = await pricingEngine.basePriceOf(EU_WEST);
    const epoch = (await pricingEngine.marketParameters()).epochDuration;
    for (let round = 0; round < 3; round++) {
      // A whole epoch's capacity and more, asked for and withdrawn before anyone claims it.
      const jobId = await submit(market, jobSpec(await time.latest(), { gpuHours: 1_000 }));
      await jobMarket.connect(accounts.alice).cancelJob(jobId);
      await time.increase(epoch);
    }
    await pricingEngine.poke(EU_WEST);
    expect(await pricingEngine.basePriceOf(EU_WEST)).to.be.lessThanOrEqual(before);
  });

  it("counts claimed work as demand, which is what moves the price", async () => {
    const market = await loadFixture(ready);
    const { jobMarket, pricingEngine } = market;
    const before = await pricingEngine.basePriceOf(EU_WEST);
    await raiseReputation(market, market.providers[0]!.address);
    const jobId = await submit(market, jobSpec(await time.latest(), { gpuHours: 1_000 }));
    await jobMarket.connect(market.providers[0]!).claimSlot(jobId);
    await time.increase((await pricingEngine.marketParameters()).epochDuration);
    await pricingEngine.poke(EU_WEST);
    expect(await pricingEngine.basePriceOf(EU_WEST)).to.be.greaterThan(before);
  });

  it("adds no capacity for twenty sybil registrations that stake nothing", async () => {
    const market = await loadFixture(ready);
    const { nodeRegistry, pricingEngine } = market;
    const capacity = await pricingEngine.capacityOf(EU_WEST);
    for (let i = 0; i < 20; i++) {
      const sybil = ethers.Wallet.createRandom().connect(ethers.provider);
      await networkHelpers.setBalance(sybil.address, 10n ** 18n);
      await nodeRegistry.connect(sybil).register(NodeRole.PROVIDER, providerMetadata());
    }
    expect(await pricingEngine.capacityOf(EU_WEST)).to.equal(capacity);
    expect(await nodeRegistry.activeProviders(EU_WEST)).to.equal(4n);
    // The four staked providers of the fixture are the zone's capacity.
    expect(capacity).to.be.greaterThan(0n);
  });
});

import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);

const DAY = 86_400n;
const Outcome = { Completed: 0, Missed: 1, Faulty: 2 } as const;
const JOB = keccak256(toUtf8Bytes("job-1"));
const AGPU = 10n ** 18n;
/** A job worth the default reference value: it moves reputation by the full learning rate. */
const VALUE = 10n * AGPU;
const REQUESTER = "0x000000000000000000000000000000000000a11c";

describe("Reputation", () => {
  it("rates a provider with no history as neutral on every score", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    expect(await reputation.scoresOf(accounts.alice.address)).to.deep.equal([5_000n, 5_000n, 5_000n]);
    expect(await reputation.compositeOf(accounts.alice.address)).to.equal(5_000n);
  });

  it("moves each average a tenth of the way toward a completed job's observations", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    // reliability, accuracy: 5 000 + (10 000 - 5 000) * 10% = 5 500; speed: 5 000 + (8 000 - 5 000) * 10% = 5 300
    // composite: (5 500 * 4 000 + 5 500 * 4 000 + 5 300 * 2 000) / 10 000 = 5 460
    await expect(
      reputation
        .connect(accounts.market)
        .recordOutcome(accounts.alice.address, Outcome.Completed, 8_000, JOB, VALUE, REQUESTER),
    )
      .to.emit(reputation, "ReputationUpdated")
      .withArgs(accounts.alice.address, Outcome.Completed, 5_500, 5_500, 5_300, 5_460, JOB);
    const record = await reputation.recordOf(accounts.alice.address);
    expect(record.completed).to.equal(1n);
  });

  it("lowers reliability only for a missed job and accuracy only for a faulty one", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    const market = reputation.connect(accounts.market);
    await market.recordOutcome(accounts.alice.address, Outcome.Missed, 0, JOB, VALUE, REQUESTER);
    expect(await reputation.scoresOf(accounts.alice.address)).to.deep.equal([4_500n, 5_000n, 5_000n]);
    await market.recordOutcome(accounts.alice.address, Outcome.Faulty, 0, JOB, VALUE, REQUESTER);
    expect(await reputation.scoresOf(accounts.alice.address)).to.deep.equal([4_500n, 4_500n, 5_000n]);
    const record = await reputation.recordOf(accounts.alice.address);
    expect([record.completed, record.missed, record.faulty]).to.deep.equal([0n, 1n, 1n]);
  });

  it("decays toward neutral with inactivity: half the distance per half-life, linearly in between", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    const market = reputation.connect(accounts.market);
    for (let i = 0; i < 10; i++)
      await market.recordOutcome(accounts.alice.address, Outcome.Completed, 10_000, JOB, VALUE, REQUESTER);
    const [fresh] = await reputation.scoresOf(accounts.alice.address);
    const distance = fresh - 5_000n;

    await time.increase(15n * DAY);
    const [quarter] = await reputation.scoresOf(accounts.alice.address);
    expect(quarter).to.equal(5_000n + distance - distance / 4n);
    await time.increase(15n * DAY);
    const [half] = await reputation.scoresOf(accounts.alice.address);
    expect(half).to.equal(5_000n + distance / 2n);
    await time.increase(400n * DAY);
    expect(await reputation.scoresOf(accounts.alice.address)).to.deep.equal([5_000n, 5_000n, 5_000n]);
  });

  it("applies the decay before the next observation", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    const market = reputation.connect(accounts.market);
    await market.recordOutcome(accounts.alice.address, Outcome.Missed, 0, JOB, VALUE, REQUESTER); // reliability 4 500
    await time.increase(30n * DAY - 1n); // the next transaction lands exactly one half-life later: 4 750
    await market.recordOutcome(accounts.alice.address, Outcome.Missed, 0, JOB, VALUE, REQUESTER);
    // 4 750 - 4 750 * 10% = 4 275
    expect((await reputation.scoresOf(accounts.alice.address))[0]).to.equal(4_275n);
  });

  it("refuses a speed above 10 000 and a zero provider", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    const market = reputation.connect(accounts.market);
    await expect(market.recordOutcome(accounts.alice.address, Outcome.Completed, 10_001, JOB, VALUE, REQUESTER))
      .to.be.revertedWithCustomError(reputation, "ReputationInvalidSpeed")
      .withArgs(10_001);
    await expect(
      market.recordOutcome(ethers.ZeroAddress, Outcome.Completed, 0, JOB, VALUE, REQUESTER),
    ).to.be.revertedWithCustomError(reputation, "ReputationZeroAddress");
  });

  it("lets only a reputation writer record outcomes", async () => {
    const { reputation, accounts } = await loadFixture(deployed);
    await expect(
      reputation
        .connect(accounts.alice)
        .recordOutcome(accounts.alice.address, Outcome.Completed, 10_000, JOB, VALUE, REQUESTER),
    )
      .to.be.revertedWithCustomError(reputation, "AccessManagedUnauthorized")
      .withArgs(accounts.alice.address);
  });

  describe("parameters", () => {
    const base = {
      learningRateBps: 1_000,
      decayHalfLife: 30n * DAY,
      reliabilityWeightBps: 4_000,
      accuracyWeightBps: 4_000,
      speedWeightBps: 2_000,
      referenceValue: VALUE,
      minDistinctRequesters: 2,
    };

    it("lets governance change them and weights the composite accordingly", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      // As the deployment set them, in the struct's order.
      expect(await reputation.parameters()).to.deep.equal(Object.values(base).map(BigInt));
      await expect(
        reputation
          .connect(accounts.governor)
          .setParameters({ ...base, reliabilityWeightBps: 10_000, accuracyWeightBps: 0, speedWeightBps: 0 }),
      ).to.emit(reputation, "ReputationParametersSet");
      await reputation
        .connect(accounts.market)
        .recordOutcome(accounts.alice.address, Outcome.Missed, 0, JOB, VALUE, REQUESTER);
      expect(await reputation.compositeOf(accounts.alice.address)).to.equal(4_500n);
    });

    it("accepts every bounded parameter at exactly its lowest and its highest value", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      const governor = reputation.connect(accounts.governor);
      const lowest = {
        ...base,
        learningRateBps: 100,
        decayHalfLife: DAY,
        referenceValue: AGPU,
        minDistinctRequesters: 0,
      };
      const highest = {
        ...base,
        learningRateBps: 5_000,
        decayHalfLife: 365n * DAY,
        referenceValue: 1_000_000n * AGPU,
        minDistinctRequesters: 20,
      };
      for (const parameters of [lowest, highest]) {
        await expect(governor.setParameters(parameters)).to.emit(reputation, "ReputationParametersSet");
        expect(await reputation.parameters()).to.deep.equal(Object.values(parameters).map(BigInt));
      }
    });

    it("refuses values outside the hard bounds and weights that do not sum to 10 000", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      const governor = reputation.connect(accounts.governor);
      await expect(governor.setParameters({ ...base, learningRateBps: 99 }))
        .to.be.revertedWithCustomError(reputation, "ReputationParameterOutOfBounds")
        .withArgs("learningRateBps", 99n, 100n, 5_000n);
      await expect(governor.setParameters({ ...base, learningRateBps: 5_001 }))
        .to.be.revertedWithCustomError(reputation, "ReputationParameterOutOfBounds")
        .withArgs("learningRateBps", 5_001n, 100n, 5_000n);
      await expect(governor.setParameters({ ...base, decayHalfLife: DAY - 1n }))
        .to.be.revertedWithCustomError(reputation, "ReputationParameterOutOfBounds")
        .withArgs("decayHalfLife", DAY - 1n, DAY, 365n * DAY);
      await expect(governor.setParameters({ ...base, speedWeightBps: 2_001 }))
        .to.be.revertedWithCustomError(reputation, "ReputationWeightsDoNotSum")
        .withArgs(10_001n);
      await expect(governor.setParameters({ ...base, referenceValue: AGPU - 1n }))
        .to.be.revertedWithCustomError(reputation, "ReputationParameterOutOfBounds")
        .withArgs("referenceValue", AGPU - 1n, AGPU, 1_000_000n * AGPU);
      await expect(governor.setParameters({ ...base, minDistinctRequesters: 21 }))
        .to.be.revertedWithCustomError(reputation, "ReputationParameterOutOfBounds")
        .withArgs("minDistinctRequesters", 21n, 0n, 20n);
    });
  });

  describe("what reputation costs (attack 5)", () => {
    it("moves the scores in proportion to what a completed job paid, up to the reference value", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      const market = reputation.connect(accounts.market);
      // A tenth of the reference value: a hundredth of the way instead of a tenth.
      await market.recordOutcome(accounts.alice.address, Outcome.Completed, 10_000, JOB, VALUE / 10n, REQUESTER);
      expect(await reputation.scoresOf(accounts.alice.address)).to.deep.equal([5_050n, 5_050n, 5_050n]);
      // Ten times the reference value moves no more than the reference value itself.
      await market.recordOutcome(accounts.bob.address, Outcome.Completed, 10_000, JOB, 10n * VALUE, REQUESTER);
      expect(await reputation.scoresOf(accounts.bob.address)).to.deep.equal([5_500n, 5_500n, 5_500n]);
    });

    it("penalizes a miss fully, however small the job", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      await reputation
        .connect(accounts.market)
        .recordOutcome(accounts.alice.address, Outcome.Missed, 0, JOB, 1n, REQUESTER);
      expect((await reputation.scoresOf(accounts.alice.address))[0]).to.equal(4_500n);
    });

    it("holds the eligibility score at neutral until jobs of the reference value came from enough distinct requesters", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      const market = reputation.connect(accounts.market);
      const provider = accounts.alice.address;
      // Self-dealing from one requester: the composite rises, eligibility does not.
      for (let i = 0; i < 5; i++)
        await market.recordOutcome(provider, Outcome.Completed, 10_000, JOB, VALUE, REQUESTER);
      expect(await reputation.compositeOf(provider)).to.be.greaterThan(7_000n);
      expect(await reputation.eligibilityScoreOf(provider)).to.equal(5_000n);
      expect((await reputation.recordOf(provider)).distinctRequesters).to.equal(1n);
      // A second requester whose job is too small does not count...
      const second = accounts.bob.address;
      await market.recordOutcome(provider, Outcome.Completed, 10_000, JOB, VALUE - 1n, second);
      expect(await reputation.eligibilityScoreOf(provider)).to.equal(5_000n);
      // ...one worth the reference value does.
      await expect(market.recordOutcome(provider, Outcome.Completed, 10_000, JOB, VALUE, second))
        .to.emit(reputation, "RequesterCounted")
        .withArgs(provider, second, 2n);
      expect(await reputation.eligibilityScoreOf(provider)).to.equal(await reputation.compositeOf(provider));
    });

    it("never lifts a score below neutral for eligibility", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      await reputation
        .connect(accounts.market)
        .recordOutcome(accounts.alice.address, Outcome.Faulty, 0, JOB, VALUE, REQUESTER);
      expect(await reputation.eligibilityScoreOf(accounts.alice.address)).to.equal(
        await reputation.compositeOf(accounts.alice.address),
      );
      expect(await reputation.eligibilityScoreOf(accounts.alice.address)).to.be.lessThan(5_000n);
    });
  });
});

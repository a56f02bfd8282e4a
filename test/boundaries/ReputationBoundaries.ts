import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { loadFixture } = connection.networkHelpers;
const deployed = protocolFixture(connection);

const Outcome = { Completed: 0, Missed: 1, Faulty: 2 } as const;
const JOB = keccak256(toUtf8Bytes("job"));
const AGPU = 10n ** 18n;
/** The default reference value: a completion worth at least this moves reputation by the full learning rate. */
const REFERENCE = 10n * AGPU;
const requester = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

describe("Reputation at its boundaries: at, and one unit short", () => {
  describe("a completion moves reputation by the full rate, and counts its requester, from the reference value", () => {
    it("moves a tenth of the way, and counts the requester, for a job of exactly the reference value", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      await expect(
        reputation
          .connect(accounts.market)
          .recordOutcome(accounts.alice.address, Outcome.Completed, 10_000, JOB, REFERENCE, requester(1)),
      )
        .to.emit(reputation, "ReputationUpdated")
        .withArgs(accounts.alice.address, Outcome.Completed, 5_500, 5_500, 5_500, 5_500, JOB)
        .and.to.emit(reputation, "RequesterCounted")
        .withArgs(accounts.alice.address, requester(1), 1n);
    });

    it("moves less, and counts no requester, for one wei less", async () => {
      const { reputation, accounts } = await loadFixture(deployed);
      // The rate is scaled by value / reference: 999 basis points, not 1 000, so each step ends at 5 499.
      await expect(
        reputation
          .connect(accounts.market)
          .recordOutcome(accounts.alice.address, Outcome.Completed, 10_000, JOB, REFERENCE - 1n, requester(1)),
      )
        .to.emit(reputation, "ReputationUpdated")
        .withArgs(accounts.alice.address, Outcome.Completed, 5_499, 5_499, 5_499, 5_499, JOB)
        .and.not.to.emit(reputation, "RequesterCounted");
      expect((await reputation.recordOf(accounts.alice.address)).distinctRequesters).to.equal(0n);
    });
  });

  describe("a score above neutral counts for eligibility from exactly the minimum of distinct requesters (two)", () => {
    /** Alice completes three full-value jobs for `requesters` distinct requesters. */
    async function completions(requesters: number) {
      const protocol = await loadFixture(deployed);
      for (let i = 0; i < 3; i++) {
        await protocol.reputation
          .connect(protocol.accounts.market)
          .recordOutcome(
            protocol.accounts.alice.address,
            Outcome.Completed,
            10_000,
            JOB,
            REFERENCE,
            requester(1 + (i % requesters)),
          );
      }
      return protocol;
    }

    it("holds it at neutral with one requester", async () => {
      const { reputation, accounts } = await completions(1);
      expect(await reputation.compositeOf(accounts.alice.address)).to.be.greaterThan(5_000n);
      expect(await reputation.eligibilityScoreOf(accounts.alice.address)).to.equal(5_000n);
    });

    it("counts it in full with two", async () => {
      const { reputation, accounts } = await completions(2);
      const composite = await reputation.compositeOf(accounts.alice.address);
      expect(composite).to.be.greaterThan(5_000n);
      expect(await reputation.eligibilityScoreOf(accounts.alice.address)).to.equal(composite);
    });
  });
});

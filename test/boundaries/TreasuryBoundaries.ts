import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";
import { treasuryWithFeesFixture } from "../support/treasury.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const GRANT = keccak256(toUtf8Bytes("proposal.42"));

/** The treasury holds 1 000 AGPU of fees. */
const withFees = treasuryWithFeesFixture(deployed);

describe("Treasury at its boundaries: one before, at, one after", () => {
  describe("governance may spend exactly what the treasury holds", () => {
    it("spends the whole balance, leaving nothing", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      await expect(treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, 1_000n * AGPU, GRANT))
        .to.emit(treasury, "FundsSpent")
        .withArgs(await agpu.getAddress(), accounts.carol.address, 1_000n * AGPU, GRANT);
      expect(await agpu.balanceOf(await treasury.getAddress())).to.equal(0n);
    });

    it("refuses one wei more, naming what it holds", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      await expect(treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, 1_000n * AGPU + 1n, GRANT))
        .to.be.revertedWithCustomError(treasury, "TreasuryInsufficientBalance")
        .withArgs(await agpu.getAddress(), 1_000n * AGPU + 1n, 1_000n * AGPU);
    });
  });
});

import { expect } from "chai";
import { Signature } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";
import { signPermit } from "../support/permit.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time, mine } = networkHelpers;
const deployed = protocolFixture(connection);

const AMAX = 10n ** 18n;
const TOTAL_SUPPLY = 100_000_000n * AMAX;

describe("AMAX", () => {
  describe("supply", () => {
    it("is a fixed supply of 100 million minted once to the initial holder", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      expect(await amax.name()).to.equal("StarMiner Governance");
      expect(await amax.symbol()).to.equal("AMAX");
      expect(await amax.totalSupply()).to.equal(TOTAL_SUPPLY);
      expect(await amax.balanceOf(accounts.deployer.address)).to.equal(TOTAL_SUPPLY);
    });

    it("has no mint function at all", async () => {
      const { amax } = await loadFixture(deployed);
      const names: string[] = [];
      amax.interface.forEachFunction((fragment) => names.push(fragment.name));
      expect(names).to.include("transfer");
      expect(names.filter((name) => /mint/i.test(name))).to.deep.equal([]);
    });

    it("refuses the zero address as the initial holder", async () => {
      const factory = await ethers.getContractFactory("AMAX");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "AMAXZeroAddress");
    });
  });

  describe("clock (ERC-6372)", () => {
    it("checkpoints on block timestamps", async () => {
      const { amax } = await loadFixture(deployed);
      expect(await amax.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await amax.clock()).to.equal(BigInt(await time.latest()));
    });
  });

  describe("votes", () => {
    it("counts no voting power until the holder delegates", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      expect(await amax.getVotes(accounts.deployer.address)).to.equal(0n);
      await expect(amax.connect(accounts.deployer).delegate(accounts.deployer.address))
        .to.emit(amax, "DelegateChanged")
        .withArgs(accounts.deployer.address, ethers.ZeroAddress, accounts.deployer.address);
      expect(await amax.getVotes(accounts.deployer.address)).to.equal(TOTAL_SUPPLY);
    });

    it("moves voting power with transfers and re-delegation", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      const { deployer, alice, bob } = accounts;
      await amax.connect(deployer).delegate(deployer.address);
      await amax.connect(alice).delegate(bob.address);
      await amax.connect(deployer).transfer(alice.address, 1_000n * AMAX);
      expect(await amax.getVotes(deployer.address)).to.equal(TOTAL_SUPPLY - 1_000n * AMAX);
      expect(await amax.getVotes(bob.address)).to.equal(1_000n * AMAX);
      expect(await amax.delegates(alice.address)).to.equal(bob.address);

      await amax.connect(alice).delegate(alice.address);
      expect(await amax.getVotes(bob.address)).to.equal(0n);
      expect(await amax.getVotes(alice.address)).to.equal(1_000n * AMAX);
    });

    it("keeps historical checkpoints readable by timestamp", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      const { deployer, alice } = accounts;
      await amax.connect(alice).delegate(alice.address);
      await amax.connect(deployer).transfer(alice.address, 10n * AMAX);
      const first = BigInt(await time.latest());
      await time.increase(100);
      await amax.connect(deployer).transfer(alice.address, 20n * AMAX);
      const second = BigInt(await time.latest());
      await time.increase(100);
      await mine();

      expect(await amax.getPastVotes(alice.address, first - 1n)).to.equal(0n);
      expect(await amax.getPastVotes(alice.address, first)).to.equal(10n * AMAX);
      expect(await amax.getPastVotes(alice.address, second - 1n)).to.equal(10n * AMAX);
      expect(await amax.getPastVotes(alice.address, second)).to.equal(30n * AMAX);
      expect(await amax.numCheckpoints(alice.address)).to.equal(2n);
      expect(await amax.getPastTotalSupply(first)).to.equal(TOTAL_SUPPLY);
    });

    it("refuses a lookup of the present or the future with ERC5805FutureLookup", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      const now = BigInt(await time.latest());
      await expect(amax.getPastVotes(accounts.alice.address, now + 10n))
        .to.be.revertedWithCustomError(amax, "ERC5805FutureLookup")
        .withArgs(now + 10n, now);
    });

    it("delegates by signature, and refuses an expired or replayed one", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      const { deployer, bob, stranger } = accounts;
      const types = {
        Delegation: [
          { name: "delegatee", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "expiry", type: "uint256" },
        ],
      };
      const domain = {
        name: "StarMiner Governance",
        version: "1",
        chainId: 31337n,
        verifyingContract: await amax.getAddress(),
      };
      const expiry = BigInt(await time.latest()) + 3600n;
      const { v, r, s } = Signature.from(
        await deployer.signTypedData(domain, types, { delegatee: bob.address, nonce: 0n, expiry }),
      );
      await amax.connect(stranger).delegateBySig(bob.address, 0n, expiry, v, r, s);
      expect(await amax.delegates(deployer.address)).to.equal(bob.address);
      expect(await amax.getVotes(bob.address)).to.equal(TOTAL_SUPPLY);
      await expect(amax.delegateBySig(bob.address, 0n, expiry, v, r, s))
        .to.be.revertedWithCustomError(amax, "InvalidAccountNonce")
        .withArgs(deployer.address, 1n);

      const late = BigInt(await time.latest()) + 10n;
      const expired = Signature.from(
        await deployer.signTypedData(domain, types, { delegatee: stranger.address, nonce: 1n, expiry: late }),
      );
      await time.increaseTo(late + 1n);
      await expect(amax.delegateBySig(stranger.address, 1n, late, expired.v, expired.r, expired.s))
        .to.be.revertedWithCustomError(amax, "VotesExpiredSignature")
        .withArgs(late);
    });
  });

  describe("permit (EIP-2612)", () => {
    it("sets an allowance from the owner's signature and consumes the nonce", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      const deadline = BigInt(await time.latest()) + 3600n;
      const p = await signPermit(amax, accounts.deployer, accounts.bob.address, 7n * AMAX, deadline, 31337n);
      await amax.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s);
      expect(await amax.allowance(p.owner, p.spender)).to.equal(7n * AMAX);
      expect(await amax.nonces(p.owner)).to.equal(1n);
    });

    it("reverts with ERC2612ExpiredSignature after the deadline", async () => {
      const { amax, accounts } = await loadFixture(deployed);
      const deadline = BigInt(await time.latest()) + 10n;
      const p = await signPermit(amax, accounts.deployer, accounts.bob.address, AMAX, deadline, 31337n);
      await time.increaseTo(deadline + 1n);
      await expect(amax.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s))
        .to.be.revertedWithCustomError(amax, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });
});

import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";

import { Role } from "../../scripts/lib/roles.js";
import { bridgesFixture } from "../support/bridge.js";
import { signPermit } from "../support/permit.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const deployed = protocolFixture(connection);
const bridges = bridgesFixture(connection);

const TOKEN = 10n ** 18n;

/** AMAX (from the protocol) and BridgedAGPU (from a remote gateway's chain side), each with a holder and a spender. */
async function tokens() {
  const protocol = await deployed();
  const b = await bridges();
  const [holder, spender, forger] = (await ethers.getSigners()).slice(-3);
  await protocol.amax.connect(protocol.accounts.deployer).transfer(holder!.address, 100n * TOKEN);
  // BridgedAGPU exists only by minting, which its gateway does on a transfer in; here its minter role's holder does.
  await b.manager.connect(b.deployer).grantRole(Role.BRIDGE_MINTER, b.deployer.address, 0);
  await b.bridged.connect(b.deployer).mint(holder!.address, 100n * TOKEN);
  return { AMAX: protocol.amax, BridgedAGPU: b.bridged, holder: holder!, spender: spender!, forger: forger! };
}

describe("Permits on AMAX and BridgedAGPU: only the holder's signature, once, in time, on this chain", () => {
  for (const name of ["AMAX", "BridgedAGPU"] as const) {
    describe(name, () => {
      const chainId = 31337n;

      it("grants the allowance a valid permit names, and refuses the same permit replayed", async () => {
        const t = await loadFixture(tokens);
        const token = t[name];
        const deadline = BigInt(await time.latest()) + 3_600n;
        const p = await signPermit(token, t.holder, t.spender.address, 5n * TOKEN, deadline, chainId);
        await token.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s);
        expect(await token.allowance(t.holder.address, t.spender.address)).to.equal(5n * TOKEN);
        await expect(
          token.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s),
        ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
      });

      it("refuses a permit signed by someone other than the holder", async () => {
        const t = await loadFixture(tokens);
        const token = t[name];
        const deadline = BigInt(await time.latest()) + 3_600n;
        const forged = await signPermit(token, t.forger, t.spender.address, 5n * TOKEN, deadline, chainId);
        await expect(
          token.permit(t.holder.address, forged.spender, forged.value, forged.deadline, forged.v, forged.r, forged.s),
        )
          .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
          // The signature recovers to no one in particular: it was made over another owner's permit.
          .withArgs(anyValue, t.holder.address);
        expect(await token.allowance(t.holder.address, t.spender.address)).to.equal(0n);
      });

      it("refuses a permit whose value or spender was changed after signing", async () => {
        const t = await loadFixture(tokens);
        const token = t[name];
        const deadline = BigInt(await time.latest()) + 3_600n;
        const p = await signPermit(token, t.holder, t.spender.address, 5n * TOKEN, deadline, chainId);
        await expect(
          token.permit(p.owner, p.spender, 50n * TOKEN, p.deadline, p.v, p.r, p.s),
        ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
        await expect(
          token.permit(p.owner, t.forger.address, p.value, p.deadline, p.v, p.r, p.s),
        ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
      });

      it("refuses a permit signed for another chain", async () => {
        const t = await loadFixture(tokens);
        const token = t[name];
        const deadline = BigInt(await time.latest()) + 3_600n;
        const p = await signPermit(token, t.holder, t.spender.address, 5n * TOKEN, deadline, 1n);
        await expect(
          token.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s),
        ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
      });

      it("accepts a permit at its deadline", async () => {
        const t = await loadFixture(tokens);
        const token = t[name];
        const deadline = BigInt(await time.latest()) + 3_600n;
        const p = await signPermit(token, t.holder, t.spender.address, 5n * TOKEN, deadline, chainId);
        await time.setNextBlockTimestamp(deadline);
        await token.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s);
        expect(await token.allowance(t.holder.address, t.spender.address)).to.equal(5n * TOKEN);
      });

      it("refuses a permit one second after its deadline", async () => {
        const t = await loadFixture(tokens);
        const token = t[name];
        const deadline = BigInt(await time.latest()) + 3_600n;
        const p = await signPermit(token, t.holder, t.spender.address, 5n * TOKEN, deadline, chainId);
        await time.setNextBlockTimestamp(deadline + 1n);
        await expect(token.permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s))
          .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
          .withArgs(deadline);
      });
    });
  }
});

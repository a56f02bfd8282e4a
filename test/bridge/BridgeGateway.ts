import { expect } from "chai";

import { AGPU, HOUR, LIMIT, OTHER_CHAIN, bridgesFixture, incoming, outgoing, sign } from "../support/bridge.js";
import { type Signer, connect } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const bridges = bridgesFixture(connection);

describe("BridgeGateway", () => {
  describe("sending", () => {
    it("locks AGPU at home and names the digest the destination gateway will check", async () => {
      const b = await loadFixture(bridges);
      await b.agpu.connect(b.alice).approve(await b.home.getAddress(), 200n * AGPU);
      const { digest } = outgoing(b, await b.home.getAddress(), 1n, 200n * AGPU);
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, 200n * AGPU))
        .to.emit(b.home, "TransferSent")
        .withArgs(1n, OTHER_CHAIN, b.alice.address, b.bob.address, 200n * AGPU, digest);
      expect(await b.home.totalLocked()).to.equal(700n * AGPU);
      expect(await b.agpu.balanceOf(await b.home.getAddress())).to.equal(700n * AGPU);
    });

    it("burns BridgedAGPU on a remote chain", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b, { amount: 300n * AGPU });
      await b.remote.complete(transfer, await sign(b.validators.slice(0, 2), transfer, await b.remote.getAddress()));
      await expect(b.remote.connect(b.alice).send(OTHER_CHAIN, b.bob.address, 120n * AGPU)).to.emit(
        b.remote,
        "TransferSent",
      );
      expect(await b.bridged.balanceOf(b.alice.address)).to.equal(180n * AGPU);
      expect(await b.bridged.totalSupply()).to.equal(180n * AGPU);
    });

    it("refuses an unknown destination, this chain, a zero amount or recipient", async () => {
      const b = await loadFixture(bridges);
      await expect(b.home.connect(b.alice).send(5n, b.bob.address, 1n))
        .to.be.revertedWithCustomError(b.home, "BridgeUnknownChain")
        .withArgs(5n);
      await expect(b.home.connect(b.alice).send(b.chainId, b.bob.address, 1n)).to.be.revertedWithCustomError(
        b.home,
        "BridgeUnknownChain",
      );
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, 0)).to.be.revertedWithCustomError(
        b.home,
        "BridgeZeroAmount",
      );
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(
        b.home,
        "BridgeZeroAddress",
      );
    });
  });

  describe("completing", () => {
    it("releases at home with two of three validators, once", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b);
      const signatures = await sign(b.validators.slice(1, 3), transfer, await b.home.getAddress());
      const digest = await b.home.transferDigest(transfer);
      await expect(b.home.connect(b.outsider).complete(transfer, signatures))
        .to.emit(b.home, "TransferCompleted")
        .withArgs(digest, OTHER_CHAIN, 0n, b.bob.address, b.alice.address, 100n * AGPU);
      expect(await b.home.totalLocked()).to.equal(400n * AGPU);
      expect(await b.home.isCompleted(digest)).to.equal(true);
      await expect(b.home.complete(transfer, signatures))
        .to.be.revertedWithCustomError(b.home, "BridgeAlreadyCompleted")
        .withArgs(digest);
    });

    it("mints on a remote chain, keeping its supply equal to what is locked for it", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b, { amount: 250n * AGPU });
      await b.remote.complete(transfer, await sign(b.validators.slice(0, 2), transfer, await b.remote.getAddress()));
      expect(await b.bridged.balanceOf(b.alice.address)).to.equal(250n * AGPU);
      await expect(b.bridged.connect(b.alice).mint(b.alice.address, 1n))
        .to.be.revertedWithCustomError(b.bridged, "AccessManagedUnauthorized")
        .withArgs(b.alice.address);
    });

    it("refuses a signature set below threshold, a duplicate, out of order, or from outside the set", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b);
      const gateway = await b.home.getAddress();
      const [first, second] = b.validators as [Signer, Signer];
      await expect(b.home.complete(transfer, await sign([first], transfer, gateway)))
        .to.be.revertedWithCustomError(b.home, "BridgeBelowThreshold")
        .withArgs(1, 2);
      await expect(b.home.complete(transfer, await sign([first, first], transfer, gateway)))
        .to.be.revertedWithCustomError(b.home, "BridgeDuplicateSigner")
        .withArgs(first.address);
      await expect(b.home.complete(transfer, await sign([second, first], transfer, gateway)))
        .to.be.revertedWithCustomError(b.home, "BridgeSignersNotAscending")
        .withArgs(first.address);
      const withOutsider = [first, b.outsider].sort((x, y) => (BigInt(x.address) < BigInt(y.address) ? -1 : 1));
      await expect(b.home.complete(transfer, await sign(withOutsider, transfer, gateway)))
        .to.be.revertedWithCustomError(b.home, "BridgeNotValidator")
        .withArgs(b.outsider.address);
      await expect(b.home.complete(transfer, ["0x1234", "0x5678"]))
        .to.be.revertedWithCustomError(b.home, "BridgeInvalidSignature")
        .withArgs(0);
    });

    it("refuses a message for another gateway, another chain, or from a gateway that is not the counterpart", async () => {
      const b = await loadFixture(bridges);
      const transfer = incoming(b);
      const signers = b.validators.slice(0, 2);
      // Signed for the remote gateway: worthless at home (the signers recover differently).
      await expect(
        b.home.complete(transfer, await sign(signers, transfer, await b.remote.getAddress())),
      ).to.be.revertedWithCustomError(b.home, "BridgeNotValidator");
      // Signed for this gateway on another chain: a replay across chains recovers other signers too.
      await expect(
        b.home.complete(transfer, await sign(signers, transfer, await b.home.getAddress(), 999n)),
      ).to.be.revertedWithCustomError(b.home, "BridgeNotValidator");
      const elsewhere = incoming(b, { destinationChainId: OTHER_CHAIN });
      await expect(b.home.complete(elsewhere, await sign(signers, elsewhere, await b.home.getAddress())))
        .to.be.revertedWithCustomError(b.home, "BridgeWrongDestination")
        .withArgs(OTHER_CHAIN);
      const forged = incoming(b, { sourceGateway: b.outsider.address });
      await expect(b.home.complete(forged, await sign(signers, forged, await b.home.getAddress())))
        .to.be.revertedWithCustomError(b.home, "BridgeWrongSourceGateway")
        .withArgs(b.outsider.address, b.otherGateway.address);
    });

    it("refuses signatures from a validator governance removed", async () => {
      const b = await loadFixture(bridges);
      const [first, second, third] = b.validators as [Signer, Signer, Signer];
      const transfer = incoming(b);
      const signatures = await sign([first, second], transfer, await b.home.getAddress());
      await b.home.connect(b.deployer).setValidators([second.address, third.address], 2);
      await expect(b.home.complete(transfer, signatures))
        .to.be.revertedWithCustomError(b.home, "BridgeNotValidator")
        .withArgs(first.address);
    });

    it("limits what arrives and what leaves per period", async () => {
      const b = await loadFixture(bridges);
      const gateway = await b.home.getAddress();
      const signers = b.validators.slice(0, 2);
      const big = incoming(b, { amount: 400n * AGPU });
      await b.home.complete(big, await sign(signers, big, gateway));
      const over = incoming(b, { nonce: 1n, amount: 700n * AGPU });
      await expect(b.home.complete(over, await sign(signers, over, gateway)))
        .to.be.revertedWithCustomError(b.home, "BridgeRateLimited")
        .withArgs(false, 700n * AGPU, 600n * AGPU);
      await b.agpu.connect(b.alice).approve(gateway, 2_000n * AGPU);
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, 600n * AGPU))
        .to.be.revertedWithCustomError(b.home, "BridgeRateLimited")
        .withArgs(true, 600n * AGPU, 500n * AGPU);
      // A new period allows the full amount again.
      await time.increase(HOUR);
      const later = incoming(b, { nonce: 1n, amount: 100n * AGPU });
      await b.home.complete(later, await sign(signers, later, gateway));
      expect(await b.home.available()).to.deep.equal([1_000n * AGPU, 900n * AGPU]);
    });

    it("stops sending and completing while paused", async () => {
      const b = await loadFixture(bridges);
      await b.home.connect(b.deployer).pause();
      const transfer = incoming(b);
      await expect(
        b.home.complete(transfer, await sign(b.validators.slice(0, 2), transfer, await b.home.getAddress())),
      ).to.be.revertedWithCustomError(b.home, "EnforcedPause");
      await expect(b.home.connect(b.alice).send(OTHER_CHAIN, b.bob.address, 1n)).to.be.revertedWithCustomError(
        b.home,
        "EnforcedPause",
      );
    });
  });

  describe("refusing what cannot be a transfer", () => {
    it("refuses an arriving transfer from an unknown chain or from this one, to nobody, or of nothing", async () => {
      const b = await loadFixture(bridges);
      const gateway = await b.home.getAddress();
      const signers = b.validators.slice(0, 2);
      const cases = [
        { transfer: incoming(b, { sourceChainId: 5n }), error: "BridgeUnknownChain", args: [5n] },
        { transfer: incoming(b, { sourceChainId: b.chainId }), error: "BridgeUnknownChain", args: [b.chainId] },
        { transfer: incoming(b, { recipient: ethers.ZeroAddress }), error: "BridgeZeroAddress", args: [] },
        { transfer: incoming(b, { amount: 0n }), error: "BridgeZeroAmount", args: [] },
      ];
      for (const { transfer, error, args } of cases) {
        await expect(b.home.complete(transfer, await sign(signers, transfer, gateway)))
          .to.be.revertedWithCustomError(b.home, error)
          .withArgs(...args);
      }
    });

    it("refuses a gateway without a token, a counterpart on chain 0 or on this chain, and a zero limit", async () => {
      const b = await loadFixture(bridges);
      const implementation = await ethers.deployContract("BridgeGateway");
      const validators = b.validators.map((v) => v.address);
      const proxy = (token: string) =>
        ethers.deployContract("ERC1967Proxy", [
          implementation,
          implementation.interface.encodeFunctionData("initialize", [
            b.deployer.address,
            0,
            token,
            validators,
            2,
            LIMIT,
          ]),
        ]);
      await expect(proxy(ethers.ZeroAddress)).to.be.revertedWithCustomError(implementation, "BridgeZeroAddress");
      const governor = b.home.connect(b.deployer);
      await expect(governor.setCounterpart(0n, b.outsider.address))
        .to.be.revertedWithCustomError(b.home, "BridgeUnknownChain")
        .withArgs(0n);
      await expect(governor.setCounterpart(b.chainId, b.outsider.address))
        .to.be.revertedWithCustomError(b.home, "BridgeUnknownChain")
        .withArgs(b.chainId);
      await expect(governor.setRateLimit({ ...LIMIT, maxOutgoing: 0n }))
        .to.be.revertedWithCustomError(b.home, "BridgeParameterOutOfBounds")
        .withArgs("maxOutgoing", 0n, 1n, 2n ** 128n - 1n);
      await expect(governor.setRateLimit({ ...LIMIT, maxIncoming: 0n }))
        .to.be.revertedWithCustomError(b.home, "BridgeParameterOutOfBounds")
        .withArgs("maxIncoming", 0n, 1n, 2n ** 128n - 1n);
    });
  });

  describe("governance", () => {
    it("keeps the validator set, counterparts and limits to governance, and the set to a strict majority", async () => {
      const b = await loadFixture(bridges);
      const addresses = b.validators.map((v) => v.address);
      for (const call of [
        b.home.connect(b.alice).setValidators(addresses, 2),
        b.home.connect(b.alice).setCounterpart(5n, b.alice.address),
        b.home.connect(b.alice).setRateLimit(LIMIT),
      ]) {
        await expect(call).to.be.revertedWithCustomError(b.home, "AccessManagedUnauthorized").withArgs(b.alice.address);
      }
      await expect(b.home.connect(b.deployer).setValidators(addresses, 1))
        .to.be.revertedWithCustomError(b.home, "BridgeInvalidValidatorSet")
        .withArgs(3, 1);
      await expect(b.home.connect(b.deployer).setValidators([addresses[0]!, addresses[0]!, addresses[1]!], 2))
        .to.be.revertedWithCustomError(b.home, "BridgeInvalidValidatorSet")
        .withArgs(3, 2);
      await expect(b.home.connect(b.deployer).setRateLimit({ ...LIMIT, period: 60 }))
        .to.be.revertedWithCustomError(b.home, "BridgeParameterOutOfBounds")
        .withArgs("period", 60, HOUR, 7 * 24 * HOUR);
      await expect(b.home.connect(b.deployer).setValidators(addresses, 3))
        .to.emit(b.home, "ValidatorsSet")
        .withArgs(addresses, 3);
    });
  });
});

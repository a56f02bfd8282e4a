import { expect } from "chai";
import { TypedDataEncoder } from "ethers";

import {
  AGPU,
  type Bridges,
  OTHER_CHAIN,
  REFUND_TYPES,
  bridgeDomain,
  bridgesFixture,
  incoming,
  outgoing,
  sign,
  signRefund,
} from "../support/bridge.js";
import { type Signer, connect } from "../support/protocol.js";

/**
 * A transfer over the destination's per-period incoming limit could never complete, and its sender had no way back.
 * It is cancelled on the destination (by anyone, or by its recipient for any transfer) and refunded on the source
 * with a validator quorum's signatures over the cancellation: once, and exactly what was sent. The end-to-end run
 * with the CLI, the validators' services and the relayer is in test/bridge/BridgeEndToEnd.ts.
 */
const connection = await connect();
const { loadFixture } = connection.networkHelpers;
const bridges = bridgesFixture(connection);

describe("Security: a bridge transfer that can never complete (attack 10)", () => {
  /** The fixture's transfer out: Alice's 500 AGPU from home to Bob on chain 777, and its digest. */
  const sentOut = async (b: Bridges) => outgoing(b, await b.home.getAddress(), 0n, 500n * AGPU);
  const homeRefund = async (b: Bridges, signers: Signer[], digest: string) =>
    signRefund(b, signers, digest, await b.home.getAddress());

  it("lets the recipient decline a transfer, and anyone cancel one over the incoming limit; neither completes", async () => {
    const b = await loadFixture(bridges);
    const transfer = incoming(b);
    const digest = await b.home.transferDigest(transfer);
    await expect(b.home.connect(b.outsider).cancel(transfer))
      .to.be.revertedWithCustomError(b.home, "BridgeNotCancellable")
      .withArgs(digest, b.outsider.address);
    await expect(b.home.connect(b.alice).cancel(transfer))
      .to.emit(b.home, "TransferCancelled")
      .withArgs(digest, OTHER_CHAIN, 0n, b.bob.address, b.alice.address, 100n * AGPU, b.alice.address);
    expect(await b.home.isCancelled(digest)).to.equal(true);
    const signatures = await sign(b.validators.slice(0, 2), transfer, await b.home.getAddress());
    await expect(b.home.complete(transfer, signatures))
      .to.be.revertedWithCustomError(b.home, "BridgeAlreadyCompleted")
      .withArgs(digest);
    await expect(b.home.connect(b.alice).cancel(transfer))
      .to.be.revertedWithCustomError(b.home, "BridgeAlreadyCompleted")
      .withArgs(digest);

    // 2 000 AGPU can never arrive under a 1 000-an-hour limit: anyone may cancel it.
    const tooLarge = incoming(b, { nonce: 1n, amount: 2_000n * AGPU });
    await expect(b.home.connect(b.outsider).cancel(tooLarge)).to.emit(b.home, "TransferCancelled");
    // A message for another gateway or chain is refused as a completion would be.
    await expect(b.home.connect(b.alice).cancel(incoming(b, { nonce: 2n, destinationChainId: 5n })))
      .to.be.revertedWithCustomError(b.home, "BridgeWrongDestination")
      .withArgs(5n);
  });

  it("refunds a transfer sent from here, once, with a threshold of signatures over its cancellation", async () => {
    const b = await loadFixture(bridges);
    const { transfer, digest } = await sentOut(b);
    expect(await b.home.sentStatus(digest)).to.deep.equal([true, false]);
    const refundDigest = TypedDataEncoder.hash(bridgeDomain(b.chainId, await b.home.getAddress()), REFUND_TYPES, {
      transfer: digest,
    });
    expect(await b.home.refundDigest(digest)).to.equal(refundDigest);

    await expect(b.home.refund(transfer, await homeRefund(b, b.validators.slice(0, 1), digest)))
      .to.be.revertedWithCustomError(b.home, "BridgeBelowThreshold")
      .withArgs(1n, 2n);
    // Signatures of the transfer itself are not signatures of its refund.
    const transferSignatures = await sign(b.validators.slice(0, 2), transfer, b.otherGateway.address);
    await expect(b.home.refund(transfer, transferSignatures)).to.be.revertedWithCustomError(
      b.home,
      "BridgeNotValidator",
    );

    const signatures = await homeRefund(b, b.validators.slice(1, 3), digest);
    const before = await b.agpu.balanceOf(b.alice.address);
    await expect(b.home.connect(b.outsider).refund(transfer, signatures))
      .to.emit(b.home, "TransferRefunded")
      .withArgs(digest, 0n, b.alice.address, 500n * AGPU);
    expect((await b.agpu.balanceOf(b.alice.address)) - before).to.equal(500n * AGPU);
    expect(await b.home.totalLocked()).to.equal(0n);
    expect(await b.home.sentStatus(digest)).to.deep.equal([true, true]);
    await expect(b.home.refund(transfer, signatures))
      .to.be.revertedWithCustomError(b.home, "BridgeAlreadyRefunded")
      .withArgs(digest);
  });

  it("refunds only a transfer this gateway sent, exactly as it was sent", async () => {
    const b = await loadFixture(bridges);
    const { transfer } = await sentOut(b);
    // The same nonce with a larger amount (or another sender) was never sent.
    const { transfer: inflated, digest } = outgoing(b, transfer.sourceGateway, 0n, 5_000n * AGPU);
    await expect(b.home.refund(inflated, await homeRefund(b, b.validators.slice(0, 2), digest)))
      .to.be.revertedWithCustomError(b.home, "BridgeUnknownTransfer")
      .withArgs(digest);
  });

  it("mints a refund back on a remote chain, where the transfer out was burnt", async () => {
    const b = await loadFixture(bridges);
    // Alice brings 100 AGPU to the remote gateway's chain, then sends them out again.
    await b.remote.complete(
      incoming(b),
      await sign(b.validators.slice(0, 2), incoming(b), await b.remote.getAddress()),
    );
    await b.remote.connect(b.alice).send(OTHER_CHAIN, b.bob.address, 100n * AGPU);
    expect(await b.bridged.totalSupply()).to.equal(0n);
    const gateway = await b.remote.getAddress();
    const { transfer, digest } = outgoing(b, gateway, 0n, 100n * AGPU);
    const signatures = await signRefund(b, b.validators.slice(0, 2), digest, gateway);
    await expect(b.remote.refund(transfer, signatures)).to.emit(b.remote, "TransferRefunded");
    expect(await b.bridged.balanceOf(b.alice.address)).to.equal(100n * AGPU);
  });

  it("cancels and refunds nothing while paused", async () => {
    const b = await loadFixture(bridges);
    const { transfer, digest } = await sentOut(b);
    const signatures = await homeRefund(b, b.validators.slice(0, 2), digest);
    await b.home.connect(b.deployer).pause();
    await expect(b.home.refund(transfer, signatures)).to.be.revertedWithCustomError(b.home, "EnforcedPause");
    await expect(b.home.connect(b.alice).cancel(incoming(b))).to.be.revertedWithCustomError(b.home, "EnforcedPause");
  });
});

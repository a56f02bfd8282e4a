import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { toBeHex } from "ethers";
import type { Address } from "viem";

import { proveCapability } from "../../scripts/lib/zk/capability.js";
import { type Groth16Proof, releaseProver } from "../../scripts/lib/zk/groth16.js";
import { NodeRole, providerMetadata } from "../support/nodes.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const deployed = protocolFixture(connection);

const SALT = 271_828n;
const THRESHOLDS = { minVramMiB: 40_960, minComputeCapability: 80 };
const asBytes32 = (value: bigint) => toBeHex(value, 32);
const args = (proof: Groth16Proof) => [proof.a, proof.b, proof.c] as const;

/** Alice is an H100 provider (80 GiB, 9.0) who committed to her specs, and holds a proof of the thresholds. */
async function committedProvider() {
  const protocol = await deployed();
  const { nodeRegistry, accounts } = protocol;
  await nodeRegistry.connect(accounts.alice).register(NodeRole.PROVIDER, providerMetadata());
  const specs = { node: accounts.alice.address as Address, vramMiB: 81_920, computeCapability: 90, salt: SALT };
  const { commitment, proof } = await proveCapability(specs, THRESHOLDS);
  await nodeRegistry.connect(accounts.alice).commitCapability(asBytes32(commitment));
  return { ...protocol, commitment, proof };
}

describe("CapabilityRegistrar", function () {
  this.timeout(120_000);
  after(releaseProver);

  it("verifies a real capability proof and records it in the registry", async () => {
    const { capabilityRegistrar, nodeRegistry, accounts, commitment, proof } = await loadFixture(committedProvider);
    await expect(
      capabilityRegistrar
        .connect(accounts.stranger)
        .proveCapability(
          accounts.alice.address,
          THRESHOLDS.minVramMiB,
          THRESHOLDS.minComputeCapability,
          ...args(proof),
        ),
    )
      .to.emit(capabilityRegistrar, "CapabilityProven")
      .withArgs(accounts.alice.address, asBytes32(commitment), THRESHOLDS.minVramMiB, THRESHOLDS.minComputeCapability)
      .and.to.emit(nodeRegistry, "CapabilityVerified")
      .withArgs(accounts.alice.address, asBytes32(commitment), await capabilityRegistrar.getAddress());
    expect((await nodeRegistry.getNode(accounts.alice.address)).capability.status).to.equal(2n);
    expect(await capabilityRegistrar.meetsThresholds(accounts.alice.address, 24_576, 80)).to.equal(true);
    expect(await capabilityRegistrar.meetsThresholds(accounts.alice.address, 81_920, 80)).to.equal(false);
    expect(await capabilityRegistrar.meetsThresholds(accounts.alice.address, 40_960, 90)).to.equal(false);
  });

  it("takes the public inputs from the registry and the call: other thresholds or another node fail", async () => {
    const { capabilityRegistrar, nodeRegistry, accounts, commitment, proof } = await loadFixture(committedProvider);
    await expect(capabilityRegistrar.proveCapability(accounts.alice.address, 81_920, 80, ...args(proof)))
      .to.be.revertedWithCustomError(capabilityRegistrar, "CapabilityInvalidProof")
      .withArgs(accounts.alice.address);
    // Bob copies Alice's commitment: the node is hashed into it, so her proof does not verify for him.
    await nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata());
    await nodeRegistry.connect(accounts.bob).commitCapability(asBytes32(commitment));
    await expect(capabilityRegistrar.proveCapability(accounts.bob.address, 40_960, 80, ...args(proof)))
      .to.be.revertedWithCustomError(capabilityRegistrar, "CapabilityInvalidProof")
      .withArgs(accounts.bob.address);
    expect((await nodeRegistry.getNode(accounts.bob.address)).capability.status).to.equal(1n);
  });

  it("refuses a tampered proof and records nothing", async () => {
    const { capabilityRegistrar, accounts, proof } = await loadFixture(committedProvider);
    const tampered: Groth16Proof = { ...proof, c: [proof.c[0], proof.c[1] + 1n] };
    await expect(capabilityRegistrar.proveCapability(accounts.alice.address, 40_960, 80, ...args(tampered)))
      .to.be.revertedWithCustomError(capabilityRegistrar, "CapabilityInvalidProof")
      .withArgs(accounts.alice.address);
    expect((await capabilityRegistrar.provenCapabilityOf(accounts.alice.address)).provenAt).to.equal(0n);
  });

  it("takes no proof while paused, and the same proof once governance unpauses", async () => {
    const { capabilityRegistrar, accounts, proof } = await loadFixture(committedProvider);
    const prove = () => capabilityRegistrar.proveCapability(accounts.alice.address, 40_960, 80, ...args(proof));
    await capabilityRegistrar.connect(accounts.guardian).pause();
    await expect(prove()).to.be.revertedWithCustomError(capabilityRegistrar, "EnforcedPause");
    await capabilityRegistrar.connect(accounts.governor).unpause();
    await expect(prove()).to.emit(capabilityRegistrar, "CapabilityProven");
  });

  it("refuses a node without a commitment", async () => {
    const { capabilityRegistrar, accounts, proof } = await loadFixture(committedProvider);
    await expect(capabilityRegistrar.proveCapability(accounts.carol.address, 40_960, 80, ...args(proof)))
      .to.be.revertedWithCustomError(capabilityRegistrar, "CapabilityNoCommitment")
      .withArgs(accounts.carol.address);
  });

  it("lets no one but the node replace its proof with a weaker one for the same commitment", async () => {
    const { capabilityRegistrar, accounts, proof } = await loadFixture(committedProvider);
    const node = accounts.alice.address;
    await capabilityRegistrar.proveCapability(node, 40_960, 80, ...args(proof));
    // A valid proof of lower thresholds, from the same specs and salt.
    const specs = { node: node as Address, vramMiB: 81_920, computeCapability: 90, salt: SALT };
    const weaker = { minVramMiB: 24_576, minComputeCapability: 70 };
    const { proof: weakerProof } = await proveCapability(specs, weaker);
    await expect(capabilityRegistrar.connect(accounts.stranger).proveCapability(node, 24_576, 70, ...args(weakerProof)))
      .to.be.revertedWithCustomError(capabilityRegistrar, "CapabilityWeakerProof")
      .withArgs(node, 40_960, 80);
    expect(await capabilityRegistrar.meetsThresholds(node, 40_960, 80)).to.equal(true);
    // The node itself may choose to advertise less.
    await expect(capabilityRegistrar.connect(accounts.alice).proveCapability(node, 24_576, 70, ...args(weakerProof)))
      .to.emit(capabilityRegistrar, "CapabilityProven")
      .withArgs(node, anyValue, 24_576, 70);
    expect(await capabilityRegistrar.meetsThresholds(node, 40_960, 80)).to.equal(false);
    // A proof at least as strong on both thresholds may come from anyone.
    await capabilityRegistrar.connect(accounts.stranger).proveCapability(node, 40_960, 80, ...args(proof));
    expect(await capabilityRegistrar.meetsThresholds(node, 40_960, 80)).to.equal(true);
  });

  it("stops vouching once the node changes its hardware", async () => {
    const { capabilityRegistrar, nodeRegistry, accounts, proof } = await loadFixture(committedProvider);
    await capabilityRegistrar.proveCapability(accounts.alice.address, 40_960, 80, ...args(proof));
    await nodeRegistry.connect(accounts.alice).updateMetadata(providerMetadata({ vramMiB: 24_576 }));
    expect(await capabilityRegistrar.meetsThresholds(accounts.alice.address, 1, 1)).to.equal(false);
  });

  it("is wired to the generated verifier, which accepts the proof and rejects a tampered one", async () => {
    const { capabilityRegistrar, capabilityVerifier, nodeRegistry, proof } = await loadFixture(committedProvider);
    expect(await capabilityRegistrar.verifier()).to.equal(await capabilityVerifier.getAddress());
    expect(await capabilityRegistrar.registry()).to.equal(await nodeRegistry.getAddress());
    const signals = proof.publicSignals as [bigint, bigint, bigint, bigint];
    expect(await capabilityVerifier.verifyProof(...args(proof), signals)).to.equal(true);
    expect(
      await capabilityVerifier.verifyProof(...args(proof), [signals[0], signals[1], signals[2] + 1n, signals[3]]),
    ).to.equal(false);
  });
});

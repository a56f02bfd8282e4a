import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { DEFAULT_ZONES, zoneId, zoneLabel } from "@starminer/sdk";

import { NodeRole, Tee, providerMetadata, serviceNodeMetadata } from "../support/nodes.js";
import { connect, protocolFixture, stakeFrom } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const MEASUREMENT = keccak256(toUtf8Bytes("mrenclave:starminer-runtime-1.0"));
const REPORT = keccak256(toUtf8Bytes("report:gpu-7"));
const COMMITMENT = keccak256(toUtf8Bytes("poseidon(specs, salt)"));

/** Alice is a registered provider in eu-west. */
async function aliceProvider() {
  const protocol = await deployed();
  await protocol.nodeRegistry.connect(protocol.accounts.alice).register(NodeRole.PROVIDER, providerMetadata());
  return protocol;
}

describe("NodeRegistry", () => {
  describe("zones", () => {
    it("starts with the default zones, enabled, in order", async () => {
      const { nodeRegistry } = await loadFixture(deployed);
      const zones = await nodeRegistry.zones();
      expect(zones.map((id) => zoneLabel(id as `0x${string}`))).to.deep.equal([...DEFAULT_ZONES]);
      for (const id of zones) expect(await nodeRegistry.isZoneEnabled(id)).to.equal(true);
    });

    it("lets governance add and disable zones", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const zone = zoneId("sa-east");
      await expect(nodeRegistry.connect(accounts.governor).addZone(zone, "sa-east"))
        .to.emit(nodeRegistry, "ZoneAdded")
        .withArgs(zone, "sa-east");
      await expect(nodeRegistry.connect(accounts.governor).setZoneEnabled(zone, false))
        .to.emit(nodeRegistry, "ZoneEnabledSet")
        .withArgs(zone, false);
      expect(await nodeRegistry.isZoneEnabled(zone)).to.equal(false);
    });

    it("refuses a duplicate, empty or unknown zone with a specific error", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const governor = nodeRegistry.connect(accounts.governor);
      await expect(governor.addZone(zoneId("eu-west"), "eu-west"))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryZoneExists")
        .withArgs(zoneId("eu-west"));
      await expect(governor.addZone(ethers.ZeroHash, "x"))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryZeroValue")
        .withArgs("zone");
      await expect(governor.addZone(zoneId("x"), ""))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryEmptyMetadata")
        .withArgs("label");
      await expect(governor.setZoneEnabled(zoneId("mars"), true))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryUnknownZone")
        .withArgs(zoneId("mars"));
    });

    it("takes a zone label of up to 64 bytes, and refuses one byte more", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const governor = nodeRegistry.connect(accounts.governor);
      await expect(governor.addZone(zoneId("long"), "l".repeat(64)))
        .to.emit(nodeRegistry, "ZoneAdded")
        .withArgs(zoneId("long"), "l".repeat(64));
      await expect(governor.addZone(zoneId("longer"), "l".repeat(65)))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryMetadataTooLong")
        .withArgs("label", 65n, 64n);
    });
  });

  describe("registration", () => {
    it("registers a provider with its hardware and emits NodeRegistered", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const metadata = providerMetadata();
      await expect(nodeRegistry.connect(accounts.alice).register(NodeRole.PROVIDER, metadata))
        .to.emit(nodeRegistry, "NodeRegistered")
        .withArgs(accounts.alice.address, NodeRole.PROVIDER, Object.values(metadata));
      const node = await nodeRegistry.getNode(accounts.alice.address);
      expect(node.roles).to.equal(BigInt(NodeRole.PROVIDER));
      expect(node.active).to.equal(true);
      expect(node.metadata.gpuModel).to.equal("NVIDIA H100 80GB");
      expect(node.metadata.vramMiB).to.equal(81_920n);
      expect(await nodeRegistry.isRegistered(accounts.alice.address)).to.equal(true);
      expect(await nodeRegistry.nodeCount()).to.equal(1n);
    });

    it("registers a node with several roles at once", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const roles = NodeRole.PROVIDER | NodeRole.VALIDATOR | NodeRole.ORACLE;
      await nodeRegistry.connect(accounts.bob).register(roles, providerMetadata());
      expect((await nodeRegistry.getNode(accounts.bob.address)).roles).to.equal(BigInt(roles));
    });

    it("registers a requester or validator without hardware", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const bare = serviceNodeMetadata();
      await nodeRegistry.connect(accounts.bob).register(NodeRole.REQUESTER | NodeRole.VALIDATOR, bare);
      expect(await nodeRegistry.isRegistered(accounts.bob.address)).to.equal(true);
    });

    it("refuses a second registration with RegistryAlreadyRegistered", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await expect(nodeRegistry.connect(accounts.alice).register(NodeRole.VALIDATOR, providerMetadata()))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryAlreadyRegistered")
        .withArgs(accounts.alice.address);
      expect(await nodeRegistry.nodeCount()).to.equal(1n);
    });

    it("refuses empty or unknown roles with RegistryInvalidRoles", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      for (const roles of [0, 16, 0xff]) {
        await expect(nodeRegistry.connect(accounts.bob).register(roles, providerMetadata()))
          .to.be.revertedWithCustomError(nodeRegistry, "RegistryInvalidRoles")
          .withArgs(roles);
      }
    });

    it("refuses an unknown or disabled zone with RegistryUnknownZone", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      await expect(
        nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata({ zone: zoneId("mars") })),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryUnknownZone")
        .withArgs(zoneId("mars"));
      await nodeRegistry.connect(accounts.governor).setZoneEnabled(zoneId("us-east"), false);
      await expect(
        nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata({ zone: zoneId("us-east") })),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryUnknownZone")
        .withArgs(zoneId("us-east"));
    });

    it("refuses each missing provider field with RegistryEmptyMetadata naming it", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const cases = [
        ["endpoint", { endpoint: "" }],
        ["gpuModel", { gpuModel: "" }],
        ["vramMiB", { vramMiB: 0 }],
        ["computeCapability", { computeCapability: 0 }],
        ["tflopsCenti", { tflopsCenti: 0 }],
      ] as const;
      for (const [field, override] of cases) {
        await expect(nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata(override)))
          .to.be.revertedWithCustomError(nodeRegistry, "RegistryEmptyMetadata")
          .withArgs(field);
      }
      expect(await nodeRegistry.isRegistered(accounts.bob.address)).to.equal(false);
    });

    it("refuses an oversized endpoint or GPU model with RegistryMetadataTooLong", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      await expect(
        nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata({ endpoint: "x".repeat(257) })),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryMetadataTooLong")
        .withArgs("endpoint", 257n, 256n);
      await expect(
        nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata({ gpuModel: "g".repeat(65) })),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryMetadataTooLong")
        .withArgs("gpuModel", 65n, 64n);
    });

    it("accepts a provider's endpoint of exactly 256 bytes and GPU model of exactly 64", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const metadata = providerMetadata({ endpoint: "x".repeat(256), gpuModel: "g".repeat(64) });
      await expect(nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, metadata)).to.emit(
        nodeRegistry,
        "NodeRegistered",
      );
      const { endpoint, gpuModel } = (await nodeRegistry.getNode(accounts.bob.address)).metadata;
      expect([endpoint.length, gpuModel.length]).to.deep.equal([256, 64]);
    });

    it("bounds the GPU model a node without the provider role may name, at 64 bytes", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      await expect(
        nodeRegistry
          .connect(accounts.bob)
          .register(NodeRole.VALIDATOR, serviceNodeMetadata({ gpuModel: "g".repeat(65) })),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryMetadataTooLong")
        .withArgs("gpuModel", 65n, 64n);
      await nodeRegistry
        .connect(accounts.bob)
        .register(NodeRole.VALIDATOR, serviceNodeMetadata({ gpuModel: "g".repeat(64) }));
      expect((await nodeRegistry.getNode(accounts.bob.address)).metadata.gpuModel).to.equal("g".repeat(64));
    });

    it("stops registrations while paused", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      await nodeRegistry.connect(accounts.guardian).pause();
      await expect(
        nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER, providerMetadata()),
      ).to.be.revertedWithCustomError(nodeRegistry, "EnforcedPause");
    });
  });

  describe("updates", () => {
    it("stops a registered node's updates, reactivation and capability commitments while paused", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      const alice = nodeRegistry.connect(accounts.alice);
      await nodeRegistry.connect(accounts.guardian).pause();
      for (const call of [
        () => alice.updateMetadata(providerMetadata({ zone: zoneId("us-west") })),
        () => alice.updateRoles(NodeRole.PROVIDER),
        () => alice.reactivate(),
        () => alice.commitCapability(keccak256(toUtf8Bytes("capability"))),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(nodeRegistry, "EnforcedPause");
      }
    });

    it("replaces the metadata and emits NodeMetadataUpdated", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      const moved = providerMetadata({ zone: zoneId("us-west"), endpoint: "https://gpu-7.us.example.net" });
      await expect(nodeRegistry.connect(accounts.alice).updateMetadata(moved))
        .to.emit(nodeRegistry, "NodeMetadataUpdated")
        .withArgs(accounts.alice.address, Object.values(moved));
      expect((await nodeRegistry.getNode(accounts.alice.address)).metadata.zone).to.equal(zoneId("us-west"));
    });

    it("changes roles, still requiring hardware for a provider", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      const bare = serviceNodeMetadata();
      await nodeRegistry.connect(accounts.bob).register(NodeRole.VALIDATOR, bare);
      await expect(nodeRegistry.connect(accounts.bob).updateRoles(NodeRole.VALIDATOR | NodeRole.PROVIDER))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryEmptyMetadata")
        .withArgs("gpuModel");
      await expect(nodeRegistry.connect(accounts.bob).updateRoles(NodeRole.VALIDATOR | NodeRole.ORACLE))
        .to.emit(nodeRegistry, "NodeRolesUpdated")
        .withArgs(accounts.bob.address, NodeRole.VALIDATOR | NodeRole.ORACLE);
    });

    it("refuses updates from an unregistered node with RegistryNotRegistered", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      await expect(nodeRegistry.connect(accounts.stranger).updateMetadata(providerMetadata()))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryNotRegistered")
        .withArgs(accounts.stranger.address);
      await expect(nodeRegistry.connect(accounts.stranger).deactivate())
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryNotRegistered")
        .withArgs(accounts.stranger.address);
    });

    it("deactivates and reactivates, refusing a repeat of either", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      const alice = nodeRegistry.connect(accounts.alice);
      await expect(alice.deactivate()).to.emit(nodeRegistry, "NodeDeactivated").withArgs(accounts.alice.address);
      await expect(alice.deactivate())
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryAlreadyInState")
        .withArgs(accounts.alice.address, false);
      await expect(alice.reactivate()).to.emit(nodeRegistry, "NodeReactivated").withArgs(accounts.alice.address);
      await expect(alice.reactivate())
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryAlreadyInState")
        .withArgs(accounts.alice.address, true);
    });
  });

  describe("runtimes", () => {
    it("lets a provider advertise the runtimes it serves, and change them", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      expect(await nodeRegistry.runtimesOf(accounts.alice.address)).to.equal(0n);
      await expect(nodeRegistry.connect(accounts.alice).setRuntimes(0b110))
        .to.emit(nodeRegistry, "RuntimesSet")
        .withArgs(accounts.alice.address, 0b110);
      expect(await nodeRegistry.runtimesOf(accounts.alice.address)).to.equal(0b110n);
      await nodeRegistry.connect(accounts.alice).setRuntimes(0b001);
      expect(await nodeRegistry.runtimesOf(accounts.alice.address)).to.equal(0b001n);
    });

    it("refuses unknown runtimes, a node that is not a provider, and an unregistered one", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await expect(nodeRegistry.connect(accounts.alice).setRuntimes(0b1000))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryUnknownRuntimes")
        .withArgs(0b1000);
      await nodeRegistry.connect(accounts.bob).register(NodeRole.VALIDATOR, serviceNodeMetadata());
      await expect(nodeRegistry.connect(accounts.bob).setRuntimes(0b010))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryNotProvider")
        .withArgs(accounts.bob.address);
      await expect(nodeRegistry.connect(accounts.carol).setRuntimes(0b010))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryNotRegistered")
        .withArgs(accounts.carol.address);
    });
  });

  describe("capacity", () => {
    it("counts the active providers of each zone through registration, moves, role changes and deactivation", async () => {
      const protocol = await loadFixture(deployed);
      const { nodeRegistry, staking, accounts } = protocol;
      const count = (label: string) => nodeRegistry.activeProviders(zoneId(label));
      const minimum = await staking.minimumStake(NodeRole.PROVIDER);
      for (const node of [accounts.alice, accounts.bob, accounts.carol]) await stakeFrom(protocol, node, minimum);
      await nodeRegistry.connect(accounts.alice).register(NodeRole.PROVIDER, providerMetadata());
      await nodeRegistry.connect(accounts.bob).register(NodeRole.PROVIDER | NodeRole.VALIDATOR, providerMetadata());
      await nodeRegistry.connect(accounts.carol).register(NodeRole.VALIDATOR, providerMetadata());
      expect(await count("eu-west")).to.equal(2n);

      await nodeRegistry.connect(accounts.alice).updateMetadata(providerMetadata({ zone: zoneId("us-east") }));
      expect([await count("eu-west"), await count("us-east")]).to.deep.equal([1n, 1n]);
      await nodeRegistry.connect(accounts.bob).updateRoles(NodeRole.VALIDATOR);
      expect(await count("eu-west")).to.equal(0n);
      await nodeRegistry.connect(accounts.carol).updateRoles(NodeRole.VALIDATOR | NodeRole.PROVIDER);
      expect(await count("eu-west")).to.equal(1n);
      await nodeRegistry.connect(accounts.alice).deactivate();
      expect(await count("us-east")).to.equal(0n);
      await nodeRegistry.connect(accounts.alice).updateMetadata(providerMetadata({ zone: zoneId("eu-west") }));
      expect(await count("eu-west")).to.equal(1n);
      await nodeRegistry.connect(accounts.alice).reactivate();
      expect(await count("eu-west")).to.equal(2n);
    });

    it("counts no capacity for a provider without the minimum stake, and follows stake through syncCapacity (attack 8)", async () => {
      const protocol = await loadFixture(deployed);
      const { nodeRegistry, staking, accounts } = protocol;
      const count = () => nodeRegistry.activeProviders(zoneId("eu-west"));
      // Twenty sybils registering for free would have dropped the zone's utilisation: now they add nothing.
      await nodeRegistry.connect(accounts.alice).register(NodeRole.PROVIDER, providerMetadata());
      expect(await count()).to.equal(0n);
      expect(await nodeRegistry.isCountedAsCapacity(accounts.alice.address)).to.equal(false);
      // Staking afterwards counts once anyone syncs it.
      const minimum = await staking.minimumStake(NodeRole.PROVIDER);
      await stakeFrom(protocol, accounts.alice, minimum);
      await expect(nodeRegistry.connect(accounts.stranger).syncCapacity(accounts.alice.address))
        .to.emit(nodeRegistry, "CapacityCounted")
        .withArgs(accounts.alice.address, zoneId("eu-west"), true);
      expect(await count()).to.equal(1n);
      await nodeRegistry.connect(accounts.stranger).syncCapacity(accounts.alice.address);
      expect(await count()).to.equal(1n);
      // Unbonding below the minimum: anyone may take it out of the count.
      await staking.connect(accounts.alice).requestUnbond(1n);
      await expect(nodeRegistry.connect(accounts.stranger).syncCapacity(accounts.alice.address))
        .to.emit(nodeRegistry, "CapacityCounted")
        .withArgs(accounts.alice.address, zoneId("eu-west"), false);
      expect(await count()).to.equal(0n);
      await expect(nodeRegistry.syncCapacity(accounts.stranger.address))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryNotRegistered")
        .withArgs(accounts.stranger.address);
    });
  });

  describe("eligibility", () => {
    it("needs registration, activity, the role and the role's minimum stake", async () => {
      const { nodeRegistry, staking, agpu, accounts } = await loadFixture(aliceProvider);
      const alice = accounts.alice.address;
      expect(await nodeRegistry.isEligible(alice, NodeRole.PROVIDER)).to.equal(false);

      await agpu.connect(accounts.deployer).transfer(alice, 1_000n * AGPU);
      await agpu.connect(accounts.alice).approve(await staking.getAddress(), 1_000n * AGPU);
      await staking.connect(accounts.alice).stake(1_000n * AGPU);
      expect(await nodeRegistry.isEligible(alice, NodeRole.PROVIDER)).to.equal(true);
      expect(await nodeRegistry.isEligible(alice, NodeRole.VALIDATOR)).to.equal(false);
      expect(await nodeRegistry.isEligible(accounts.stranger.address, NodeRole.PROVIDER)).to.equal(false);

      await nodeRegistry.connect(accounts.alice).deactivate();
      expect(await nodeRegistry.isEligible(alice, NodeRole.PROVIDER)).to.equal(false);
      await nodeRegistry.connect(accounts.alice).reactivate();

      // A slash of a job's collateral that takes her below the provider minimum.
      const stake = await staking.stakeOf(alice);
      await staking.connect(accounts.market).lockCollateral(alice, stake);
      await staking.connect(accounts.market).slashCollateral(alice, stake, ethers.ZeroHash, ethers.ZeroAddress, false);
      expect(await nodeRegistry.isEligible(alice, NodeRole.PROVIDER)).to.equal(false);
    });

    it("refuses a role query that is not exactly one role", async () => {
      const { nodeRegistry, accounts } = await loadFixture(deployed);
      await expect(nodeRegistry.isEligible(accounts.alice.address, NodeRole.PROVIDER | NodeRole.ORACLE))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryInvalidRoles")
        .withArgs(NodeRole.PROVIDER | NodeRole.ORACLE);
    });
  });

  describe("TEE attestations", () => {
    async function teeProvider() {
      const protocol = await deployed();
      const { nodeRegistry, accounts } = protocol;
      await nodeRegistry
        .connect(accounts.alice)
        .register(NodeRole.PROVIDER, providerMetadata({ teeType: Tee.NvidiaCc }));
      await nodeRegistry.connect(accounts.governor).setEnclaveMeasurementAllowed(MEASUREMENT, true);
      return protocol;
    }

    it("counts an attestation registered by an attester for an allowlisted measurement", async () => {
      const { nodeRegistry, accounts } = await loadFixture(teeProvider);
      const signer = ethers.Wallet.createRandom().address;
      await expect(
        nodeRegistry
          .connect(accounts.attester)
          .registerAttestation(accounts.alice.address, Tee.NvidiaCc, MEASUREMENT, REPORT, signer),
      )
        .to.emit(nodeRegistry, "AttestationRegistered")
        .withArgs(accounts.alice.address, Tee.NvidiaCc, MEASUREMENT, REPORT, signer, accounts.attester.address);
      expect(await nodeRegistry.hasValidAttestation(accounts.alice.address)).to.equal(true);
      expect(await nodeRegistry.enclaveSignerOf(accounts.alice.address)).to.equal(signer);
    });

    it("stops counting it once governance removes the measurement from the allowlist", async () => {
      const { nodeRegistry, accounts } = await loadFixture(teeProvider);
      const signer = ethers.Wallet.createRandom().address;
      await nodeRegistry
        .connect(accounts.attester)
        .registerAttestation(accounts.alice.address, Tee.NvidiaCc, MEASUREMENT, REPORT, signer);
      await nodeRegistry.connect(accounts.governor).setEnclaveMeasurementAllowed(MEASUREMENT, false);
      expect(await nodeRegistry.hasValidAttestation(accounts.alice.address)).to.equal(false);
      expect(await nodeRegistry.enclaveSignerOf(accounts.alice.address)).to.equal(ethers.ZeroAddress);
    });

    it("refuses a measurement off the allowlist, a TEE type the node did not claim, and a non-attester", async () => {
      const { nodeRegistry, accounts } = await loadFixture(teeProvider);
      const node = accounts.alice.address;
      const signer = ethers.Wallet.createRandom().address;
      const other = keccak256(toUtf8Bytes("mrenclave:unknown"));
      await expect(
        nodeRegistry.connect(accounts.attester).registerAttestation(node, Tee.NvidiaCc, other, REPORT, signer),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryMeasurementNotAllowed")
        .withArgs(other);
      await expect(
        nodeRegistry.connect(accounts.attester).registerAttestation(node, Tee.IntelTdx, MEASUREMENT, REPORT, signer),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryTeeMismatch")
        .withArgs(node, Tee.NvidiaCc, Tee.IntelTdx);
      await expect(
        nodeRegistry.connect(accounts.alice).registerAttestation(node, Tee.NvidiaCc, MEASUREMENT, REPORT, signer),
      )
        .to.be.revertedWithCustomError(nodeRegistry, "AccessManagedUnauthorized")
        .withArgs(accounts.alice.address);
      expect(await nodeRegistry.hasValidAttestation(node)).to.equal(false);
    });

    it("refuses an attestation without a report or an enclave key, and a zero measurement on the allowlist", async () => {
      const { nodeRegistry, accounts } = await loadFixture(teeProvider);
      const node = accounts.alice.address;
      const signer = ethers.Wallet.createRandom().address;
      const attester = nodeRegistry.connect(accounts.attester);
      await expect(attester.registerAttestation(node, Tee.NvidiaCc, MEASUREMENT, ethers.ZeroHash, signer))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryZeroValue")
        .withArgs("reportHash");
      await expect(attester.registerAttestation(node, Tee.NvidiaCc, MEASUREMENT, REPORT, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryZeroValue")
        .withArgs("enclaveSigner");
      expect(await nodeRegistry.hasValidAttestation(node)).to.equal(false);
      await expect(nodeRegistry.connect(accounts.governor).setEnclaveMeasurementAllowed(ethers.ZeroHash, true))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryZeroValue")
        .withArgs("measurement");
      expect(await nodeRegistry.isMeasurementAllowed(MEASUREMENT)).to.equal(true);
      expect(await nodeRegistry.isMeasurementAllowed(ethers.ZeroHash)).to.equal(false);
    });

    it("lets an attester, and only an attester, revoke an attestation", async () => {
      const { nodeRegistry, accounts } = await loadFixture(teeProvider);
      const node = accounts.alice.address;
      await nodeRegistry
        .connect(accounts.attester)
        .registerAttestation(node, Tee.NvidiaCc, MEASUREMENT, REPORT, ethers.Wallet.createRandom().address);
      await expect(nodeRegistry.connect(accounts.alice).clearAttestation(node))
        .to.be.revertedWithCustomError(nodeRegistry, "AccessManagedUnauthorized")
        .withArgs(node);
      await expect(nodeRegistry.connect(accounts.attester).clearAttestation(node))
        .to.emit(nodeRegistry, "AttestationCleared")
        .withArgs(node);
      expect(await nodeRegistry.hasValidAttestation(node)).to.equal(false);
      expect(await nodeRegistry.enclaveSignerOf(node)).to.equal(ethers.ZeroAddress);
      await expect(nodeRegistry.connect(accounts.attester).clearAttestation(accounts.stranger.address))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryNotRegistered")
        .withArgs(accounts.stranger.address);
    });

    it("clears the attestation when the node changes its TEE claim", async () => {
      const { nodeRegistry, accounts } = await loadFixture(teeProvider);
      const signer = ethers.Wallet.createRandom().address;
      await nodeRegistry
        .connect(accounts.attester)
        .registerAttestation(accounts.alice.address, Tee.NvidiaCc, MEASUREMENT, REPORT, signer);
      await expect(nodeRegistry.connect(accounts.alice).updateMetadata(providerMetadata({ teeType: Tee.AmdSevSnp })))
        .to.emit(nodeRegistry, "AttestationCleared")
        .withArgs(accounts.alice.address);
      expect(await nodeRegistry.hasValidAttestation(accounts.alice.address)).to.equal(false);
    });
  });

  describe("capability proofs", () => {
    it("records a verified proof against the node's current commitment", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await expect(nodeRegistry.connect(accounts.alice).commitCapability(COMMITMENT))
        .to.emit(nodeRegistry, "CapabilityCommitted")
        .withArgs(accounts.alice.address, COMMITMENT);
      await expect(nodeRegistry.connect(accounts.verifier).recordCapabilityProof(accounts.alice.address, COMMITMENT))
        .to.emit(nodeRegistry, "CapabilityVerified")
        .withArgs(accounts.alice.address, COMMITMENT, accounts.verifier.address);
      const capability = (await nodeRegistry.getNode(accounts.alice.address)).capability;
      expect(capability.status).to.equal(2n);
      expect(capability.verifiedAt).to.be.greaterThan(0n);
    });

    it("refuses a proof for another commitment with RegistryCapabilityCommitmentMismatch", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await nodeRegistry.connect(accounts.alice).commitCapability(COMMITMENT);
      const other = keccak256(toUtf8Bytes("other"));
      await expect(nodeRegistry.connect(accounts.verifier).recordCapabilityProof(accounts.alice.address, other))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryCapabilityCommitmentMismatch")
        .withArgs(accounts.alice.address, COMMITMENT, other);
    });

    it("voids the commitment and its proof when the hardware changes", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await nodeRegistry.connect(accounts.alice).commitCapability(COMMITMENT);
      await nodeRegistry.connect(accounts.verifier).recordCapabilityProof(accounts.alice.address, COMMITMENT);
      await expect(nodeRegistry.connect(accounts.alice).updateMetadata(providerMetadata({ vramMiB: 40_960 })))
        .to.emit(nodeRegistry, "CapabilityVoided")
        .withArgs(accounts.alice.address);
      const capability = (await nodeRegistry.getNode(accounts.alice.address)).capability;
      expect(capability.status).to.equal(0n);
      expect(capability.commitment).to.equal(ethers.ZeroHash);
    });

    it("keeps the proof when only the endpoint changes", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await nodeRegistry.connect(accounts.alice).commitCapability(COMMITMENT);
      await nodeRegistry.connect(accounts.verifier).recordCapabilityProof(accounts.alice.address, COMMITMENT);
      await nodeRegistry.connect(accounts.alice).updateMetadata(providerMetadata({ endpoint: "https://new.example" }));
      expect((await nodeRegistry.getNode(accounts.alice.address)).capability.status).to.equal(2n);
    });

    it("refuses a zero commitment with RegistryZeroValue", async () => {
      const { nodeRegistry, accounts } = await loadFixture(aliceProvider);
      await expect(nodeRegistry.connect(accounts.alice).commitCapability(ethers.ZeroHash))
        .to.be.revertedWithCustomError(nodeRegistry, "RegistryZeroValue")
        .withArgs("commitment");
    });
  });
});

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { deployProtocol } from "../../scripts/deploy/protocol.js";
import { manifestContract, manifestPath, readManifest, writeManifest } from "../../scripts/lib/manifest.js";
import { expectRejection } from "../support/assertions.js";
import { connect } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;

const EXPECTED_CONTRACTS = [
  "AccessManager",
  "AGPU",
  "AMAXGovernor",
  "BridgeGateway",
  "AMAX",
  "CapabilityRegistrar",
  "CapabilityVerifier",
  "ComputeCommitmentVerifier",
  "ComputeCommitmentWorkload",
  "DenseLayerVerifier",
  "DenseLayerWorkload",
  "DigitsMlpVerifier",
  "DigitsMlpWorkload",
  "JobMarket",
  "JobMarketLens",
  "NodeRegistry",
  "OracleHub",
  "PricingEngine",
  "Reputation",
  "Staking",
  "ProtocolTimelock",
  "Treasury",
  "VerificationHub",
];

describe("Deployment manifest", () => {
  // Every test gets its own manifest directory, removed afterwards.
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "starminer-manifest-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const deployedWithManifest = async () => deployProtocol(connection, { manifestDir: null, handOver: false });
  async function deployment() {
    const deployed = await networkHelpers.loadFixture(deployedWithManifest);
    return { ...deployed, manifestPath: await writeManifest(deployed.manifest, dir) };
  }

  it("is written per chain id and lists every protocol contract", async () => {
    const deployed = await deployProtocol(connection, { manifestDir: dir, handOver: false });
    expect(deployed.manifestPath).to.equal(manifestPath(31337, dir));
    const manifest = await readManifest(31337, dir);
    expect(manifest.chainId).to.equal(31337);
    expect(Object.keys(manifest.contracts).sort()).to.deep.equal([...EXPECTED_CONTRACTS].sort());
    const [deployer] = await ethers.getSigners();
    expect(manifest.deployer).to.equal(deployer!.address);
    expect(manifest.ignitionDeploymentId).to.equal("chain-31337");
  });

  it("records the block each contract was created in: no code before it, code from it on", async () => {
    const deployed = await deployment();
    for (const contract of Object.values(deployed.manifest.contracts)) {
      const before = await ethers.provider.getCode(contract.address, contract.startBlock - 1);
      const at = await ethers.provider.getCode(contract.address, contract.startBlock);
      expect(before, `${contract.name} before its start block`).to.equal("0x");
      expect(at, `${contract.name} at its start block`).to.not.equal("0x");
    }
  });

  it("carries each contract's ABI from its named artifact, and the implementation behind each proxy", async () => {
    const deployed = await deployment();
    for (const contract of Object.values(deployed.manifest.contracts)) {
      const artifact = await hre.artifacts.readArtifact(contract.artifact);
      expect(contract.abi).to.deep.equal(artifact.abi);
    }
    const treasury = manifestContract(deployed.manifest, "Treasury");
    const slot = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
    const word = await ethers.provider.getStorage(treasury.address, slot);
    expect(ethers.getAddress(ethers.dataSlice(word, 12))).to.equal(treasury.implementation);
  });

  it("reads back as the same manifest that was written", async () => {
    const deployed = await deployment();
    expect(await readManifest(31337, dir)).to.deep.equal(deployed.manifest);
  });

  describe("reading", () => {
    it("says to deploy first when there is no manifest for the chain", async () => {
      await expectRejection(
        readManifest(31337, dir),
        /no deployment manifest for chain 31337 .*deploy the protocol first/,
      );
    });

    it("refuses a file that is not JSON, is for another chain, or lacks an address", async () => {
      const path = manifestPath(31337, dir);
      await writeFile(path, "{ not json");
      await expectRejection(readManifest(31337, dir), /is not valid JSON/);

      const { manifest } = await deployProtocol(connection, { manifestDir: null, handOver: false });
      await writeFile(path, JSON.stringify({ ...manifest, chainId: 1 }));
      await expectRejection(readManifest(31337, dir), /it is for chain 1, not 31337/);

      const broken = structuredClone(manifest) as { contracts: Record<string, { address: string }> };
      broken.contracts.AGPU!.address = "0x1234";
      await writeFile(path, JSON.stringify(broken));
      await expectRejection(readManifest(31337, dir), /AGPU has no valid address/);
      expect(JSON.parse(await readFile(path, "utf8")).contracts.AGPU.address).to.equal("0x1234");
    });

    it("names the contracts it has when asked for one it lacks", async () => {
      const { manifest } = await deployProtocol(connection, { manifestDir: null, handOver: false });
      expect(() => manifestContract(manifest, "BridgedAGPU")).to.throw(
        /contract BridgedAGPU is not in the manifest of chain 31337 \(it has: AccessManager, AGPU, AMAX, Treasury, Staking, NodeRegistry, Reputation, OracleHub, PricingEngine, CapabilityVerifier, CapabilityRegistrar, ComputeCommitmentVerifier, DenseLayerVerifier, DigitsMlpVerifier, ComputeCommitmentWorkload, DenseLayerWorkload, DigitsMlpWorkload, VerificationHub, JobMarket, JobMarketLens, ProtocolTimelock, AMAXGovernor, BridgeGateway\)/,
      );
    });
  });
});

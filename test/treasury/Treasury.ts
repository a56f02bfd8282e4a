import { expect } from "chai";
import { AbiCoder, keccak256, toUtf8Bytes, zeroPadValue, toBeHex } from "ethers";

import { connect, protocolFixture } from "../support/protocol.js";
import { SETTLEMENT_FEE as SETTLEMENT, treasuryWithFeesFixture } from "../support/treasury.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const deployed = protocolFixture(connection);

const AGPU = 10n ** 18n;
const GRANT = keccak256(toUtf8Bytes("proposal.42"));

/** ERC-7201: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff */
function erc7201Slot(namespace: string): bigint {
  const inner = BigInt(keccak256(toUtf8Bytes(namespace))) - 1n;
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256"], [inner]))) & ~0xffn;
}

/** The storage slot of `mapping[key]` when the mapping sits at `slot`. */
function mappingSlot(key: string, slot: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [key, slot]));
}

/** The treasury holds 1 000 AGPU of fees, received under SETTLEMENT. */
const withFees = treasuryWithFeesFixture(deployed);

describe("Treasury", () => {
  describe("receiving fees", () => {
    it("pulls the fee from the payer, counts it and emits FeeReceived", async () => {
      const { agpu, treasury, accounts } = await loadFixture(deployed);
      await agpu.connect(accounts.deployer).approve(await treasury.getAddress(), 250n * AGPU);
      await expect(treasury.connect(accounts.deployer).receiveFee(agpu, 250n * AGPU, SETTLEMENT))
        .to.emit(treasury, "FeeReceived")
        .withArgs(await agpu.getAddress(), accounts.deployer.address, 250n * AGPU, SETTLEMENT);
      expect(await agpu.balanceOf(await treasury.getAddress())).to.equal(250n * AGPU);
      expect(await treasury.totalReceived(agpu)).to.equal(250n * AGPU);
    });

    it("keeps accepting fees while paused, so settlement never blocks on it", async () => {
      const { agpu, treasury, accounts } = await loadFixture(deployed);
      await treasury.connect(accounts.guardian).pause();
      await agpu.connect(accounts.deployer).approve(await treasury.getAddress(), AGPU);
      await treasury.connect(accounts.deployer).receiveFee(agpu, AGPU, SETTLEMENT);
      expect(await treasury.totalReceived(agpu)).to.equal(AGPU);
    });

    it("reverts with TreasuryZeroAmount and TreasuryZeroAddress on empty input", async () => {
      const { agpu, treasury, accounts } = await loadFixture(deployed);
      await expect(treasury.connect(accounts.deployer).receiveFee(agpu, 0n, SETTLEMENT)).to.be.revertedWithCustomError(
        treasury,
        "TreasuryZeroAmount",
      );
      await expect(
        treasury.connect(accounts.deployer).receiveFee(ethers.ZeroAddress, AGPU, SETTLEMENT),
      ).to.be.revertedWithCustomError(treasury, "TreasuryZeroAddress");
    });

    it("reverts with the token's error when the payer has not approved it", async () => {
      const { agpu, treasury, accounts } = await loadFixture(deployed);
      await expect(treasury.connect(accounts.deployer).receiveFee(agpu, AGPU, SETTLEMENT))
        .to.be.revertedWithCustomError(agpu, "ERC20InsufficientAllowance")
        .withArgs(await treasury.getAddress(), 0n, AGPU);
      expect(await treasury.totalReceived(agpu)).to.equal(0n);
    });
  });

  describe("spending", () => {
    it("pays out on governance's call and emits FundsSpent", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      await expect(treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, 400n * AGPU, GRANT))
        .to.emit(treasury, "FundsSpent")
        .withArgs(await agpu.getAddress(), accounts.carol.address, 400n * AGPU, GRANT);
      expect(await agpu.balanceOf(accounts.carol.address)).to.equal(400n * AGPU);
      expect(await agpu.balanceOf(await treasury.getAddress())).to.equal(600n * AGPU);
      expect(await treasury.totalSpent(agpu)).to.equal(400n * AGPU);
    });

    it("refuses every caller but governance with AccessManagedUnauthorized", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      for (const caller of [accounts.stranger, accounts.deployer, accounts.guardian, accounts.minter]) {
        await expect(treasury.connect(caller).spend(agpu, caller.address, AGPU, GRANT))
          .to.be.revertedWithCustomError(treasury, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
      expect(await agpu.balanceOf(await treasury.getAddress())).to.equal(1_000n * AGPU);
    });

    it("reverts with TreasuryInsufficientBalance beyond what it holds", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      await expect(treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, 1_001n * AGPU, GRANT))
        .to.be.revertedWithCustomError(treasury, "TreasuryInsufficientBalance")
        .withArgs(await agpu.getAddress(), 1_001n * AGPU, 1_000n * AGPU);
    });

    it("reverts with TreasuryZeroAddress and TreasuryZeroAmount on empty input", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      const governor = treasury.connect(accounts.governor);
      await expect(governor.spend(agpu, ethers.ZeroAddress, AGPU, GRANT)).to.be.revertedWithCustomError(
        treasury,
        "TreasuryZeroAddress",
      );
      await expect(
        governor.spend(ethers.ZeroAddress, accounts.carol.address, AGPU, GRANT),
      ).to.be.revertedWithCustomError(treasury, "TreasuryZeroAddress");
      await expect(governor.spend(agpu, accounts.carol.address, 0n, GRANT)).to.be.revertedWithCustomError(
        treasury,
        "TreasuryZeroAmount",
      );
    });

    it("refuses to spend while paused, and spends again once governance unpauses", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      await expect(treasury.connect(accounts.guardian).pause())
        .to.emit(treasury, "Paused")
        .withArgs(accounts.guardian.address);
      await expect(
        treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, AGPU, GRANT),
      ).to.be.revertedWithCustomError(treasury, "EnforcedPause");
      await treasury.connect(accounts.governor).unpause();
      await treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, AGPU, GRANT);
      expect(await agpu.balanceOf(accounts.carol.address)).to.equal(AGPU);
    });
  });

  describe("reentrancy", () => {
    it("refuses a token that calls back into receiveFee while being pulled", async () => {
      const { treasury, accounts } = await loadFixture(deployed);
      const hostile = await ethers.deployContract("ReentrantTokenMock", [], accounts.deployer);
      await hostile.approve(await treasury.getAddress(), 2n * AGPU);
      const callback = treasury.interface.encodeFunctionData("receiveFee", [
        await hostile.getAddress(),
        AGPU,
        SETTLEMENT,
      ]);
      await hostile.arm(await treasury.getAddress(), callback);
      await expect(treasury.receiveFee(hostile, AGPU, SETTLEMENT)).to.be.revertedWithCustomError(
        treasury,
        "ReentrancyGuardReentrantCall",
      );
      expect(await treasury.totalReceived(hostile)).to.equal(0n);
    });
  });

  describe("pausing", () => {
    it("lets only the guardian pause, and only governance unpause", async () => {
      const { treasury, accounts } = await loadFixture(deployed);
      await expect(treasury.connect(accounts.stranger).pause())
        .to.be.revertedWithCustomError(treasury, "AccessManagedUnauthorized")
        .withArgs(accounts.stranger.address);
      await treasury.connect(accounts.guardian).pause();
      await expect(treasury.connect(accounts.guardian).unpause())
        .to.be.revertedWithCustomError(treasury, "AccessManagedUnauthorized")
        .withArgs(accounts.guardian.address);
      await expect(treasury.connect(accounts.governor).unpause())
        .to.emit(treasury, "Unpaused")
        .withArgs(accounts.governor.address);
      expect(await treasury.paused()).to.equal(false);
    });
  });

  describe("initialization", () => {
    it("cannot be initialized twice, nor its implementation at all", async () => {
      const { treasury, accessManager, manifest } = await loadFixture(deployed);
      await expect(treasury.initialize(accessManager)).to.be.revertedWithCustomError(treasury, "InvalidInitialization");
      const implementation = await ethers.getContractAt("Treasury", manifest.contracts.Treasury!.implementation!);
      await expect(implementation.initialize(accessManager)).to.be.revertedWithCustomError(
        implementation,
        "InvalidInitialization",
      );
    });

    it("refuses a zero authority with ProtocolZeroAuthority", async () => {
      const implementation = await ethers.deployContract("Treasury");
      const data = implementation.interface.encodeFunctionData("initialize", [ethers.ZeroAddress]);
      const proxyFactory = await ethers.getContractFactory("ERC1967Proxy");
      await expect(proxyFactory.deploy(implementation, data)).to.be.revertedWithCustomError(
        implementation,
        "ProtocolZeroAuthority",
      );
    });
  });

  describe("upgrades", () => {
    it("upgrades on governance's call, runs the new version's initializer once, and keeps every stored value", async () => {
      const { agpu, treasury, accounts } = await loadFixture(withFees);
      await treasury.connect(accounts.governor).spend(agpu, accounts.carol.address, 100n * AGPU, GRANT);
      const v2Implementation = await ethers.deployContract("TreasuryV2Mock");
      const initialize = v2Implementation.interface.encodeFunctionData("initializeV2", [7n]);

      await expect(treasury.connect(accounts.governor).upgradeToAndCall(v2Implementation, initialize))
        .to.emit(treasury, "Upgraded")
        .withArgs(await v2Implementation.getAddress());

      const v2 = await ethers.getContractAt("TreasuryV2Mock", await treasury.getAddress());
      expect(await v2.version()).to.equal("2");
      expect(await v2.marker()).to.equal(7n);
      expect(await v2.totalReceived(agpu)).to.equal(1_000n * AGPU);
      expect(await v2.totalSpent(agpu)).to.equal(100n * AGPU);
      expect(await v2.authority()).to.equal(await treasury.authority());
      await expect(v2.initializeV2(8n)).to.be.revertedWithCustomError(v2, "InvalidInitialization");
      await expect(v2.connect(accounts.stranger).setMarker(9n))
        .to.be.revertedWithCustomError(v2, "AccessManagedUnauthorized")
        .withArgs(accounts.stranger.address);
      // A function no permission maps is ADMIN's alone: the deployer, on this development deployment.
      await v2.connect(accounts.deployer).setMarker(9n);
      expect(await v2.marker()).to.equal(9n);
      expect(await v2.totalReceived(agpu)).to.equal(1_000n * AGPU);
    });

    it("stores its state at the ERC-7201 slot of starminer.storage.Treasury", async () => {
      const { agpu, treasury } = await loadFixture(withFees);
      const base = erc7201Slot("starminer.storage.Treasury");
      const receivedSlot = mappingSlot(await agpu.getAddress(), base);
      const stored = await ethers.provider.getStorage(await treasury.getAddress(), receivedSlot);
      expect(stored).to.equal(zeroPadValue(toBeHex(1_000n * AGPU), 32));
    });

    it("refuses an upgrade from anyone but governance, the guardian included", async () => {
      const { treasury, accounts } = await loadFixture(deployed);
      const v2Implementation = await ethers.deployContract("TreasuryV2Mock");
      for (const caller of [accounts.guardian, accounts.deployer, accounts.stranger]) {
        await expect(treasury.connect(caller).upgradeToAndCall(v2Implementation, "0x"))
          .to.be.revertedWithCustomError(treasury, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
    });

    it("refuses an implementation that is not UUPS-compatible", async () => {
      const { agpu, treasury, accounts } = await loadFixture(deployed);
      await expect(treasury.connect(accounts.governor).upgradeToAndCall(agpu, "0x"))
        .to.be.revertedWithCustomError(treasury, "ERC1967InvalidImplementation")
        .withArgs(await agpu.getAddress());
    });

    it("refuses upgradeToAndCall made directly on the implementation", async () => {
      const { treasury, manifest, accounts } = await loadFixture(deployed);
      const implementation = await ethers.getContractAt("Treasury", manifest.contracts.Treasury!.implementation!);
      await expect(
        implementation.connect(accounts.governor).upgradeToAndCall(await treasury.getAddress(), "0x"),
      ).to.be.revertedWithCustomError(implementation, "UUPSUnauthorizedCallContext");
    });
  });
});

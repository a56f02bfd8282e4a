import { expect } from "chai";
import type { ParamType } from "ethers";

import { UPGRADEABLE_CONTRACTS } from "../../scripts/lib/upgrades.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const deployed = protocolFixture(connection);

/** A value of `type` for a call that must fail before it reads its arguments. */
function zeroOf(type: ParamType): unknown {
  if (type.baseType === "array") {
    return Array.from({ length: Math.max(type.arrayLength ?? 0, 0) }, () => zeroOf(type.arrayChildren!));
  }
  if (type.baseType === "tuple") return type.components!.map(zeroOf);
  if (type.baseType === "address") return ethers.ZeroAddress;
  if (type.baseType === "bool") return false;
  if (type.baseType.startsWith("bytes"))
    return type.baseType === "bytes" ? "0x" : ethers.zeroPadValue("0x", Number(type.baseType.slice(5)));
  if (type.baseType === "string") return "";
  return 0n;
}

describe("Initialization: every upgradeable contract initializes once, and its implementation never", () => {
  for (const name of UPGRADEABLE_CONTRACTS) {
    it(`${name}: refuses a second initialize on the proxy and any initialize on the implementation`, async () => {
      const { manifest, accounts } = await networkHelpers.loadFixture(deployed);
      const entry = manifest.contracts[name]!;
      expect(entry.implementation, `${name} is not behind a proxy`).to.not.equal(undefined);
      for (const address of [entry.address, entry.implementation!]) {
        const contract = await ethers.getContractAt(name, address);
        const initialize = contract.interface.getFunction("initialize")!;
        const args = initialize.inputs.map(zeroOf);
        await expect(
          contract.connect(accounts.stranger).getFunction("initialize")(...args),
        ).to.be.revertedWithCustomError(contract, "InvalidInitialization");
      }
    });
  }
});

/**
 * The error each contract raises when wired to the zero address. Every upgradeable contract whose initializer takes
 * addresses besides its authority is listed, with that error: a dependency left at zero would brick the contract at
 * its first call, or make it trust calls from no one in particular.
 */
const ZERO_DEPENDENCY_ERRORS: Partial<Record<(typeof UPGRADEABLE_CONTRACTS)[number], string>> = {
  Staking: "StakingZeroAddress",
  NodeRegistry: "RegistryZeroValue",
  OracleHub: "OracleZeroAddress",
  PricingEngine: "PricingZeroAddress",
  CapabilityRegistrar: "CapabilityZeroAddress",
  JobMarket: "MarketZeroAddress",
  VerificationHub: "HubZeroAddress",
};

/** Each address argument of `initialize` after the authority, as a path: [argument] or [argument, element]. */
function dependencyPaths(inputs: readonly ParamType[]): number[][] {
  return inputs.flatMap((input, i): number[][] => {
    if (i === 0) return [];
    if (input.baseType === "address") return [[i]];
    if (input.baseType === "array" && input.arrayChildren!.baseType === "address" && input.arrayLength! > 0) {
      return Array.from({ length: input.arrayLength! }, (_, j) => [i, j]);
    }
    return [];
  });
}

describe("Initialization: no contract can be wired to the zero address", () => {
  // BridgeGateway's initializer takes more than addresses; its own specifications name each refusal.
  for (const name of UPGRADEABLE_CONTRACTS.filter((n) => n !== "BridgeGateway")) {
    it(`${name}: refuses each dependency at zero`, async () => {
      const { manifest, accounts } = await networkHelpers.loadFixture(deployed);
      const implementation = await ethers.getContractAt(name, manifest.contracts[name]!.implementation!);
      const initialize = implementation.interface.getFunction("initialize")!;
      const paths = dependencyPaths(initialize.inputs);
      const error = ZERO_DEPENDENCY_ERRORS[name];
      if (paths.length === 0) {
        expect(error, `${name} takes no dependency: remove it from the list`).to.equal(undefined);
        return;
      }
      expect(error, `${name} takes dependencies: name its zero-address error`).to.not.equal(undefined);
      // Any address will do for the other dependencies: the checks come before any of them is called.
      const some = accounts.stranger.address;
      const authority = manifest.contracts.AccessManager!.address;
      for (const path of paths) {
        const args: unknown[] = initialize.inputs.map((input, i) =>
          i === 0
            ? authority
            : input.baseType === "array"
              ? Array.from({ length: input.arrayLength! }, () => some)
              : some,
        );
        if (path.length === 1) args[path[0]!] = ethers.ZeroAddress;
        else (args[path[0]!] as string[])[path[1]!] = ethers.ZeroAddress;
        const data = implementation.interface.encodeFunctionData(initialize, args);
        await expect(
          ethers.deployContract("ERC1967Proxy", [await implementation.getAddress(), data]),
          `${name}.initialize with argument ${path.join(".")} at zero`,
        ).to.be.revertedWithCustomError(implementation, error!);
      }
    });
  }

  for (const [name, error] of [
    ["JobMarketLens", "LensZeroAddress"],
    ["ComputeCommitmentWorkload", "WorkloadZeroAddress"],
    ["DenseLayerWorkload", "WorkloadZeroAddress"],
    ["DigitsMlpWorkload", "WorkloadZeroAddress"],
  ] as const) {
    it(`${name}: refuses to be built on the zero address`, async () => {
      const factory = await ethers.getContractFactory(name);
      await expect(ethers.deployContract(name, [ethers.ZeroAddress])).to.be.revertedWithCustomError(factory, error);
    });
  }
});

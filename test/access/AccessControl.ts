import { expect } from "chai";
import { Contract, type InterfaceAbi, type ParamType } from "ethers";
import type { Abi } from "viem";

import { OPEN_FUNCTIONS, PERMISSIONS, type PermissionedContract, selectorOf } from "../../scripts/lib/permissions.js";
import { LABELLED_ROLES, Role } from "../../scripts/lib/roles.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const deployed = protocolFixture(connection);

/** A plausible value of an ABI type, good enough to reach the access check that every restricted function runs first. */
function sampleArgument(type: ParamType): unknown {
  if (type.baseType === "tuple") return (type.components ?? []).map(sampleArgument);
  if (type.baseType === "array") {
    const child = type.arrayChildren;
    if (child === null) throw new Error(`array ${type.format()} has no element type`);
    return Array.from({ length: type.arrayLength === -1 ? 1 : (type.arrayLength ?? 1) }, () => sampleArgument(child));
  }
  if (type.baseType === "address") return "0x000000000000000000000000000000000000dEaD";
  if (type.baseType.startsWith("uint") || type.baseType.startsWith("int")) return 1n;
  if (type.baseType === "bool") return true;
  if (type.baseType === "bytes") return "0x";
  if (type.baseType.startsWith("bytes")) return ethers.zeroPadValue("0x01", Number(type.baseType.slice(5)));
  if (type.baseType === "string") return "x";
  throw new Error(`no sample argument for ${type.format()}`);
}

describe("Access control", () => {
  describe("the AccessManager", () => {
    it("labels every protocol role on-chain", async () => {
      const { accessManager } = await loadFixture(deployed);
      const labels = await accessManager.queryFilter(accessManager.filters.RoleLabel());
      const labelled = new Map(labels.map((event) => [event.args.roleId, event.args.label]));
      for (const name of LABELLED_ROLES) expect(labelled.get(Role[name])).to.equal(name);
    });

    it("gives the guardian and governor roles to the accounts named at deployment", async () => {
      const { accessManager, accounts } = await loadFixture(deployed);
      const [guardianHasRole] = await accessManager.hasRole(Role.GUARDIAN, accounts.guardian.address);
      const [governorHasRole] = await accessManager.hasRole(Role.GOVERNOR, accounts.governor.address);
      const [strangerIsGuardian] = await accessManager.hasRole(Role.GUARDIAN, accounts.stranger.address);
      expect([guardianHasRole, governorHasRole, strangerIsGuardian]).to.deep.equal([true, true, false]);
    });

    it("lets no one but its admin grant roles", async () => {
      const { accessManager, accounts } = await loadFixture(deployed);
      for (const caller of [accounts.guardian, accounts.governor, accounts.stranger]) {
        await expect(accessManager.connect(caller).grantRole(Role.GOVERNOR, caller.address, 0))
          .to.be.revertedWithCustomError(accessManager, "AccessManagerUnauthorizedAccount")
          .withArgs(caller.address, Role.ADMIN);
      }
    });
  });

  for (const [contractName, functions] of Object.entries(PERMISSIONS) as [
    PermissionedContract,
    Record<string, bigint>,
  ][]) {
    describe(`${contractName}`, () => {
      for (const [functionName, role] of Object.entries(functions)) {
        it(`maps ${functionName} to ${Object.keys(Role).find((name) => Role[name as keyof typeof Role] === role)} and refuses an unprivileged caller`, async () => {
          const { manifest, accessManager, accounts } = await loadFixture(deployed);
          const entry = manifest.contracts[contractName]!;
          const selector = selectorOf(entry.abi as Abi, contractName, functionName);
          expect(await accessManager.getTargetFunctionRole(entry.address, selector)).to.equal(role);

          const contract = new Contract(entry.address, entry.abi as InterfaceAbi, accounts.stranger);
          const fragment = contract.interface.getFunction(functionName);
          if (fragment === null) throw new Error(`${contractName} has no function ${functionName}`);
          const call = contract.getFunction(functionName);
          await expect(call(...fragment.inputs.map(sampleArgument)))
            .to.be.revertedWithCustomError(contract, "AccessManagedUnauthorized")
            .withArgs(accounts.stranger.address);
        });
      }
    });
  }

  it("lets only the AccessManager itself move a managed contract to another authority", async () => {
    const { manifest, accounts } = await loadFixture(deployed);
    for (const contractName of Object.keys(PERMISSIONS) as PermissionedContract[]) {
      const entry = manifest.contracts[contractName]!;
      const contract = new Contract(entry.address, entry.abi as InterfaceAbi, accounts.deployer);
      await expect(contract.getFunction("setAuthority")(accounts.stranger.address), contractName)
        .to.be.revertedWithCustomError(contract, "AccessManagedUnauthorized")
        .withArgs(accounts.deployer.address);
    }
  });

  it("restricts every state-changing function of a managed contract, or knows it is public", async () => {
    const { manifest } = await loadFixture(deployed);
    for (const contractName of Object.keys(PERMISSIONS) as PermissionedContract[]) {
      const abi = manifest.contracts[contractName]!.abi;
      const writers = abi
        .filter(
          (item) => item.type === "function" && item.stateMutability !== "view" && item.stateMutability !== "pure",
        )
        .map((item) => (item as { name: string }).name)
        .sort();
      const covered = [...Object.keys(PERMISSIONS[contractName]), ...OPEN_FUNCTIONS[contractName]].sort();
      expect(writers, contractName).to.deep.equal(covered);
    }
  });
});

import { expect } from "chai";
import { Contract, type InterfaceAbi, type ParamType } from "ethers";
import { type Abi, type Address, createPublicClient, custom } from "viem";

import { deployRemoteBridge } from "../../scripts/deploy/protocol.js";
import { checkHandover } from "../../scripts/lib/governance.js";
import type { DeploymentManifest } from "../../scripts/lib/manifest.js";
import { OPEN_FUNCTIONS, PERMISSIONS, type PermissionedContract, selectorOf } from "../../scripts/lib/permissions.js";
import { LABELLED_ROLES, Role } from "../../scripts/lib/roles.js";
import { expectRejection } from "../support/assertions.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const protocol = protocolFixture(connection);

/** The protocol, and beside it on the same chain a remote chain's side paired with it (as if home were chain 1). */
async function deployed() {
  const home = await protocol();
  const remote = await deployRemoteBridge(connection, {
    home: { ...home.manifest, chainId: 1 },
    deploymentId: "access-remote",
    manifestDir: null,
  });
  const remoteManager = await ethers.getContractAt("AccessManager", remote.manifest.contracts.AccessManager!.address);
  return { ...home, remoteManifest: remote.manifest, remoteManager };
}

const viemClient = () => createPublicClient({ transport: custom(connection.provider) });

/** Each permissioned contract of each side: the protocol's manifest, then the remote chain's. */
async function permissionedContracts(sides: Awaited<ReturnType<typeof deployed>>) {
  const found: { side: string; manifest: DeploymentManifest; contractName: PermissionedContract }[] = [];
  for (const [side, manifest] of [
    ["home", sides.manifest],
    ["remote", sides.remoteManifest],
  ] as const) {
    for (const contractName of Object.keys(PERMISSIONS) as PermissionedContract[]) {
      if (manifest.contracts[contractName] !== undefined) found.push({ side, manifest, contractName });
    }
  }
  return found;
}

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

  describe("a remote chain", () => {
    it("lets its gateway alone mint and burn BridgedAGPU, and pairs the gateway with home", async () => {
      const { remoteManifest, remoteManager, manifest } = await loadFixture(deployed);
      const gateway = await ethers.getContractAt("BridgeGateway", remoteManifest.contracts.BridgeGateway!.address);
      const grants = await remoteManager.queryFilter(remoteManager.filters.RoleGranted(Role.BRIDGE_MINTER));
      expect(grants.map((event) => event.args.account)).to.deep.equal([await gateway.getAddress()]);
      expect(await gateway.counterpartOf(1)).to.equal(manifest.contracts.BridgeGateway!.address);
      expect(await gateway.mode()).to.equal(1n);
      expect(await gateway.token()).to.equal(remoteManifest.contracts.BridgedAGPU!.address);
    });

    it("hands ADMIN and GOVERNOR to the governing contract, leaving the deployer nothing", async () => {
      const { manifest, accounts } = await loadFixture(deployed);
      // Any contract stands in for the remote chain's multisig or timelock.
      const governingContract = manifest.contracts.ProtocolTimelock!.address;
      const remote = await deployRemoteBridge(connection, {
        home: { ...manifest, chainId: 1 },
        deploymentId: "access-remote-handed-over",
        manifestDir: null,
        governor: governingContract,
        parameters: { RemoteBridge: { guardian: accounts.guardian.address } },
      });
      const manager = await ethers.getContractAt("AccessManager", remote.manifest.contracts.AccessManager!.address);
      const holds = async (role: bigint, account: string) => (await manager.hasRole(role, account))[0];
      expect(await holds(Role.ADMIN, governingContract)).to.equal(true);
      expect(await holds(Role.GOVERNOR, governingContract)).to.equal(true);
      expect(await holds(Role.ADMIN, accounts.deployer.address)).to.equal(false);
      expect(await holds(Role.GOVERNOR, accounts.deployer.address)).to.equal(false);
      expect(await checkHandover(viemClient(), remote.manifest, { governance: governingContract })).to.deep.equal([]);
    });

    it("refuses a governor that is not a contract, the deployer as guardian, and a remote chain that is home", async () => {
      const { manifest, accounts } = await loadFixture(deployed);
      await expectRejection(
        deployRemoteBridge(connection, {
          home: { ...manifest, chainId: 1 },
          deploymentId: "access-remote-deployer-guardian",
          manifestDir: null,
          governor: manifest.contracts.ProtocolTimelock!.address,
          parameters: { RemoteBridge: { guardian: accounts.deployer.address } },
        }),
        /^RemoteBridge\.guardian is the deployer: name the security multisig that may pause the gateway$/,
      );
      await expectRejection(
        deployRemoteBridge(connection, {
          home: { ...manifest, chainId: 1 },
          deploymentId: "access-remote-eoa",
          manifestDir: null,
          governor: accounts.governor.address as Address,
        }),
        /^the remote governor 0x[0-9a-fA-F]{40} is not a contract on chain 31337$/,
      );
      await expectRejection(
        deployRemoteBridge(connection, { home: manifest, deploymentId: "access-remote-same", manifestDir: null }),
        /^the remote chain must differ from the home chain \(both are chain 31337\)$/,
      );
    });
  });

  for (const [contractName, functions] of Object.entries(PERMISSIONS) as [
    PermissionedContract,
    Record<string, bigint>,
  ][]) {
    describe(`${contractName}`, () => {
      for (const [functionName, role] of Object.entries(functions)) {
        it(`maps ${functionName} to ${Object.keys(Role).find((name) => Role[name as keyof typeof Role] === role)} and refuses an unprivileged caller`, async () => {
          const sides = await loadFixture(deployed);
          const { accounts } = sides;
          const deployments = [
            { manifest: sides.manifest, accessManager: sides.accessManager },
            { manifest: sides.remoteManifest, accessManager: sides.remoteManager },
          ].filter(({ manifest }) => manifest.contracts[contractName] !== undefined);
          expect(deployments, `${contractName} is deployed nowhere`).to.not.be.empty;
          for (const { manifest, accessManager } of deployments) {
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
          }
        });
      }
    });
  }

  it("lets only the AccessManager itself move a managed contract to another authority", async () => {
    const sides = await loadFixture(deployed);
    const { accounts } = sides;
    for (const { side, manifest, contractName } of await permissionedContracts(sides)) {
      const entry = manifest.contracts[contractName]!;
      const contract = new Contract(entry.address, entry.abi as InterfaceAbi, accounts.deployer);
      await expect(contract.getFunction("setAuthority")(accounts.stranger.address), `${side} ${contractName}`)
        .to.be.revertedWithCustomError(contract, "AccessManagedUnauthorized")
        .withArgs(accounts.deployer.address);
    }
  });

  it("restricts every state-changing function of a managed contract, or knows it is public", async () => {
    for (const { manifest, contractName } of await permissionedContracts(await loadFixture(deployed))) {
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

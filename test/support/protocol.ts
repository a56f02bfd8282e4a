import { network } from "hardhat";

import { deployProtocol } from "../../scripts/deploy/protocol.js";
import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role } from "../../scripts/lib/roles.js";

/** One in-process chain per test file, as Hardhat 3 recommends; fixtures snapshot and restore it. */
export type Connection = Awaited<ReturnType<typeof network.create>>;

export async function connect(): Promise<Connection> {
  return network.create();
}

/**
 * The whole protocol deployed through the same Ignition modules and manifest code as production, with each
 * authority held by a different account so that tests can tell them apart.
 */
export function protocolFixture(connection: Connection) {
  const { ethers } = connection;
  return async function deployedProtocol() {
    const [deployer, guardian, governor, minter, alice, bob, carol, stranger] = await ethers.getSigners();
    if (
      deployer === undefined ||
      guardian === undefined ||
      governor === undefined ||
      minter === undefined ||
      alice === undefined ||
      bob === undefined ||
      carol === undefined ||
      stranger === undefined
    ) {
      throw new Error("the test network needs at least 8 accounts");
    }
    const { manifest } = await deployProtocol(connection, {
      manifestDir: null,
      parameters: { Authority: { guardian: guardian.address, governor: governor.address } },
    });
    const addressOf = (name: string) => manifestContract(manifest, name).address;
    const accessManager = await ethers.getContractAt("AccessManager", addressOf("AccessManager"));
    const agpu = await ethers.getContractAt("AGPU", addressOf("AGPU"));
    const amax = await ethers.getContractAt("AMAX", addressOf("AMAX"));
    const treasury = await ethers.getContractAt("Treasury", addressOf("Treasury"));
    const staking = await ethers.getContractAt("Staking", addressOf("Staking"));
    const nodeRegistry = await ethers.getContractAt("NodeRegistry", addressOf("NodeRegistry"));
    const reputation = await ethers.getContractAt("Reputation", addressOf("Reputation"));
    await accessManager.connect(deployer).grantRole(Role.EMISSIONS_MINTER, minter.address, 0);

    return {
      manifest,
      accessManager,
      agpu,
      amax,
      treasury,
      staking,
      nodeRegistry,
      reputation,
      accounts: { deployer, guardian, governor, minter, alice, bob, carol, stranger },
    };
  };
}

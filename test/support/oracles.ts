import { NodeRole, providerMetadata } from "./nodes.js";
import { type Connection, type Protocol, spareSigners } from "./protocol.js";

/**
 * Registers `count` of the accounts the protocol fixture leaves unnamed (after the first `skip` of them) as oracle
 * nodes in eu-west, each with the Oracle minimum staked, and returns their signers.
 */
export async function registerOracles(connection: Connection, protocol: Protocol, count: number, skip = 0) {
  const { agpu, staking, nodeRegistry, accounts } = protocol;
  const oracles = await spareSigners(connection, protocol, count, skip);
  const minimum = await staking.minimumStake(NodeRole.ORACLE);
  for (const [index, oracle] of oracles.entries()) {
    await agpu.connect(accounts.deployer).transfer(oracle.address, minimum);
    await agpu.connect(oracle).approve(await staking.getAddress(), minimum);
    await staking.connect(oracle).stake(minimum);
    const metadata = providerMetadata({ gpuModel: "", vramMiB: 0, computeCapability: 0, tflopsCenti: 0 });
    await nodeRegistry
      .connect(oracle)
      .register(NodeRole.ORACLE, { ...metadata, endpoint: `https://oracle-${index}.example` });
  }
  return oracles;
}

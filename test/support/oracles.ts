import { NodeRole, serviceNodeMetadata } from "./nodes.js";
import { type Connection, type Protocol, type Signer, freshSigner, spareSigners, stakeFrom } from "./protocol.js";

/**
 * Registers `count` of the accounts the protocol fixture leaves unnamed (after the first `skip` of them) as oracle
 * nodes in eu-west, each with the Oracle minimum staked, and returns their signers.
 */
export async function registerOracles(connection: Connection, protocol: Protocol, count: number, skip = 0) {
  return registerAsOracles(protocol, await spareSigners(connection, protocol, count, skip));
}

/**
 * `count` new accounts (beyond the test network's own, which a market fixture mostly uses) registered as oracle
 * nodes like `registerOracles`'.
 */
export async function registerFreshOracles(connection: Connection, protocol: Protocol, count: number) {
  const signers: Signer[] = [];
  for (let i = 0; i < count; i++) signers.push(await freshSigner(connection));
  return registerAsOracles(protocol, signers);
}

async function registerAsOracles(protocol: Protocol, oracles: Signer[]) {
  const { staking, nodeRegistry } = protocol;
  const minimum = await staking.minimumStake(NodeRole.ORACLE);
  for (const [index, oracle] of oracles.entries()) {
    await stakeFrom(protocol, oracle, minimum);
    await nodeRegistry
      .connect(oracle)
      .register(NodeRole.ORACLE, serviceNodeMetadata({ endpoint: `https://oracle-${index}.example` }));
  }
  return oracles;
}

/** Governance makes `oracles` the set that reports `feedId`, with `quorum` (a strict majority of it). */
export async function setFeedOracles(protocol: Protocol, feedId: string, oracles: Signer[], quorum: number) {
  const { oracleHub, accounts } = protocol;
  await oracleHub.connect(accounts.governor).setFeedOracles(
    feedId,
    oracles.map((oracle) => oracle.address),
    quorum,
  );
}

/**
 * A fixture for `loadFixture`: the deployed protocol with five registered, staked oracles as the set of `feedId`,
 * quorum three; no round yet. Call it once per test file so that the fixture keeps its identity.
 */
export function feedOraclesFixture(connection: Connection, deployed: () => Promise<Protocol>, feedId: string) {
  return async function withOracles() {
    const protocol = await deployed();
    const oracles = await registerOracles(connection, protocol, 5);
    await setFeedOracles(protocol, feedId, oracles, 3);
    return { ...protocol, oracles };
  };
}

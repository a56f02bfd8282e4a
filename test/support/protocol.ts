import { Wallet } from "ethers";
import { network } from "hardhat";

import { deployProtocol } from "../../scripts/deploy/protocol.js";
import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role } from "../../scripts/lib/roles.js";

/** One in-process chain per test file, as Hardhat 3 recommends; fixtures snapshot and restore it. */
export type Connection = Awaited<ReturnType<typeof network.create>>;

/** An account of the test network. */
export type Signer = Awaited<ReturnType<Connection["ethers"]["getSigners"]>>[number];

/** What the protocol fixture returns: every contract, typed, and the named accounts. */
export type Protocol = Awaited<ReturnType<ReturnType<typeof protocolFixture>>>;

/**
 * `count` of the accounts the protocol fixture leaves unnamed, after the first `skip` of them; throws when the test
 * network has too few.
 */
export async function spareSigners(connection: Connection, protocol: Protocol, count: number, skip = 0) {
  const spare = (await connection.ethers.getSigners()).slice(Object.keys(protocol.accounts).length + skip);
  if (spare.length < count) throw new Error(`the test network has only ${spare.length} spare accounts`);
  return spare.slice(0, count);
}

/** A new account beyond the test network's own, with ETH for gas, signed for by the chain (impersonated). */
export async function freshSigner(connection: Connection): Promise<Signer> {
  const address = Wallet.createRandom().address;
  await connection.networkHelpers.setBalance(address, 1_000n * 10n ** 18n);
  return connection.ethers.getImpersonatedSigner(address);
}

/**
 * Governance holds the price of every zone at `price` per GPU-hour (floor, ceiling and starting price alike), keeping
 * the other market parameters; without `price`, at the starting price.
 */
export async function pinPrice(protocol: Protocol, price?: bigint) {
  const { pricingEngine, accounts } = protocol;
  const p = await pricingEngine.marketParameters();
  const pinned = price ?? p.initialPrice;
  await pricingEngine.connect(accounts.governor).setMarketParameters({
    epochDuration: p.epochDuration,
    targetUtilisationBps: p.targetUtilisationBps,
    maxStepBps: p.maxStepBps,
    milliKwhPerGpuHour: p.milliKwhPerGpuHour,
    minPrice: pinned,
    maxPrice: pinned,
    initialPrice: pinned,
  });
}

/** Gives `node` `amount` AGPU from the deployer and stakes all of it. */
export async function stakeFrom(protocol: Protocol, node: Signer, amount: bigint) {
  const { agpu, staking, accounts } = protocol;
  await agpu.connect(accounts.deployer).transfer(node.address, amount);
  await agpu.connect(node).approve(await staking.getAddress(), amount);
  await staking.connect(node).stake(amount);
}

export async function connect(): Promise<Connection> {
  return network.create();
}

/** Where a fixture deploys when it is not the in-process chain: a journal id and a manifest directory. */
export interface FixtureDeployment {
  readonly deploymentId?: string;
  /** Where to write the manifest (by default it is kept in memory only). */
  readonly manifestDir?: string;
  /** Forget the journal of `deploymentId` first (a restarted node). */
  readonly reset?: boolean;
}

/**
 * The whole protocol deployed through the same Ignition modules and manifest code as production, with each
 * authority held by a different account so that tests can tell them apart.
 */
export function protocolFixture(connection: Connection, deployment: FixtureDeployment = {}) {
  const { ethers } = connection;
  return async function deployedProtocol() {
    const signers = await ethers.getSigners();
    const names = [
      "deployer",
      "guardian",
      "governor",
      "minter",
      "market",
      "attester",
      "verifier",
      "alice",
      "bob",
      "carol",
      "stranger",
    ] as const;
    if (signers.length < names.length) throw new Error(`the test network needs at least ${names.length} accounts`);
    const accounts = Object.fromEntries(names.map((name, index) => [name, signers[index]!])) as Record<
      (typeof names)[number],
      (typeof signers)[number]
    >;
    const { deployer, guardian, governor } = accounts;
    const { manifest } = await deployProtocol(connection, {
      manifestDir: deployment.manifestDir ?? null,
      reset: deployment.reset === true,
      // The deployer keeps ADMIN so that the fixture can grant stand-in roles; the governance tests hand over.
      handOver: false,
      ...(deployment.deploymentId === undefined ? {} : { deploymentId: deployment.deploymentId }),
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
    const oracleHub = await ethers.getContractAt("OracleHub", addressOf("OracleHub"));
    const pricingEngine = await ethers.getContractAt("PricingEngine", addressOf("PricingEngine"));
    const capabilityRegistrar = await ethers.getContractAt("CapabilityRegistrar", addressOf("CapabilityRegistrar"));
    const capabilityVerifier = await ethers.getContractAt("CapabilityVerifier", addressOf("CapabilityVerifier"));
    const verificationHub = await ethers.getContractAt("VerificationHub", addressOf("VerificationHub"));
    const jobMarket = await ethers.getContractAt("JobMarket", addressOf("JobMarket"));
    const jobMarketLens = await ethers.getContractAt("JobMarketLens", addressOf("JobMarketLens"));
    // Stand-ins beside the contracts that hold these roles, so that unit tests of one contract can call it
    // directly; the job market and the verification hub hold their own grants from the deployment.
    const grants: [bigint, string][] = [
      [Role.EMISSIONS_MINTER, accounts.minter.address],
      [Role.COLLATERAL_MANAGER, accounts.market.address],
      [Role.SLASHER, accounts.market.address],
      [Role.REPUTATION_WRITER, accounts.market.address],
      [Role.DEMAND_REPORTER, accounts.market.address],
      [Role.ATTESTER, accounts.attester.address],
      [Role.CAPABILITY_VERIFIER, accounts.verifier.address],
    ];
    for (const [role, account] of grants) await accessManager.connect(deployer).grantRole(role, account, 0);

    return {
      manifest,
      accessManager,
      agpu,
      amax,
      treasury,
      staking,
      nodeRegistry,
      reputation,
      oracleHub,
      pricingEngine,
      capabilityRegistrar,
      capabilityVerifier,
      verificationHub,
      jobMarket,
      jobMarketLens,
      accounts,
    };
  };
}

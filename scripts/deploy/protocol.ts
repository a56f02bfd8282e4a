import { rm } from "node:fs/promises";
import { join } from "node:path";

import type { DeploymentParameters, IgnitionModule, IgnitionModuleResult } from "@nomicfoundation/ignition-core";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import {
  type Abi,
  type Address,
  type PublicClient,
  createPublicClient,
  custom,
  getAddress,
  hexToBigInt,
  numberToHex,
} from "viem";

import { VESTING_RESULT_PREFIX, productionModule } from "../../ignition/modules/Production.js";
import ProtocolModule from "../../ignition/modules/Protocol.js";
import RemoteBridgeModule from "../../ignition/modules/RemoteBridge.js";
import RemoteHandoverModule from "../../ignition/modules/RemoteHandover.js";
import {
  type DeploymentManifest,
  MANIFEST_VERSION,
  type ManifestContract,
  manifestContract,
  writeManifest,
} from "../lib/manifest.js";
import { checkProductionKeys } from "./ceremony.js";
import { type ProtocolParameters, checkProductionParameters } from "./production.js";

/** keccak256("eip1967.proxy.implementation") - 1 */
const ERC1967_IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

export interface DeployProtocolOptions {
  /**
   * Ignition parameters, keyed by module id (`Authority`, `Tokens`, ...), and for a production deployment the
   * genesis `Distribution` (see `scripts/deploy/distribution.ts`).
   */
  readonly parameters?: ProtocolParameters;
  /** Ignition's deployment id; defaults to `chain-<chainId>`. */
  readonly deploymentId?: string;
  /** Where to write the manifest; `null` keeps it in memory only. */
  readonly manifestDir?: string | null;
  /**
   * Forget Ignition's journal of this deployment first and deploy afresh. For a local chain that was restarted:
   * its old journal describes contracts the new chain does not have.
   */
  readonly reset?: boolean;
  /**
   * A production deployment (the default): checked first (`checkProductionParameters`: a guardian that is not the
   * deployer, a genesis distribution of every token, the bridge's validators; `checkProductionKeys`: ZK keys from a
   * verified multi-party setup), it ends with the genesis
   * distribution and the handover, the deployer revoking its own GOVERNOR role and renouncing ADMIN, leaving them
   * to the Timelock. `false` keeps both and every genesis token with the deployer: a development chain, or a
   * test's fixture.
   */
  readonly handOver?: boolean;
}

export interface DeployedProtocol {
  readonly manifest: DeploymentManifest;
  /** Where the manifest was written, if it was. */
  readonly manifestPath?: string;
}

/** Deploys (or resumes deploying) the whole protocol with Ignition on `connection`, then writes its manifest. */
export async function deployProtocol<ChainTypeT extends string>(
  connection: NetworkConnection<ChainTypeT>,
  options: DeployProtocolOptions = {},
): Promise<DeployedProtocol> {
  const { Distribution: _, Ceremony: __, ...rest } = options.parameters ?? {};
  // Ignition checks each module's parameters itself when it deploys.
  const parameters = rest as DeploymentParameters;
  return deployWithManifest(connection, options, async (deployer, chainId) => {
    if (options.handOver === false) {
      // A development deployment's bridge is validated by the deployer alone unless the parameters say otherwise.
      return {
        module: ProtocolModule,
        parameters: { ...parameters, Bridge: { validators: [deployer], threshold: 1n, ...parameters.Bridge } },
      };
    }
    const plan = checkProductionParameters(options.parameters ?? {}, deployer);
    await checkProductionKeys(options.parameters?.Ceremony, chainId);
    return { module: productionModule(plan.distribution), parameters };
  });
}

export interface DeployRemoteBridgeOptions extends Omit<DeployProtocolOptions, "handOver"> {
  /** The home chain's manifest: its chain id and BridgeGateway pair the remote gateway with home. */
  readonly home: DeploymentManifest;
  /**
   * The contract that governs StarMiner on the remote chain: with it, the deployment ends by handing it ADMIN and
   * GOVERNOR (RemoteHandover). Without it, the deployer keeps both: a development chain.
   */
  readonly governor?: Address;
}

/**
 * Deploys (or resumes) StarMiner's remote side on `connection` — its AccessManager, BridgedAGPU and a Remote-mode
 * BridgeGateway paired with the home gateway — and writes that chain's manifest.
 */
export async function deployRemoteBridge<ChainTypeT extends string>(
  connection: NetworkConnection<ChainTypeT>,
  options: DeployRemoteBridgeOptions,
): Promise<DeployedProtocol> {
  const homeGateway = manifestContract(options.home, "BridgeGateway").address;
  const module = options.governor === undefined ? RemoteBridgeModule : RemoteHandoverModule;
  const parameters = (options.parameters ?? {}) as DeploymentParameters;
  return deployWithManifest(connection, options, async (deployer, chainId, client) => {
    if (chainId === options.home.chainId) {
      throw new Error(`the remote chain must differ from the home chain (both are chain ${chainId})`);
    }
    if (options.governor !== undefined) {
      const guardian = (parameters.RemoteBridge as { guardian?: unknown } | undefined)?.guardian;
      if (typeof guardian === "string" && guardian.toLowerCase() === deployer.toLowerCase()) {
        throw new Error("RemoteBridge.guardian is the deployer: name the security multisig that may pause the gateway");
      }
      const code = await client.getCode({ address: options.governor });
      if (code === undefined || code === "0x") {
        throw new Error(`the remote governor ${options.governor} is not a contract on chain ${chainId}`);
      }
    }
    return {
      module,
      parameters: {
        ...parameters,
        RemoteBridge: {
          validators: [deployer],
          threshold: 1n,
          ...parameters.RemoteBridge,
          homeChainId: BigInt(options.home.chainId),
          homeGateway,
        },
        ...(options.governor === undefined ? {} : { RemoteHandover: { governor: options.governor } }),
      },
    };
  });
}

/** The module to deploy and its parameters, chosen once the deployer and the chain are known. */
interface DeploymentPlan {
  readonly module: IgnitionModule<string, string, IgnitionModuleResult<string>>;
  readonly parameters: DeploymentParameters;
}

/**
 * Deploys the module `prepare` chooses with Ignition and lists every contract it returns in the chain's manifest,
 * under its contract name (a contract with an ERC-1967 implementation slot is a proxy and is listed with its
 * implementation), and the vesting wallets of a genesis distribution by label.
 */
async function deployWithManifest<ChainTypeT extends string>(
  connection: NetworkConnection<ChainTypeT>,
  options: Omit<DeployProtocolOptions, "handOver">,
  prepare: (deployer: Address, chainId: number, client: PublicClient) => Promise<DeploymentPlan>,
): Promise<DeployedProtocol> {
  const client = createPublicClient({ transport: custom(connection.provider) });
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch {
    throw new Error(`cannot reach network "${connection.networkName}": is its node running and its RPC URL right?`);
  }
  const [deployer] = (await connection.provider.request({ method: "eth_accounts" })) as Address[];
  if (deployer === undefined) throw new Error("the network has no account to deploy from");
  // Checked before anything is touched: a refused deployment leaves the journal and the chain as they were.
  const { module, parameters } = await prepare(getAddress(deployer), chainId, client);
  const firstCandidateBlock = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  if (options.reset === true && connection.networkConfig.type !== "edr-simulated") {
    await rm(join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
  }

  const deployed = (await connection.ignition.deploy(module, {
    parameters,
    deploymentId,
    displayUi: false,
  })) as Record<string, { getAddress(): Promise<string> }>;

  const contracts: Record<string, ManifestContract> = {};
  const vesting: Record<string, Address> = {};
  for (const [key, future] of Object.entries(module.results)) {
    const address = getAddress(await deployed[key]!.getAddress());
    if (key.startsWith(VESTING_RESULT_PREFIX)) {
      vesting[key.slice(VESTING_RESULT_PREFIX.length)] = address;
      continue;
    }
    const code = await client.getCode({ address });
    if (code === undefined || code === "0x") {
      throw new Error(
        `${future.contractName} at ${address} has no code on chain ${chainId}: Ignition's journal ` +
          `"${deploymentId}" describes another chain (was a local node restarted?); deploy again with a reset`,
      );
    }
    const artifact = await hre.artifacts.readArtifact(future.contractName);
    const implementation = await readImplementation(client, address);
    contracts[future.contractName] = {
      name: future.contractName,
      address,
      startBlock: await findCreationBlock(client, address, firstCandidateBlock),
      artifact: `${artifact.sourceName}:${artifact.contractName}`,
      ...(implementation === undefined ? {} : { implementation }),
      abi: artifact.abi as Abi,
    };
  }

  const manifest: DeploymentManifest = {
    version: MANIFEST_VERSION,
    chainId,
    deployer: getAddress(deployer),
    deployedAt: new Date().toISOString(),
    ignitionDeploymentId: deploymentId,
    contracts,
    ...(Object.keys(vesting).length === 0 ? {} : { vesting }),
  };
  if (options.manifestDir === null) return { manifest };
  return { manifest, manifestPath: await writeManifest(manifest, options.manifestDir) };
}

/**
 * The first block at which `address` has code, found by bisection over historical state. `hint` is a block
 * near the deployment: the search looks after it, or before it when a resumed deployment created the contract
 * earlier. On a node without historical state it returns `hint`, the lowest block it can vouch for.
 */
export async function findCreationBlock(client: PublicClient, address: Address, hint: number): Promise<number> {
  // A raw request: viem's getCode reads `blockNumber: 0n` as "latest".
  const hasCode = async (block: number) => {
    const code = await client.request({ method: "eth_getCode", params: [address, numberToHex(block)] });
    return code !== "0x";
  };
  // Invariant: `low` has no code (-1 stands for "before genesis"), `high` has code.
  let low: number;
  let high: number;
  try {
    if (await hasCode(hint)) {
      low = -1;
      high = hint;
    } else {
      low = hint;
      high = Number(await client.getBlockNumber({ cacheTime: 0 }));
    }
  } catch {
    return hint;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await hasCode(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** The implementation behind an ERC-1967 proxy, or undefined when `address` is not one. */
async function readImplementation(client: PublicClient, address: Address): Promise<Address | undefined> {
  const word = await client.getStorageAt({ address, slot: ERC1967_IMPLEMENTATION_SLOT });
  if (word === undefined || hexToBigInt(word) === 0n) return undefined;
  return getAddress(numberToHex(hexToBigInt(word), { size: 20 }));
}

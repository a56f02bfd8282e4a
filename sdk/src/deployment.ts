import { type Abi, type Address, getAddress, isAddress } from "viem";

import { type ContractName, starMinerAbis } from "./abis/index.js";
import { StarMinerError } from "./client-error.js";

/** One deployed protocol contract: the address to call (a proxy's, for an upgradeable one) and its first block. */
export interface DeployedContract {
  readonly address: Address;
  /** The block that created `address`: nothing of this contract happened before it (where log scans start). */
  readonly startBlock: number;
}

/** Where the protocol lives on one chain: each contract by its name. */
export interface StarMinerDeployment {
  readonly chainId: number;
  readonly contracts: Readonly<Record<string, DeployedContract>>;
}

/**
 * A deployment from untrusted JSON: a deployment manifest as `npm run deploy` writes it (`ignition/manifests/<chain
 * id>.json`, its ABIs ignored: the SDK carries its own), the indexer's `/api/deployment` answer, or any object of
 * the same shape (`{ chainId, contracts: { JobMarket: { address, startBlock } } }`). Throws a
 * {@link StarMinerError} naming what is wrong.
 */
export function parseDeployment(value: unknown, source = "the deployment"): StarMinerDeployment {
  const fail = (what: string): never => {
    throw new StarMinerError(`${source} is malformed: ${what}`);
  };
  if (typeof value !== "object" || value === null) return fail("not an object");
  const { chainId, contracts } = value as { chainId?: unknown; contracts?: unknown };
  if (!Number.isSafeInteger(chainId) || (chainId as number) <= 0) return fail("no valid chainId");
  if (typeof contracts !== "object" || contracts === null || Array.isArray(contracts)) return fail("no contracts");
  const parsed: Record<string, DeployedContract> = {};
  for (const [name, entry] of Object.entries(contracts)) {
    const { address, startBlock } = (entry ?? {}) as { address?: unknown; startBlock?: unknown };
    if (typeof address !== "string" || !isAddress(address, { strict: false })) fail(`${name} has no valid address`);
    if (!Number.isSafeInteger(startBlock) || (startBlock as number) < 0) fail(`${name} has no valid startBlock`);
    parsed[name] = { address: getAddress(address as string), startBlock: startBlock as number };
  }
  return { chainId: chainId as number, contracts: parsed };
}

/** The address of `name` in `deployment`, or a {@link StarMinerError} naming what the deployment does hold. */
export function contractAddress(deployment: StarMinerDeployment, name: ContractName): Address {
  const entry = deployment.contracts[name];
  if (entry === undefined) {
    throw new StarMinerError(
      `${name} is not in the deployment of chain ${deployment.chainId} (it has ${Object.keys(deployment.contracts).join(", ")})`,
    );
  }
  return entry.address;
}

/**
 * Each of the deployment's contracts that the SDK has an ABI for, with its address and ABI: what
 * {@link encodeActions} resolves governance actions against.
 */
export function deploymentContracts(
  deployment: StarMinerDeployment,
): Record<string, { readonly address: Address; readonly abi: Abi }> {
  const contracts: Record<string, { address: Address; abi: Abi }> = {};
  for (const [name, abi] of Object.entries(starMinerAbis)) {
    const entry = deployment.contracts[name];
    if (entry !== undefined) contracts[name] = { address: entry.address, abi: abi as Abi };
  }
  return contracts;
}

import { type GetContractReturnType, type PublicClient, type WalletClient, getContract } from "viem";

import { type ContractName, starMinerAbis } from "./abis/index.js";
import { StarMinerError } from "./client-error.js";
import { type StarMinerDeployment, contractAddress } from "./deployment.js";
import type { Signer } from "./transactions.js";

/**
 * What every SDK action takes: viem's clients and the deployment they talk to. Reading needs only the public
 * client; an action that sends a transaction needs a wallet client with an account (a local key in Node, an
 * injected EIP-1193 wallet in a browser).
 */
export interface StarMinerClient extends Signer {
  readonly deployment: StarMinerDeployment;
}

/** Checks that `publicClient` and `walletClient` (if any) are on `deployment`'s chain, as far as they say. */
export function createStarMinerClient(options: {
  readonly deployment: StarMinerDeployment;
  readonly publicClient: PublicClient;
  readonly walletClient?: WalletClient | undefined;
}): StarMinerClient {
  const { deployment, publicClient, walletClient } = options;
  for (const [what, chain] of [
    ["public client", publicClient.chain],
    ["wallet client", walletClient?.chain],
  ] as const) {
    if (chain !== undefined && chain.id !== deployment.chainId) {
      throw new StarMinerError(`the ${what} is on chain ${chain.id}, the deployment on chain ${deployment.chainId}`);
    }
  }
  return { deployment, publicClient, walletClient };
}

/**
 * Checks that the chain the client reaches is the deployment's and that every contract of the deployment has code
 * there: a deployment read from a chain since reset names empty addresses, where every read "succeeds" with
 * nothing. Throws a {@link StarMinerError} naming the first contract without code.
 */
export async function verifyDeployment(client: Pick<StarMinerClient, "publicClient" | "deployment">): Promise<void> {
  const { publicClient, deployment } = client;
  const chainId = await publicClient.getChainId();
  if (chainId !== deployment.chainId) {
    throw new StarMinerError(`the client reaches chain ${chainId}, the deployment is on chain ${deployment.chainId}`);
  }
  const entries = Object.entries(deployment.contracts);
  const codes = await Promise.all(entries.map(([, entry]) => publicClient.getCode({ address: entry.address })));
  const empty = entries.findIndex((_, i) => codes[i] === undefined || codes[i] === "0x");
  if (empty >= 0) {
    const [name, entry] = entries[empty]!;
    throw new StarMinerError(
      `${name} has no code at ${entry.address} on chain ${chainId}: the chain was reset or the deployment is stale`,
    );
  }
}

/**
 * A protocol contract as a viem contract instance, typed by its ABI:
 * `protocolContract(client, "JobMarket").read.jobOf([1n])`.
 */
export type ProtocolContract<NameT extends ContractName> = GetContractReturnType<
  (typeof starMinerAbis)[NameT],
  { public: PublicClient; wallet: WalletClient }
>;

/**
 * The deployment's contract `name` bound to the client's viem clients. It brings every ABI into a bundle: the actions,
 * which import only the ABIs they use, bundle less.
 */
export function protocolContract<const NameT extends ContractName>(
  client: StarMinerClient,
  name: NameT,
): ProtocolContract<NameT> {
  return getContract({
    address: contractAddress(client.deployment, name),
    abi: starMinerAbis[name],
    client: {
      public: client.publicClient,
      ...(client.walletClient === undefined ? {} : { wallet: client.walletClient }),
    } as { public: PublicClient; wallet: WalletClient },
  }) as unknown as ProtocolContract<NameT>;
}

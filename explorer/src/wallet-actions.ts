import { createPublicClient, createWalletClient, custom } from "viem";

import { type StarMinerClient, VoteType, castVote, createStarMinerClient, describeError } from "@starminer/sdk";

import { indexer } from "./data";

export { describeError };

/** A wallet the page is connected to: the account it signs as, and an SDK client that sends through it. */
export interface ConnectedWallet {
  readonly address: `0x${string}`;
  readonly client: StarMinerClient;
}

/** Asks the injected wallet for an account and builds an SDK client over it, for the deployment the indexer follows. */
export async function connectWallet(): Promise<ConnectedWallet> {
  const ethereum = window.ethereum;
  if (ethereum === undefined) throw new Error("no browser wallet is installed");
  const deployment = await indexer.deployment();
  const [address] = (await ethereum.request({ method: "eth_requestAccounts" })) as `0x${string}`[];
  if (address === undefined) throw new Error("the wallet gave no account");
  const chainId = Number(await ethereum.request({ method: "eth_chainId" }));
  if (chainId !== deployment.chainId) {
    throw new Error(
      `the wallet is on chain ${chainId}; switch it to chain ${deployment.chainId}, where the protocol is`,
    );
  }
  const transport = custom(ethereum);
  const client = createStarMinerClient({
    deployment,
    publicClient: createPublicClient({ transport, pollingInterval: 500 }),
    walletClient: createWalletClient({ account: address, transport }),
  });
  return { address, client };
}

/** Votes `choice` on `proposalId` as the connected account; returns the transaction's hash. */
export async function vote(wallet: ConnectedWallet, proposalId: bigint, choice: keyof typeof VoteType) {
  return (await castVote(wallet.client, { proposalId, support: VoteType[choice] })).hash;
}

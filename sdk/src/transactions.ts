import {
  type Abi,
  type Account,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

import { starMinerErrorsAbi } from "./abis/errors.js";
import { StarMinerAccountError, StarMinerError } from "./client-error.js";

/** What sending a transaction takes: a public client to simulate and wait with, a wallet client with an account. */
export interface Signer {
  readonly publicClient: PublicClient;
  readonly walletClient?: WalletClient | undefined;
}

/** The signing account of `signer`, or a {@link StarMinerAccountError} saying that the action needs one. */
export function accountOf(signer: Signer): Account {
  const account = signer.walletClient?.account;
  if (account === undefined) {
    throw new StarMinerAccountError("this action sends a transaction: give the client a wallet client with an account");
  }
  return account;
}

/**
 * Simulates a call first, so that a call the contract would refuse fails with its custom error (decoded by name,
 * from whichever protocol contract raised it) and nothing is sent; then sends it with a fifth more gas than
 * estimated and waits for its receipt. Returns the simulated return value, the hash and the receipt; throws if the
 * transaction reverted after all.
 */
export async function writeAndWait<
  const AbiT extends Abi,
  NameT extends ContractFunctionName<AbiT, "nonpayable" | "payable">,
>(
  signer: Signer,
  contract: { readonly address: Address; readonly abi: AbiT },
  functionName: NameT,
  args: ContractFunctionArgs<AbiT, "nonpayable" | "payable", NameT>,
): Promise<{ result: unknown; hash: Hash; receipt: TransactionReceipt }> {
  const account = accountOf(signer);
  // The protocol's errors beside the contract's own: a call that fails in another contract (the market's call into
  // Staking) still decodes by name.
  const abi = [...(contract.abi as Abi), ...starMinerErrorsAbi] as Abi;
  // Against the pending block: the one the transaction will land in (its number and time), not the latest one. A
  // vote delegated in the latest block, or a committee drawn from its hash, counts from the next block on.
  const { request, result } = await signer.publicClient.simulateContract({
    address: contract.address,
    abi,
    functionName: functionName as string,
    args: args as readonly unknown[],
    account,
    blockTag: "pending",
  });
  const hash = await sendSimulated(signer, request as never);
  const receipt = await signer.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new StarMinerError(`transaction ${hash} reverted`);
  return { result, hash, receipt };
}

/**
 * Sends a simulated request with a fifth more gas than estimated: a limit cut exactly to the estimate can run out
 * when the block it lands in differs from the one estimated against (its timestamp, storage another transaction
 * touched first), and a transaction that runs out of gas reverts with no reason to show.
 */
export async function sendSimulated(signer: Signer, request: SimulatedRequest): Promise<Hash> {
  const account = accountOf(signer);
  const gas = await signer.publicClient.estimateContractGas({ ...request, account, blockTag: "pending" } as never);
  return signer.walletClient!.writeContract({
    ...request,
    account,
    chain: signer.walletClient!.chain ?? null,
    gas: (gas * 6n) / 5n,
  } as never);
}

type SimulatedRequest = Parameters<WalletClient["writeContract"]>[0];

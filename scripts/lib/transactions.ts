import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hash, TransactionReceipt } from "viem";

import { type ChainClient, requireAccount } from "./client.js";

/**
 * Simulates a call first — so that a call the contract would refuse is reported with its custom error and nothing
 * is sent — then sends it and waits for its receipt. Returns the simulated return value and the receipt.
 */
export async function send<const AbiT extends Abi, NameT extends ContractFunctionName<AbiT, "nonpayable" | "payable">>(
  protocol: ChainClient,
  contract: { address: Address; abi: AbiT },
  functionName: NameT,
  args: ContractFunctionArgs<AbiT, "nonpayable" | "payable", NameT>,
): Promise<{ result: unknown; hash: Hash; receipt: TransactionReceipt }> {
  const account = requireAccount(protocol);
  // Against the pending block: the one the transaction will land in (its number and time), not the latest one. A
  // vote delegated in the latest block, or a committee drawn from its hash, counts from the next block on.
  const { request, result } = await protocol.publicClient.simulateContract({
    address: contract.address,
    abi: contract.abi as Abi,
    functionName: functionName as string,
    args: args as readonly unknown[],
    account,
    blockTag: "pending",
  });
  const hash = await sendSimulated(protocol, request as never);
  const receipt = await protocol.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return { result, hash, receipt };
}

/**
 * Sends a simulated request with a fifth more gas than estimated: a limit cut exactly to the estimate can run out
 * when the block it lands in differs from the one estimated against (its timestamp, storage another transaction
 * touched first), and a transaction that runs out of gas reverts with no reason to show.
 */
export async function sendSimulated(protocol: ChainClient, request: SimulatedRequest): Promise<Hash> {
  const account = requireAccount(protocol);
  const gas = await protocol.publicClient.estimateContractGas({ ...request, account, blockTag: "pending" } as never);
  return protocol.walletClient.writeContract({ ...request, account, chain: protocol.chain, gas: (gas * 6n) / 5n });
}

type SimulatedRequest = Parameters<ChainClient["walletClient"]["writeContract"]>[0];

import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hash, TransactionReceipt } from "viem";

import { type ProtocolClient, requireAccount } from "../lib/client.js";

/**
 * Simulates a call first — so that a call the contract would refuse is reported with its custom error and nothing
 * is sent — then sends it and waits for its receipt. Returns the simulated return value and the receipt.
 */
export async function send<const AbiT extends Abi, NameT extends ContractFunctionName<AbiT, "nonpayable" | "payable">>(
  protocol: ProtocolClient,
  contract: { address: Address; abi: AbiT },
  functionName: NameT,
  args: ContractFunctionArgs<AbiT, "nonpayable" | "payable", NameT>,
): Promise<{ result: unknown; hash: Hash; receipt: TransactionReceipt }> {
  const account = requireAccount(protocol);
  const { request, result } = await protocol.publicClient.simulateContract({
    address: contract.address,
    abi: contract.abi as Abi,
    functionName: functionName as string,
    args: args as readonly unknown[],
    account,
  });
  const hash = await protocol.walletClient.writeContract({ ...request, account, chain: protocol.chain });
  const receipt = await protocol.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return { result, hash, receipt };
}

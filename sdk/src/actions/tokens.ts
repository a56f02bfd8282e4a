import type { Address, Hash } from "viem";

import { agpuAbi } from "../abis/AGPU.js";
import type { StarMinerClient } from "../client.js";
import { contractAddress } from "../deployment.js";
import { accountOf, writeAndWait } from "../transactions.js";

/** The AGPU balance of `owner`, in wei (18 decimals). */
export async function agpuBalance(client: Pick<StarMinerClient, "publicClient" | "deployment">, owner: Address) {
  return client.publicClient.readContract({
    address: contractAddress(client.deployment, "AGPU"),
    abi: agpuAbi,
    functionName: "balanceOf",
    args: [owner],
  });
}

/**
 * Lets `spender` take `amount` AGPU from the client's account, unless it already may: returns the approval's
 * transaction hash, or `undefined` when none was needed.
 */
export async function ensureAgpuAllowance(
  client: StarMinerClient,
  spender: Address,
  amount: bigint,
): Promise<Hash | undefined> {
  const agpu = { address: contractAddress(client.deployment, "AGPU"), abi: agpuAbi } as const;
  const owner = accountOf(client).address;
  const allowance = await client.publicClient.readContract({
    ...agpu,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance >= amount) return undefined;
  return (await writeAndWait(client, agpu, "approve", [spender, amount])).hash;
}

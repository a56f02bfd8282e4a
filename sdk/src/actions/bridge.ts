import { type Address, zeroAddress, parseEventLogs } from "viem";

import { bridgeGatewayAbi } from "../abis/BridgeGateway.js";
import type { StarMinerClient } from "../client.js";
import { StarMinerError } from "../client-error.js";
import { contractAddress } from "../deployment.js";
import { writeAndWait } from "../transactions.js";
import { ensureAgpuAllowance } from "./tokens.js";

/** How a gateway moves AGPU: the home chain's locks it, a remote chain's burns its bridged AGPU. */
export const GatewayMode = { Home: 0, Remote: 1 } as const;

/**
 * Sends `amount` AGPU to `recipient` on `destinationChainId` through the client's chain's BridgeGateway (on the home
 * chain, approving the gateway to lock it first). Validators of the pair attest the transfer; a relayer completes
 * it on the other side. Returns the transfer as the `TransferSent` event states it.
 */
export async function bridgeOut(
  client: StarMinerClient,
  parameters: { destinationChainId: bigint; recipient: Address; amount: bigint },
) {
  const { destinationChainId, recipient, amount } = parameters;
  const gateway = { address: contractAddress(client.deployment, "BridgeGateway"), abi: bridgeGatewayAbi } as const;
  const read = client.publicClient.readContract;
  const counterpart = await read({ ...gateway, functionName: "counterpartOf", args: [destinationChainId] });
  if (counterpart === zeroAddress) {
    throw new StarMinerError(
      `the gateway on chain ${client.deployment.chainId} is not paired with chain ${destinationChainId}`,
    );
  }
  if ((await read({ ...gateway, functionName: "mode" })) === GatewayMode.Home) {
    await ensureAgpuAllowance(client, gateway.address, amount);
  }
  const { hash, receipt } = await writeAndWait(client, gateway, "send", [destinationChainId, recipient, amount]);
  const [sent] = parseEventLogs({ abi: bridgeGatewayAbi, eventName: "TransferSent", logs: receipt.logs });
  if (sent === undefined) throw new StarMinerError(`transaction ${hash} sent no transfer`);
  return { ...sent.args, hash, receipt };
}

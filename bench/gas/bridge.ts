import type { NetworkConnection } from "hardhat/types/network";
import { type Abi, type Address, type Hex, getAddress, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { deployRemoteBridge } from "../../scripts/deploy/protocol.js";
import { type BridgeTransfer, transferTypedData } from "../../scripts/lib/bridge/gateway.js";
import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { manifestContract } from "../../scripts/lib/manifest.js";
import type { GasContext } from "./context.js";

/** A chain id standing for the other side of each gateway. */
const OTHER_CHAIN = 31_338n;

/**
 * The bridge's four transfers: lock and release at home, burn and mint on a remote chain (deployed beside the
 * protocol on the same chain, paired with the home gateway as if home were chain 1). Completions carry 2 of 3
 * validators' signatures, as a small production set would, and 5 of 9 to show what each signature adds.
 */
export async function measureBridge<C extends string>(
  connection: NetworkConnection<C>,
  context: GasContext,
): Promise<void> {
  const { send, setup, accounts, manifest, walletClient, record } = context;
  const [deployer, alice] = accounts as [Address, Address];
  const homeGateway = manifestContract(manifest, "BridgeGateway");
  const chainId = BigInt(await context.publicClient.getChainId());
  const signers = Array.from({ length: 9 }, (_, i) => privateKeyToAccount(devAccount(10 + i).privateKey)).sort(
    (a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1),
  );
  const signed = async (transfer: BridgeTransfer, gateway: Address, count: number): Promise<Hex[]> =>
    Promise.all(signers.slice(0, count).map((signer) => signer.signTypedData(transferTypedData(transfer, gateway))));
  const validatorsOf = (count: number) => signers.slice(0, count).map((signer) => signer.address);
  const validatorSet = (count: number, threshold: bigint) => [validatorsOf(count), threshold];

  // Home: lock on the way out, release on the way back (from a pretend gateway on another chain).
  const otherGateway = getAddress(accounts[5]!);
  await setup("BridgeGateway", "setCounterpart", [OTHER_CHAIN, otherGateway], deployer);
  await setup("BridgeGateway", "setValidators", validatorSet(3, 2n), deployer);
  await setup("AGPU", "approve", [homeGateway.address, parseEther("1000")], deployer);
  await send("BridgeGateway", "send", [OTHER_CHAIN, alice, parseEther("400")], {
    from: deployer,
    operation: "send at home (lock AGPU)",
  });
  const incoming = (nonce: bigint): BridgeTransfer => ({
    sourceChainId: OTHER_CHAIN,
    destinationChainId: chainId,
    sourceGateway: otherGateway,
    nonce,
    sender: alice,
    recipient: alice,
    amount: parseEther("100"),
  });
  await send("BridgeGateway", "complete", [incoming(0n), await signed(incoming(0n), homeGateway.address, 2)], {
    from: alice,
    operation: "complete at home (release AGPU, 2 of 3 signatures)",
  });
  await setup("BridgeGateway", "setValidators", validatorSet(9, 5n), deployer);
  await send("BridgeGateway", "complete", [incoming(1n), await signed(incoming(1n), homeGateway.address, 5)], {
    from: alice,
    operation: "complete at home (release AGPU, 5 of 9 signatures)",
  });

  // Remote: mint on the way in, burn on the way out.
  const remote = await deployRemoteBridge(connection, {
    home: { ...manifest, chainId: 1 },
    manifestDir: null,
    deploymentId: "gas-remote",
    parameters: { RemoteBridge: { validators: validatorsOf(3), threshold: 2n } },
  });
  const remoteGateway = manifestContract(remote.manifest, "BridgeGateway");
  const write = async (functionName: string, args: unknown[], from: Address) =>
    walletClient.writeContract({
      address: remoteGateway.address,
      abi: remoteGateway.abi as Abi,
      functionName,
      args,
      account: from,
      chain: null,
    });
  const fromHome: BridgeTransfer = { ...incoming(0n), sourceChainId: 1n, sourceGateway: homeGateway.address };
  await record(
    "BridgeGateway",
    "complete on a remote chain (mint BridgedAGPU, 2 of 3 signatures)",
    await write("complete", [fromHome, await signed(fromHome, remoteGateway.address, 2)], alice),
  );
  await record(
    "BridgeGateway",
    "send on a remote chain (burn BridgedAGPU)",
    await write("send", [1n, alice, parseEther("40")], alice),
  );
}

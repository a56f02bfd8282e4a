import { type Address, type Hex, keccak256, parseEther, parseSignature, toHex } from "viem";

import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role } from "../../scripts/lib/roles.js";
import type { GasContext } from "./context.js";

const FEE_REASON = keccak256(toHex("job.settlement"));
const SPEND_REF = keccak256(toHex("proposal.1"));

/** Tokens, treasury and the AccessManager: the operations every later flow is built from. */
export async function measureFoundation(context: GasContext): Promise<void> {
  const { send, accounts, manifest, publicClient, walletClient } = context;
  const [deployer, alice, bob, minter] = accounts as [Address, Address, Address, Address];
  const agpu = manifestContract(manifest, "AGPU");
  const treasury = manifestContract(manifest, "Treasury");

  // AccessManager
  await send("AccessManager", "grantRole", [Role.EMISSIONS_MINTER, minter, 0], { from: deployer });

  // AGPU
  await send("AGPU", "transfer", [alice, parseEther("1000")], {
    from: deployer,
    operation: "transfer (to a new holder)",
  });
  await send("AGPU", "transfer", [alice, parseEther("1000")], { from: deployer, operation: "transfer (to a holder)" });
  await send("AGPU", "approve", [bob, parseEther("10")], { from: alice });
  await send("AGPU", "transferFrom", [alice, bob, parseEther("10")], { from: bob });
  await send("AGPU", "mintEmission", [alice, parseEther("1")], {
    from: minter,
    operation: "mintEmission (first in epoch)",
  });
  await send("AGPU", "mintEmission", [alice, parseEther("1")], { from: minter, operation: "mintEmission" });
  await send("AGPU", "burn", [parseEther("1")], { from: alice });

  const deadline = BigInt((await publicClient.getBlock()).timestamp) + 3600n;
  const chainId = await publicClient.getChainId();
  const nonce = (await publicClient.readContract({
    address: agpu.address,
    abi: agpu.abi,
    functionName: "nonces",
    args: [alice],
  })) as bigint;
  const signature: Hex = await walletClient.signTypedData({
    account: alice,
    domain: { name: "StarMiner GPU", version: "1", chainId, verifyingContract: agpu.address },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner: alice, spender: treasury.address, value: parseEther("5"), nonce, deadline },
  });
  const { v, r, s } = parseSignature(signature);
  await send("AGPU", "permit", [alice, treasury.address, parseEther("5"), deadline, Number(v), r, s], { from: bob });

  // AMAX
  await send("AMAX", "delegate", [deployer], { from: deployer, operation: "delegate (self)" });
  await send("AMAX", "transfer", [alice, parseEther("100")], {
    from: deployer,
    operation: "transfer (sender delegated)",
  });
  await send("AMAX", "delegate", [alice], { from: alice, operation: "delegate (self, with balance)" });
  await send("AMAX", "transfer", [alice, parseEther("100")], {
    from: deployer,
    operation: "transfer (both delegated)",
  });

  // Treasury
  await send("AGPU", "approve", [treasury.address, parseEther("100")], {
    from: deployer,
    operation: "approve (treasury)",
  });
  await send("Treasury", "receiveFee", [agpu.address, parseEther("100"), FEE_REASON], { from: deployer });
  await send("Treasury", "spend", [agpu.address, bob, parseEther("40"), SPEND_REF], { from: deployer });
  await send("Treasury", "pause", [], { from: deployer });
  await send("Treasury", "unpause", [], { from: deployer });
}

import { type Address, keccak256, parseEther, toHex } from "viem";
import { signPermit } from "@starminer/sdk";

import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role } from "../../scripts/lib/roles.js";
import type { GasContext } from "./context.js";

const FEE_REASON = keccak256(toHex("job.settlement"));
const SPEND_REF = keccak256(toHex("proposal.1"));

/** Tokens, treasury and the AccessManager: the operations every later flow is built from. */
export async function measureFoundation(context: GasContext): Promise<void> {
  const { send, accounts, manifest, publicClient } = context;
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
  const p = await signPermit(context, agpu, alice, treasury.address, parseEther("5"), deadline);
  await send("AGPU", "permit", [p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s], { from: bob });

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

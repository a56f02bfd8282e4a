import { type Address, keccak256, parseEther, toHex } from "viem";
import {
  type NodeMetadata,
  NodeRole,
  Tee,
  providerMetadata,
  serviceNodeMetadata,
  signPermit,
  zoneId,
} from "@starminer/sdk";

import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role, roleName } from "../../scripts/lib/roles.js";
import type { GasContext } from "./context.js";

const MEASUREMENT = keccak256(toHex("mrenclave:bench"));
const COMMITMENT = keccak256(toHex("capability:bench"));
const FAULT = keccak256(toHex("fault:bench"));

const ENDPOINT = "https://gpu-1.example.net:7443";
const metadata = (overrides: Partial<NodeMetadata> = {}) =>
  providerMetadata({ endpoint: ENDPOINT, teeType: Tee.NvidiaCc, ...overrides });

/** Node identity, staking, slashing and reputation. */
export async function measureIdentity(context: GasContext): Promise<void> {
  const { send, accounts, manifest, publicClient } = context;
  const [deployer, alice, bob, , carol] = accounts as [Address, Address, Address, Address, Address];
  const agpu = manifestContract(manifest, "AGPU");
  const staking = manifestContract(manifest, "Staking");
  const protocolRoles = [
    Role.COLLATERAL_MANAGER,
    Role.SLASHER,
    Role.REPUTATION_WRITER,
    Role.ATTESTER,
    Role.CAPABILITY_VERIFIER,
  ];
  for (const role of protocolRoles) {
    await send("AccessManager", "grantRole", [role, deployer, 0], {
      from: deployer,
      operation: `grantRole (${roleName(role)})`,
    });
  }

  // Registry
  await send("NodeRegistry", "addZone", [zoneId("sa-east"), "sa-east"], { from: deployer });
  await send("NodeRegistry", "register", [NodeRole.PROVIDER, metadata()], {
    from: carol,
    operation: "register (provider)",
  });
  await send(
    "NodeRegistry",
    "register",
    [NodeRole.VALIDATOR, serviceNodeMetadata({ endpoint: ENDPOINT, teeType: Tee.NvidiaCc })],
    {
      from: bob,
      operation: "register (validator)",
    },
  );
  await send("NodeRegistry", "updateMetadata", [metadata({ endpoint: "https://gpu-1b.example.net" })], { from: carol });
  await send("NodeRegistry", "deactivate", [], { from: carol });
  await send("NodeRegistry", "reactivate", [], { from: carol });
  await send("NodeRegistry", "setEnclaveMeasurementAllowed", [MEASUREMENT, true], { from: deployer });
  await send("NodeRegistry", "registerAttestation", [carol, Tee.NvidiaCc, MEASUREMENT, MEASUREMENT, bob], {
    from: deployer,
  });
  await send("NodeRegistry", "commitCapability", [COMMITMENT], { from: carol });
  await send("NodeRegistry", "recordCapabilityProof", [carol, COMMITMENT], { from: deployer });

  // Staking
  await send("AGPU", "transfer", [carol, parseEther("50000")], {
    from: deployer,
    operation: "transfer (fund provider)",
  });
  await send("AGPU", "approve", [staking.address, parseEther("20000")], {
    from: carol,
    operation: "approve (staking)",
  });
  await send("Staking", "stake", [parseEther("10000")], { from: carol, operation: "stake (first)" });
  await send("Staking", "stake", [parseEther("10000")], { from: carol, operation: "stake (top-up)" });
  const deadline = BigInt((await publicClient.getBlock()).timestamp) + 3600n;
  const p = await signPermit(context, agpu, carol, staking.address, parseEther("1000"), deadline);
  await send("Staking", "stakeWithPermit", [p.value, p.deadline, p.v, p.r, p.s], { from: carol });
  await send("Staking", "lockCollateral", [carol, parseEther("3000")], { from: deployer });
  await send("Staking", "unlockCollateral", [carol, parseEther("3000")], { from: deployer });
  await send("Staking", "requestUnbond", [parseEther("1000")], { from: carol });
  await send("Staking", "lockCollateral", [carol, parseEther("60")], {
    from: deployer,
    operation: "lockCollateral (two jobs' collateral, slashed below)",
  });
  await send("Staking", "slashCollateral", [carol, parseEther("30"), FAULT, alice, false], {
    from: deployer,
    operation: "slashCollateral (first offence)",
  });
  await send("Staking", "slashCollateral", [carol, parseEther("30"), FAULT, alice, false], {
    from: deployer,
    operation: "slashCollateral (second offence)",
  });
  await send("Staking", "claimBounty", [], { from: alice });
  await send("Staking", "sweepToTreasury", [], { from: bob });
  await context.increaseTime(7 * 24 * 3600);
  await send("Staking", "withdraw", [], { from: carol });

  // Reputation
  const job = keccak256(toHex("job:bench"));
  await send("Reputation", "recordOutcome", [carol, 0, 8_000, job, parseEther("20"), alice], {
    from: deployer,
    operation: "recordOutcome (first)",
  });
  await send("Reputation", "recordOutcome", [carol, 0, 8_000, job, parseEther("20"), alice], {
    from: deployer,
    operation: "recordOutcome",
  });
}

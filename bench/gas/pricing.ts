import { type Address, parseEther } from "viem";
import { NodeRole, serviceNodeMetadata, zoneId } from "@starminer/sdk";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role } from "../../scripts/lib/roles.js";
import type { GasContext } from "./context.js";

const ZONE = zoneId("us-west");
const NEIGHBOUR = zoneId("us-east");

/** Oracle rounds and the pricing engine's epoch updates. */
export async function measurePricing(context: GasContext): Promise<void> {
  const { send, accounts, manifest } = context;
  const [deployer] = accounts as [Address];
  const oracles = accounts.slice(10, 13);
  const staking = manifestContract(manifest, "Staking");

  for (const [i, oracle] of oracles.entries()) {
    await send("AGPU", "transfer", [oracle, parseEther("2000")], {
      from: deployer,
      operation: `transfer (fund oracle ${i})`,
    });
    await send("AGPU", "approve", [staking.address, parseEther("2000")], {
      from: oracle,
      operation: `approve (oracle ${i})`,
    });
    await send("Staking", "stake", [parseEther("2000")], { from: oracle, operation: `stake (oracle ${i})` });
    const metadata = serviceNodeMetadata({ zone: ZONE, endpoint: `https://oracle-${i}.example` });
    await send(
      "NodeRegistry",
      "register",
      [
        i === 0 ? NodeRole.ORACLE | NodeRole.PROVIDER : NodeRole.ORACLE,
        {
          ...metadata,
          ...(i === 0 ? { gpuModel: "NVIDIA A100", vramMiB: 40_960, computeCapability: 80, tflopsCenti: 1_950 } : {}),
        },
      ],
      {
        from: oracle,
        operation: `register (oracle ${i})`,
      },
    );
  }
  const feed = energyFeedId(ZONE);
  await send("OracleHub", "setFeedOracles", [feed, oracles, 3], {
    from: deployer,
    operation: "setFeedOracles (3 oracles, quorum 3)",
  });
  await send("OracleHub", "report", [feed, parseEther("0.3")], {
    from: oracles[0]!,
    operation: "report (opens a round)",
  });
  await send("OracleHub", "report", [feed, parseEther("0.2")], { from: oracles[1]!, operation: "report" });
  await send("OracleHub", "report", [feed, parseEther("0.25")], {
    from: oracles[2]!,
    operation: "report (the last member: closes the round at the median)",
  });
  await send("OracleHub", "report", [feed, parseEther("0.25")], {
    from: oracles[0]!,
    operation: "report (opens the next round)",
  });
  await send("OracleHub", "report", [feed, parseEther("0.26")], {
    from: oracles[1]!,
    operation: "report (next round)",
  });
  await send("OracleHub", "report", [feed, parseEther("2")], {
    from: oracles[2]!,
    operation: "report (closes the round, slashes one far-off report)",
  });

  await send("AccessManager", "grantRole", [Role.DEMAND_REPORTER, deployer, 0], {
    from: deployer,
    operation: "grantRole (DEMAND_REPORTER)",
  });
  await send("PricingEngine", "setNeighbours", [ZONE, NEIGHBOUR, 500], { from: deployer });
  await send("PricingEngine", "recordDemand", [ZONE, 1n], { from: deployer, operation: "recordDemand (zone's first)" });
  await send("PricingEngine", "recordDemand", [ZONE, 1n], { from: deployer, operation: "recordDemand (same epoch)" });
  await context.increaseTime(3600);
  await send("PricingEngine", "recordDemand", [ZONE, 1n], { from: deployer, operation: "recordDemand (new epoch)" });
  await context.increaseTime(3600 * 10_000);
  await send("PricingEngine", "poke", [ZONE], { from: deployer, operation: "poke (after 10 000 idle epochs)" });
}

import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future } from "@nomicfoundation/ignition-core";
import type { Abi } from "viem";
import { DEFAULT_ZONES, zoneId } from "@starminer/sdk";

import OracleHubArtifact from "../../artifacts/contracts/oracle/OracleHub.sol/OracleHub.json" with { type: "json" };
import { ENERGY_FEED_MAX_AGE, energyFeedId } from "../../scripts/lib/feeds.js";
import { Role } from "../../scripts/lib/roles.js";
import { applyPermissions, deployUupsProxy, grantRole } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import NodeRegistryModule from "./NodeRegistry.js";

/** Feeds from staked oracle nodes, starting with an energy price feed for each default zone. */
export default buildModule("OracleHub", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { nodeRegistry } = m.useModule(NodeRegistryModule);

  const oracleHub = deployUupsProxy(m, "OracleHub", [accessManager, nodeRegistry]);
  // Seeded while `addFeed` still answers to the deployer's ADMIN role (see applyPermissions).
  const feedsAdded: Future[] = DEFAULT_ZONES.map((label) =>
    m.call(
      oracleHub,
      "addFeed",
      [energyFeedId(zoneId(label)), `energy price in ${label}, AGPU per kWh`, ENERGY_FEED_MAX_AGE],
      {
        id: `addFeed_energy_${label.replaceAll("-", "_")}`,
      },
    ),
  );
  applyPermissions(m, accessManager, oracleHub, "OracleHub", OracleHubArtifact.abi as Abi, feedsAdded);
  // A report far from its round's median costs its oracle part of its stake, through a collateral lock.
  grantRole(m, accessManager, Role.COLLATERAL_MANAGER, oracleHub, "grant_COLLATERAL_MANAGER_oracles");
  grantRole(m, accessManager, Role.SLASHER, oracleHub, "grant_SLASHER_oracles");

  return { oracleHub };
});

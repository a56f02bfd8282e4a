import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future } from "@nomicfoundation/ignition-core";
import type { Abi } from "viem";
import { DEFAULT_ZONES, zoneId } from "@starminer/sdk";

import NodeRegistryArtifact from "../../artifacts/contracts/registry/NodeRegistry.sol/NodeRegistry.json" with { type: "json" };
import { applyPermissions, deployUupsProxy } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import StakingModule from "./Staking.js";

/** Node identities, hardware, zones and attestations; eligibility reads the staking minimums. */
export default buildModule("NodeRegistry", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { staking } = m.useModule(StakingModule);

  const nodeRegistry = deployUupsProxy(m, "NodeRegistry", [accessManager, staking]);

  // Seed the zone list while `addZone` still answers to the deployer's ADMIN role, in a fixed order (the
  // zone list's order is part of the registry's state), then hand the function to governance.
  const zonesAdded: Future[] = [];
  for (const label of DEFAULT_ZONES) {
    zonesAdded.push(
      m.call(nodeRegistry, "addZone", [zoneId(label), label], {
        id: `addZone_${label.replaceAll("-", "_")}`,
        after: zonesAdded.slice(-1),
      }),
    );
  }
  applyPermissions(m, accessManager, nodeRegistry, "NodeRegistry", NodeRegistryArtifact.abi as Abi, zonesAdded);

  return { nodeRegistry };
});

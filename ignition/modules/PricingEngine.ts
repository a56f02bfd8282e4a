import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import PricingEngineArtifact from "../../artifacts/contracts/pricing/PricingEngine.sol/PricingEngine.json" with { type: "json" };
import { applyPermissions, deployUupsProxy } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import NodeRegistryModule from "./NodeRegistry.js";
import OracleHubModule from "./OracleHub.js";

/** GPU-hour prices per zone and tier; the adjacency of zones is left to governance. */
export default buildModule("PricingEngine", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { nodeRegistry } = m.useModule(NodeRegistryModule);
  const { oracleHub } = m.useModule(OracleHubModule);

  const pricingEngine = deployUupsProxy(m, "PricingEngine", [accessManager, nodeRegistry, oracleHub]);
  applyPermissions(m, accessManager, pricingEngine, "PricingEngine", PricingEngineArtifact.abi as Abi);

  return { pricingEngine };
});

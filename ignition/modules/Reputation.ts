import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import ReputationArtifact from "../../artifacts/contracts/reputation/Reputation.sol/Reputation.json" with { type: "json" };
import { applyPermissions, deployUupsProxy } from "../lib/access.js";
import AuthorityModule from "./Authority.js";

/** Providers' decaying reputation scores. */
export default buildModule("Reputation", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);

  const reputation = deployUupsProxy(m, "Reputation", [accessManager]);
  applyPermissions(m, accessManager, reputation, "Reputation", ReputationArtifact.abi as Abi);

  return { reputation };
});

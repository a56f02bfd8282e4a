import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import TreasuryArtifact from "../../artifacts/contracts/treasury/Treasury.sol/Treasury.json" with { type: "json" };
import { applyPermissions, deployUupsProxy } from "../lib/access.js";
import AuthorityModule from "./Authority.js";

/** The fee vault, behind a UUPS proxy; spends and upgrades only through governance. */
export default buildModule("Treasury", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);

  const treasury = deployUupsProxy(m, "Treasury", [accessManager]);
  applyPermissions(m, accessManager, treasury, "Treasury", TreasuryArtifact.abi as Abi);

  return { treasury };
});

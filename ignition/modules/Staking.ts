import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import StakingArtifact from "../../artifacts/contracts/staking/Staking.sol/Staking.json" with { type: "json" };
import { applyPermissions, deployUupsProxy } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import TokensModule from "./Tokens.js";
import TreasuryModule from "./Treasury.js";

/** AGPU stakes, collateral and slashing; slashed stake flows to the treasury. */
export default buildModule("Staking", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { agpu } = m.useModule(TokensModule);
  const { treasury } = m.useModule(TreasuryModule);

  const staking = deployUupsProxy(m, "Staking", [accessManager, agpu, treasury]);
  applyPermissions(m, accessManager, staking, "Staking", StakingArtifact.abi as Abi);

  return { staking };
});

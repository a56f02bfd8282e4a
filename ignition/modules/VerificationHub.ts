import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { Role } from "../../scripts/lib/roles.js";
import { deployUupsProxy, grantRole } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import NodeRegistryModule from "./NodeRegistry.js";
import StakingModule from "./Staking.js";
import TokensModule from "./Tokens.js";

/**
 * The verification ladder's evidence checks, audits and disputes. Its permissions are applied by the JobMarket
 * module, once the hub is wired to the market.
 */
export default buildModule("VerificationHub", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { agpu } = m.useModule(TokensModule);
  const { staking } = m.useModule(StakingModule);
  const { nodeRegistry } = m.useModule(NodeRegistryModule);

  // The court runs in the hub's context as a linked library (the hub alone would exceed EIP-170).
  const disputeCourt = m.library("DisputeCourt");
  const verificationHub = deployUupsProxy(m, "VerificationHub", [accessManager, nodeRegistry, staking, agpu], {
    DisputeCourt: disputeCourt,
  });
  // An auditing validator locks collateral for its claim, and loses part of it if the committee rejects it.
  grantRole(m, accessManager, Role.SLASHER, verificationHub, "grant_SLASHER_hub");
  grantRole(m, accessManager, Role.COLLATERAL_MANAGER, verificationHub, "grant_COLLATERAL_MANAGER_hub");

  return { verificationHub, disputeCourt };
});

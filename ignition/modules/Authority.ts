import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { grantRole } from "../lib/access.js";
import { LABELLED_ROLES, Role } from "../../scripts/lib/roles.js";

/**
 * The protocol's single AccessManager. The deployer is its admin while the protocol is assembled; the
 * governance module hands that power to the Timelock. `guardian` and `governor` default to the deployer so a
 * development chain works with one key.
 */
export default buildModule("Authority", (m) => {
  const deployer = m.getAccount(0);
  const guardian = m.getParameter("guardian", deployer);
  const governor = m.getParameter("governor", deployer);

  const accessManager = m.contract("AccessManager", [deployer]);

  for (const name of LABELLED_ROLES) {
    m.call(accessManager, "labelRole", [Role[name], name], { id: `label_${name}` });
  }
  grantRole(m, accessManager, Role.GUARDIAN, guardian, "grant_GUARDIAN");
  grantRole(m, accessManager, Role.GOVERNOR, governor, "grant_GOVERNOR");

  return { accessManager };
});

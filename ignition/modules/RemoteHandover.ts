import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { Role } from "../../scripts/lib/roles.js";
import RemoteBridgeModule from "./RemoteBridge.js";

/**
 * The end of a production deployment on a remote chain: `governor` — the contract that governs StarMiner on that
 * chain, such as a multisig or a timelock — receives ADMIN and GOVERNOR, then the deployer revokes its own GOVERNOR
 * and renounces ADMIN. The deploy script refuses a `governor` that is not a contract.
 */
export default buildModule("RemoteHandover", (m) => {
  const remote = m.useModule(RemoteBridgeModule);
  const { accessManager } = remote;
  const deployer = m.getAccount(0);
  const governor = m.getParameter<string>("governor");

  const wired = [RemoteBridgeModule];
  const admin = m.call(accessManager, "grantRole", [Role.ADMIN, governor, 0n], {
    id: "grant_ADMIN_governor",
    after: wired,
  });
  const governing = m.call(accessManager, "grantRole", [Role.GOVERNOR, governor, 0n], {
    id: "grant_GOVERNOR_governor",
    after: wired,
  });
  const revoked = m.call(accessManager, "revokeRole", [Role.GOVERNOR, deployer], {
    id: "revoke_deployer_GOVERNOR",
    after: [admin, governing],
  });
  m.call(accessManager, "renounceRole", [Role.ADMIN, deployer], { id: "renounce_deployer_ADMIN", after: [revoked] });

  return remote;
});

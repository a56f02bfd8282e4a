import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import BridgeGatewayArtifact from "../../artifacts/contracts/bridge/BridgeGateway.sol/BridgeGateway.json" with { type: "json" };
import BridgedAGPUArtifact from "../../artifacts/contracts/token/BridgedAGPU.sol/BridgedAGPU.json" with { type: "json" };
import { Role } from "../../scripts/lib/roles.js";
import { applyPermissions, deployUupsProxy, grantRole } from "../lib/access.js";
import { BridgeMode, gatewaySettings } from "./Bridge.js";

/** The roles a remote chain uses: its AccessManager labels these. */
const REMOTE_ROLES = ["GUARDIAN", "GOVERNOR", "BRIDGE_MINTER"] as const;

/**
 * StarMiner on a chain other than AGPU's home: its own AccessManager, BridgedAGPU (minted and burnt only by the
 * gateway, which alone holds BRIDGE_MINTER) and a gateway in Remote mode paired with the home gateway.
 *
 * Parameters: `homeChainId` and `homeGateway` (the deploy script reads them from the home chain's manifest),
 * `validators` and `threshold`, the rate limit, and `guardian` and `governor`, who default to the deployer as on a
 * development chain; the RemoteHandover module gives ADMIN and GOVERNOR to the chain's governing contract.
 */
export default buildModule("RemoteBridge", (m) => {
  const deployer = m.getAccount(0);

  const accessManager = m.contract("AccessManager", [deployer]);
  for (const name of REMOTE_ROLES) {
    m.call(accessManager, "labelRole", [Role[name], name], { id: `label_${name}` });
  }
  grantRole(m, accessManager, Role.GUARDIAN, m.getParameter("guardian", deployer), "grant_GUARDIAN");
  grantRole(m, accessManager, Role.GOVERNOR, m.getParameter("governor", deployer), "grant_GOVERNOR");

  const bridgedAGPU = m.contract("BridgedAGPU", [accessManager]);
  applyPermissions(m, accessManager, bridgedAGPU, "BridgedAGPU", BridgedAGPUArtifact.abi as Abi);

  const bridgeGateway = deployUupsProxy(m, "BridgeGateway", [
    accessManager,
    BridgeMode.Remote,
    bridgedAGPU,
    ...gatewaySettings(m),
  ]);
  // The counterpart is set with the deployer's ADMIN role, before the permissions hand setCounterpart to GOVERNOR.
  const paired = m.call(
    bridgeGateway,
    "setCounterpart",
    [m.getParameter<bigint>("homeChainId"), m.getParameter<string>("homeGateway")],
    { id: "pair_with_home" },
  );
  applyPermissions(m, accessManager, bridgeGateway, "BridgeGateway", BridgeGatewayArtifact.abi as Abi, [paired]);
  grantRole(m, accessManager, Role.BRIDGE_MINTER, bridgeGateway, "grant_BRIDGE_MINTER_gateway");

  return { accessManager, bridgedAGPU, bridgeGateway };
});

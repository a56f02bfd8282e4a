import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type { Abi } from "viem";

import BridgeGatewayArtifact from "../../artifacts/contracts/bridge/BridgeGateway.sol/BridgeGateway.json" with { type: "json" };
import { applyPermissions, deployUupsProxy } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import TokensModule from "./Tokens.js";

const AGPU = 10n ** 18n;

/** `BridgeGateway.Mode`. */
export const BridgeMode = { Home: 0, Remote: 1 } as const;

/** The rate limit a gateway launches with, each way (governance changes it within the contract's bounds). */
export const DEFAULT_BRIDGE_RATE_LIMIT = {
  period: 24n * 3600n,
  /** 2.5% of AGPU's genesis supply a day, each way. */
  maxOutgoing: 10_000_000n * AGPU,
  maxIncoming: 10_000_000n * AGPU,
} as const;

/**
 * The parameters every gateway takes, in `initialize`'s order after the mode and token: `validators` and
 * `threshold` (no defaults), then the rate limit.
 */
export function gatewaySettings(m: IgnitionModuleBuilder) {
  return [
    m.getParameter<string[]>("validators"),
    m.getParameter<bigint>("threshold"),
    [
      m.getParameter("ratePeriod", DEFAULT_BRIDGE_RATE_LIMIT.period),
      m.getParameter("maxOutgoing", DEFAULT_BRIDGE_RATE_LIMIT.maxOutgoing),
      m.getParameter("maxIncoming", DEFAULT_BRIDGE_RATE_LIMIT.maxIncoming),
    ],
  ];
}

/**
 * AGPU's home gateway, behind a UUPS proxy on the protocol's AccessManager: it locks AGPU sent to other chains and
 * releases it when a quorum of bridge validators signs a transfer back. `validators` and `threshold` have no
 * default: the deploy script supplies the deployer alone on a development chain and refuses a production deployment
 * that does not name them. Counterpart gateways are added once they exist (by governance after the handover).
 */
export default buildModule("Bridge", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { agpu } = m.useModule(TokensModule);

  const bridgeGateway = deployUupsProxy(m, "BridgeGateway", [
    accessManager,
    BridgeMode.Home,
    agpu,
    ...gatewaySettings(m),
  ]);
  applyPermissions(m, accessManager, bridgeGateway, "BridgeGateway", BridgeGatewayArtifact.abi as Abi);

  return { bridgeGateway };
});

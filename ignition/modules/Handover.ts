import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { Role } from "../../scripts/lib/roles.js";
import AuthorityModule from "./Authority.js";
import BridgeModule from "./Bridge.js";
import CapabilityRegistrarModule from "./CapabilityRegistrar.js";
import GovernanceModule from "./Governance.js";
import JobMarketModule from "./JobMarket.js";
import NodeRegistryModule from "./NodeRegistry.js";
import OracleHubModule from "./OracleHub.js";
import PricingEngineModule from "./PricingEngine.js";
import ProtocolModule from "./Protocol.js";
import ReputationModule from "./Reputation.js";
import StakingModule from "./Staking.js";
import TokensModule from "./Tokens.js";
import TreasuryModule from "./Treasury.js";
import WorkloadsModule from "./Workloads.js";

/** Every module that wires the protocol with the deployer's ADMIN role: the handover waits for all of them. */
const WIRING = [
  AuthorityModule,
  TokensModule,
  TreasuryModule,
  StakingModule,
  NodeRegistryModule,
  ReputationModule,
  OracleHubModule,
  PricingEngineModule,
  CapabilityRegistrarModule,
  WorkloadsModule,
  JobMarketModule,
  GovernanceModule,
  BridgeModule,
  ProtocolModule,
];

/**
 * The end of a production deployment: once every module has wired the protocol with the deployer's ADMIN role,
 * the deployer revokes its own GOVERNOR role and renounces ADMIN. From then on only the Timelock (governance)
 * holds them, and the guardian keeps GUARDIAN. `scripts/lib/governance.ts`'s `checkHandover` proves it.
 *
 * Development chains deploy the Protocol module alone: there the deployer keeps both, to set things up quickly.
 */
export default buildModule("Handover", (m) => {
  const protocol = m.useModule(ProtocolModule);
  const deployer = m.getAccount(0);
  const { accessManager } = protocol;

  const revoked = m.call(accessManager, "revokeRole", [Role.GOVERNOR, deployer], {
    id: "revoke_deployer_GOVERNOR",
    after: WIRING,
  });
  m.call(accessManager, "renounceRole", [Role.ADMIN, deployer], { id: "renounce_deployer_ADMIN", after: [revoked] });

  return protocol;
});

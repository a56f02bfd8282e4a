import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import AuthorityModule from "./Authority.js";
import BridgeModule from "./Bridge.js";
import CapabilityRegistrarModule from "./CapabilityRegistrar.js";
import GovernanceModule from "./Governance.js";
import JobMarketModule from "./JobMarket.js";
import WorkloadsModule from "./Workloads.js";
import NodeRegistryModule from "./NodeRegistry.js";
import OracleHubModule from "./OracleHub.js";
import PricingEngineModule from "./PricingEngine.js";
import ReputationModule from "./Reputation.js";
import StakingModule from "./Staking.js";
import TokensModule from "./Tokens.js";
import TreasuryModule from "./Treasury.js";

/** The whole protocol, one module per concern. What it returns is what the deployment manifest lists. */
export default buildModule("Protocol", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { agpu, amax } = m.useModule(TokensModule);
  const { treasury } = m.useModule(TreasuryModule);
  const { staking } = m.useModule(StakingModule);
  const { nodeRegistry } = m.useModule(NodeRegistryModule);
  const { reputation } = m.useModule(ReputationModule);
  const { oracleHub } = m.useModule(OracleHubModule);
  const { pricingEngine } = m.useModule(PricingEngineModule);
  const { capabilityVerifier, capabilityRegistrar } = m.useModule(CapabilityRegistrarModule);
  const {
    computeCommitmentVerifier,
    denseLayerVerifier,
    digitsMlpVerifier,
    computeCommitmentWorkload,
    denseLayerWorkload,
    digitsMlpWorkload,
  } = m.useModule(WorkloadsModule);
  const { verificationHub, jobMarket, jobMarketLens } = m.useModule(JobMarketModule);
  const { timelock, governor } = m.useModule(GovernanceModule);
  const { bridgeGateway } = m.useModule(BridgeModule);

  return {
    accessManager,
    agpu,
    amax,
    treasury,
    staking,
    nodeRegistry,
    reputation,
    oracleHub,
    pricingEngine,
    capabilityVerifier,
    capabilityRegistrar,
    computeCommitmentVerifier,
    denseLayerVerifier,
    digitsMlpVerifier,
    computeCommitmentWorkload,
    denseLayerWorkload,
    digitsMlpWorkload,
    verificationHub,
    jobMarket,
    jobMarketLens,
    timelock,
    governor,
    bridgeGateway,
  };
});

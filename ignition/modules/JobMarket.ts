import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";
import { WorkloadClass } from "@starminer/sdk";

import JobMarketArtifact from "../../artifacts/contracts/market/JobMarket.sol/JobMarket.json" with { type: "json" };
import VerificationHubArtifact from "../../artifacts/contracts/verification/VerificationHub.sol/VerificationHub.json" with { type: "json" };
import { Role } from "../../scripts/lib/roles.js";
import { applyPermissions, deployUupsProxy, grantRole } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import CapabilityRegistrarModule from "./CapabilityRegistrar.js";
import NodeRegistryModule from "./NodeRegistry.js";
import PricingEngineModule from "./PricingEngine.js";
import ReputationModule from "./Reputation.js";
import StakingModule from "./Staking.js";
import TokensModule from "./Tokens.js";
import TreasuryModule from "./Treasury.js";
import VerificationHubModule from "./VerificationHub.js";
import WorkloadsModule from "./Workloads.js";

/** Job escrow and lifecycle, wired to the verification hub and holding the roles the lifecycle needs. */
export default buildModule("JobMarket", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { agpu } = m.useModule(TokensModule);
  const { treasury } = m.useModule(TreasuryModule);
  const { staking } = m.useModule(StakingModule);
  const { nodeRegistry } = m.useModule(NodeRegistryModule);
  const { reputation } = m.useModule(ReputationModule);
  const { pricingEngine } = m.useModule(PricingEngineModule);
  const { capabilityRegistrar } = m.useModule(CapabilityRegistrarModule);
  const { verificationHub } = m.useModule(VerificationHubModule);
  const { computeCommitmentWorkload, denseLayerWorkload, digitsMlpWorkload } = m.useModule(WorkloadsModule);

  // The end of a dispute, batched settlement and batched claims run in the market's context as linked libraries (the
  // market alone would exceed EIP-170).
  const settlement = m.library("Settlement");
  const claims = m.library("Claims");
  const jobMarket = deployUupsProxy(
    m,
    "JobMarket",
    [
      accessManager,
      [agpu, staking, nodeRegistry, reputation, pricingEngine, capabilityRegistrar, verificationHub, treasury],
    ],
    { Settlement: settlement, Claims: claims },
  );

  // Wire the hub to the market and register the ZK workload classes while those functions still answer to the
  // deployer, then hand the hub to governance.
  const marketSet = m.call(verificationHub, "setMarket", [jobMarket]);
  const commitmentClass = m.call(
    verificationHub,
    "setWorkloadVerifier",
    [WorkloadClass.ComputeCommitment, computeCommitmentWorkload],
    { id: "setWorkloadVerifier_ComputeCommitment" },
  );
  const denseLayerClass = m.call(
    verificationHub,
    "setWorkloadVerifier",
    [WorkloadClass.DenseLayer, denseLayerWorkload],
    {
      id: "setWorkloadVerifier_DenseLayer",
    },
  );
  const digitsMlpClass = m.call(verificationHub, "setWorkloadVerifier", [WorkloadClass.DigitsMlp, digitsMlpWorkload], {
    id: "setWorkloadVerifier_DigitsMlp",
  });
  applyPermissions(m, accessManager, verificationHub, "VerificationHub", VerificationHubArtifact.abi as Abi, [
    marketSet,
    commitmentClass,
    denseLayerClass,
    digitsMlpClass,
  ]);
  applyPermissions(m, accessManager, jobMarket, "JobMarket", JobMarketArtifact.abi as Abi);

  grantRole(m, accessManager, Role.COLLATERAL_MANAGER, jobMarket, "grant_COLLATERAL_MANAGER_market");
  grantRole(m, accessManager, Role.SLASHER, jobMarket, "grant_SLASHER_market");
  grantRole(m, accessManager, Role.REPUTATION_WRITER, jobMarket, "grant_REPUTATION_WRITER_market");
  grantRole(m, accessManager, Role.DEMAND_REPORTER, jobMarket, "grant_DEMAND_REPORTER_market");
  grantRole(m, accessManager, Role.VERIFICATION_HUB, verificationHub, "grant_VERIFICATION_HUB_hub");

  const jobMarketLens = m.contract("JobMarketLens", [jobMarket]);

  return { verificationHub, jobMarket, jobMarketLens };
});

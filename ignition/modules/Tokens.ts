import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import AGPUArtifact from "../../artifacts/contracts/token/AGPU.sol/AGPU.json" with { type: "json" };
import { applyPermissions } from "../lib/access.js";
import AuthorityModule from "./Authority.js";

const AGPU = 10n ** 18n;

/** The emissions schedule StarMiner launches with; see docs/decisions.md ("AGPU supply"). */
export const DEFAULT_TOKEN_PARAMETERS = {
  genesisSupply: 400_000_000n * AGPU,
  epochDuration: 7n * 24n * 3600n,
  initialEpochEmission: 2_800_000n * AGPU,
  halvingEpochs: 104n,
} as const;

/**
 * AGPU (utility) and AMAX (governance). Both are immutable contracts; AGPU's minting right is a role that the
 * module owning the rewards path grants.
 */
export default buildModule("Tokens", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const deployer = m.getAccount(0);

  const agpu = m.contract("AGPU", [
    accessManager,
    m.getParameter("agpuGenesisRecipient", deployer),
    m.getParameter("agpuGenesisSupply", DEFAULT_TOKEN_PARAMETERS.genesisSupply),
    m.getParameter("agpuEpochDuration", DEFAULT_TOKEN_PARAMETERS.epochDuration),
    m.getParameter("agpuInitialEpochEmission", DEFAULT_TOKEN_PARAMETERS.initialEpochEmission),
    m.getParameter("agpuHalvingEpochs", DEFAULT_TOKEN_PARAMETERS.halvingEpochs),
  ]);
  applyPermissions(m, accessManager, agpu, "AGPU", AGPUArtifact.abi as Abi);

  const amax = m.contract("AMAX", [m.getParameter("amaxInitialHolder", deployer)]);

  return { agpu, amax };
});

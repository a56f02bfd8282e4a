import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Abi } from "viem";

import CapabilityRegistrarArtifact from "../../artifacts/contracts/verification/CapabilityRegistrar.sol/CapabilityRegistrar.json" with { type: "json" };
import { Role } from "../../scripts/lib/roles.js";
import { applyPermissions, deployUupsProxy, grantRole } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import NodeRegistryModule from "./NodeRegistry.js";

/** The capability circuit's verifier and the registrar that records verified proofs in the registry. */
export default buildModule("CapabilityRegistrar", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { nodeRegistry } = m.useModule(NodeRegistryModule);

  const capabilityVerifier = m.contract("CapabilityVerifier");
  const capabilityRegistrar = deployUupsProxy(m, "CapabilityRegistrar", [
    accessManager,
    nodeRegistry,
    capabilityVerifier,
  ]);
  applyPermissions(
    m,
    accessManager,
    capabilityRegistrar,
    "CapabilityRegistrar",
    CapabilityRegistrarArtifact.abi as Abi,
  );
  grantRole(m, accessManager, Role.CAPABILITY_VERIFIER, capabilityRegistrar, "grant_CAPABILITY_VERIFIER_registrar");

  return { capabilityVerifier, capabilityRegistrar };
});

import { join } from "node:path";

import { PROJECT_ROOT } from "../project-root.js";

/** StarMiner's circuits, and the name of the Solidity verifier generated for each. */
export const CIRCUITS = {
  compute_commitment: { verifier: "ComputeCommitmentVerifier", publicSignals: 3 },
  dense_layer: { verifier: "DenseLayerVerifier", publicSignals: 5 },
  capability: { verifier: "CapabilityVerifier", publicSignals: 4 },
} as const;

export type CircuitName = keyof typeof CIRCUITS;

/** Where a circuit's source, build and keys live. The keys are committed; `npm run zk:setup` remakes them. */
export function circuitPaths(name: CircuitName) {
  const build = join(PROJECT_ROOT, "circuits", "build", name);
  return {
    source: join(PROJECT_ROOT, "circuits", `${name}.circom`),
    build,
    r1cs: join(build, `${name}.r1cs`),
    wasm: join(build, `${name}_js`, `${name}.wasm`),
    zkey: join(build, `${name}.zkey`),
    verificationKey: join(build, "verification_key.json"),
    verifier: join(PROJECT_ROOT, "contracts", "verification", "generated", `${CIRCUITS[name].verifier}.sol`),
  };
}

export const CIRCUITS_ROOT = join(PROJECT_ROOT, "circuits");
export const NODE_MODULES = join(PROJECT_ROOT, "node_modules");

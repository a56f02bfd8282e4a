import { join } from "node:path";

import { PROJECT_ROOT } from "../project-root.js";

/** StarMiner's circuits, and the name of the Solidity verifier generated for each. */
export const CIRCUITS = {
  compute_commitment: { verifier: "ComputeCommitmentVerifier", publicSignals: 3 },
  dense_layer: { verifier: "DenseLayerVerifier", publicSignals: 5 },
  capability: { verifier: "CapabilityVerifier", publicSignals: 4 },
  digits_mlp: { verifier: "DigitsMlpVerifier", publicSignals: 5 },
} as const;

export type CircuitName = keyof typeof CIRCUITS;

/**
 * Where a circuit's source, build, R1CS and keys live. All are committed; `npm run zk:setup` remakes development
 * keys, `npm run zk:ceremony` production ones. `root` puts the build and the verifier elsewhere (`<root>/build`,
 * `<root>/generated`): a ceremony's staging directory.
 */
export function circuitPaths(name: CircuitName, root?: string) {
  const build = join(root ?? CIRCUITS_ROOT, "build", name);
  return {
    source: join(CIRCUITS_ROOT, `${name}.circom`),
    build,
    r1cs: join(build, `${name}.r1cs`),
    wasm: join(build, `${name}_js`, `${name}.wasm`),
    zkey: join(build, `${name}.zkey`),
    verificationKey: join(build, "verification_key.json"),
    /** What the trusted setup of the key was: phase 1, every contribution, the hashes (scripts/lib/zk/ceremony.ts). */
    transcript: join(build, "transcript.json"),
    verifier:
      root === undefined
        ? join(PROJECT_ROOT, "contracts", "verification", "generated", `${CIRCUITS[name].verifier}.sol`)
        : join(root, "generated", `${CIRCUITS[name].verifier}.sol`),
  };
}

export type CircuitPaths = ReturnType<typeof circuitPaths>;

export const CIRCUITS_ROOT = join(PROJECT_ROOT, "circuits");
export const NODE_MODULES = join(PROJECT_ROOT, "node_modules");

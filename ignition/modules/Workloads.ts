import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The ZK workload classes' verifiers: each generated Groth16 verifier behind an adapter that builds its public
 * signals from the job (ids in sdk/src/workloads/classes.ts). The JobMarket module registers them with the hub.
 */
export default buildModule("Workloads", (m) => {
  const computeCommitmentVerifier = m.contract("ComputeCommitmentVerifier");
  const denseLayerVerifier = m.contract("DenseLayerVerifier");
  const computeCommitmentWorkload = m.contract("ComputeCommitmentWorkload", [computeCommitmentVerifier]);
  const denseLayerWorkload = m.contract("DenseLayerWorkload", [denseLayerVerifier]);
  const digitsMlpVerifier = m.contract("DigitsMlpVerifier");
  const digitsMlpWorkload = m.contract("DigitsMlpWorkload", [digitsMlpVerifier]);
  return {
    computeCommitmentVerifier,
    denseLayerVerifier,
    digitsMlpVerifier,
    computeCommitmentWorkload,
    denseLayerWorkload,
    digitsMlpWorkload,
  };
});

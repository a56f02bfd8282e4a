import {
  type Artifacts,
  type CanonicalOutput,
  type DenseLayerManifest,
  WorkloadError,
  parseDenseLayerJob,
  runDenseLayer,
} from "@starminer/sdk";

import { type RuntimeDevice, type WorkloadRuntime, artifactBytes } from "../runtime.js";

/**
 * The dense layer y = ReLU(W·x + b) over int8 values: the workload the dense-layer circuit proves, so the one a ZK
 * job runs. Its result is the Poseidon hash of the output (what the circuit opens), not the hash of the canonical
 * output bytes.
 */
export class DenseLayerRuntime implements WorkloadRuntime<DenseLayerManifest> {
  readonly name = "dense-layer";

  async device(): Promise<RuntimeDevice> {
    return { device: "cpu", reason: "a 16×16 integer layer is done before a GPU could be handed it" };
  }

  async run(manifest: DenseLayerManifest, artifacts: Artifacts): Promise<CanonicalOutput[]> {
    let job;
    try {
      job = parseDenseLayerJob(
        JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(artifactBytes(artifacts, manifest.workload.cid))),
      );
    } catch (error) {
      throw new WorkloadError("model-load", `the dense-layer workload does not load: ${(error as Error).message}`);
    }
    const { output } = runDenseLayer(job);
    return [{ name: "output", kind: "fixed", decimals: 0, shape: [output.length], values: output }];
  }
}

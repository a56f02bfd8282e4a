import { type Address, toHex } from "viem";
import { zoneId } from "@starminer/sdk";

import { proveCapability } from "../../scripts/lib/zk/capability.js";
import type { GasContext } from "./context.js";

/** A provider commits to its hardware and proves, with a real Groth16 proof, that it meets thresholds. */
export async function measureCapability(context: GasContext): Promise<void> {
  const { send, accounts } = context;
  const node = accounts[6] as Address;
  const metadata = {
    zone: zoneId("ap-southeast"),
    endpoint: "https://gpu-9.example.net",
    gpuModel: "NVIDIA H100 80GB",
    vramMiB: 81_920,
    computeCapability: 90,
    tflopsCenti: 6_700,
    teeType: 0,
  };
  await send("NodeRegistry", "register", [1, metadata], {
    from: node,
    operation: "register (provider, for capability)",
  });
  const { commitment, proof } = await proveCapability(
    { node, vramMiB: 81_920, computeCapability: 90, salt: 12_345n },
    { minVramMiB: 40_960, minComputeCapability: 80 },
  );
  await send("NodeRegistry", "commitCapability", [toHex(commitment, { size: 32 })], {
    from: node,
    operation: "commitCapability (Poseidon commitment)",
  });
  await send("CapabilityRegistrar", "proveCapability", [node, 40_960, 80, proof.a, proof.b, proof.c], { from: node });
}

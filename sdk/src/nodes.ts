import type { Hex } from "viem";

import { zoneId } from "./zones.js";

/** Node roles as the contracts number them (bits of a mask). */
export const NodeRole = { PROVIDER: 1, VALIDATOR: 2, ORACLE: 4, REQUESTER: 8 } as const;

/** TEE types as the registry numbers them. */
export const Tee = { None: 0, IntelSgx: 1, IntelTdx: 2, AmdSevSnp: 3, NvidiaCc: 4 } as const;

/** `NodeRegistry.register`'s metadata. */
export interface NodeMetadata {
  zone: Hex;
  endpoint: string;
  gpuModel: string;
  vramMiB: number;
  computeCapability: number;
  tflopsCenti: number;
  teeType: number;
}

/** Metadata of a plausible provider (an H100 in eu-west, no TEE), with any field overridden. */
export function providerMetadata(overrides: Partial<NodeMetadata> = {}): NodeMetadata {
  return {
    zone: zoneId("eu-west"),
    endpoint: "https://gpu-7.example.net:7443",
    gpuModel: "NVIDIA H100 80GB",
    vramMiB: 81_920,
    computeCapability: 90,
    tflopsCenti: 6_700,
    teeType: Tee.None,
    ...overrides,
  };
}

/** Metadata of a node without a GPU to offer (a validator or an oracle), with any field overridden. */
export function serviceNodeMetadata(overrides: Partial<NodeMetadata> = {}): NodeMetadata {
  return providerMetadata({ gpuModel: "", vramMiB: 0, computeCapability: 0, tflopsCenti: 0, ...overrides });
}

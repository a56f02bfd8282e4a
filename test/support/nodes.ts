import { zoneId } from "../../scripts/lib/zones.js";

/** Node roles as the contracts number them (bits of a mask). */
export const NodeRole = { PROVIDER: 1, VALIDATOR: 2, ORACLE: 4, REQUESTER: 8 } as const;

/** TEE types as the registry numbers them. */
export const Tee = { None: 0, IntelSgx: 1, IntelTdx: 2, AmdSevSnp: 3, NvidiaCc: 4 } as const;

/** Metadata of a plausible provider in `zone`, with any field overridden. */
export function providerMetadata(overrides: Partial<ProviderMetadata> = {}): ProviderMetadata {
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

export interface ProviderMetadata {
  zone: string;
  endpoint: string;
  gpuModel: string;
  vramMiB: number;
  computeCapability: number;
  tflopsCenti: number;
  teeType: number;
}

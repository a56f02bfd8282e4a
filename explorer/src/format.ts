import { formatEther } from "viem";

import { zoneLabel } from "@starminer/sdk";

/** An 18-decimal amount (a decimal string from the indexer) as AGPU, to 4 decimals at most. */
export function agpu(wei: string | bigint | null | undefined, unit = "AGPU"): string {
  if (wei === null || wei === undefined) return "–";
  const [whole = "0", fraction = ""] = formatEther(BigInt(wei)).split(".");
  const trimmed = fraction.slice(0, 4).replace(/0+$/, "");
  return `${BigInt(whole).toLocaleString("en")}${trimmed === "" ? "" : `.${trimmed}`} ${unit}`;
}

/** Unix seconds (a decimal string) as a UTC date and time. */
export function time(seconds: string | bigint | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  return new Date(Number(seconds) * 1_000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.000Z$/, " UTC");
}

/** An address or hash, shortened for a table: `0x1234…abcd`. */
export function short(hex: string | null | undefined): string {
  if (hex === null || hex === undefined) return "–";
  return hex.length <= 14 ? hex : `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}

/** A zone id as its label (`eu-west`). */
export function zone(id: string | null | undefined): string {
  if (id === null || id === undefined) return "–";
  try {
    return zoneLabel(id as `0x${string}`);
  } catch {
    return short(id);
  }
}

/** Basis points as a percentage. */
export function percent(bps: number | null | undefined): string {
  return bps === null || bps === undefined ? "–" : `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : 1)}%`;
}

export const TIERS = ["Economy", "Standard", "Priority"] as const;

/** The runtimes of a registry mask: 1 the dense layer, 2 ONNX, 4 WebAssembly. */
export function runtimes(mask: number): string {
  const names = [
    [1, "dense-layer"],
    [2, "onnx"],
    [4, "wasm"],
  ] as const;
  const served = names.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
  return served.length === 0 ? "none advertised" : served.join(", ");
}

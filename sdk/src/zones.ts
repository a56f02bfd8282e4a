import { type Hex, hexToString, stringToHex } from "viem";

/** The zones a new deployment starts with; governance adds more with `NodeRegistry.addZone`. */
export const DEFAULT_ZONES = ["us-east", "us-west", "eu-west", "eu-central", "ap-southeast"] as const;

/** A zone's on-chain id: its label's UTF-8 bytes, right-padded to 32 bytes (at most 32 bytes of label). */
export function zoneId(label: string): Hex {
  if (label.length === 0) throw new Error("a zone label cannot be empty");
  if (new TextEncoder().encode(label).length > 32) throw new Error(`zone label "${label}" is longer than 32 bytes`);
  return stringToHex(label, { size: 32 });
}

/** The label of a zone id made by {@link zoneId}. */
export function zoneLabel(id: Hex): string {
  return hexToString(id, { size: 32 }).replace(/\0+$/, "");
}

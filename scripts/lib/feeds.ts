import { type Hex, encodeAbiParameters, keccak256, toHex } from "viem";

const ENERGY_FEED = keccak256(toHex("starminer.feed.energy"));

/** The oracle feed id of a zone's energy price, as `PricingEngine.energyFeedId(zone)` computes it. */
export function energyFeedId(zone: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [ENERGY_FEED, zone]));
}

/** How long an energy price stays fresh, in seconds. */
export const ENERGY_FEED_MAX_AGE = 6 * 3600;

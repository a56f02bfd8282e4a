import { parseArgs } from "node:util";

import { Tier, enumName, zoneLabel } from "@starminer/sdk";

import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseInteger, parseTier } from "../parse.js";
import { enabledZone } from "../zones.js";
import type { Command } from "./context.js";

/** `price quote --zone <label> --tier <tier> --hours <n> [--redundancy <n>] [--spillover]` */
export const priceQuote: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({
    args,
    options: {
      zone: { type: "string" },
      tier: { type: "string", default: "standard" },
      hours: { type: "string" },
      redundancy: { type: "string", default: "1" },
      spillover: { type: "boolean", default: false },
    },
  });
  if (values.zone === undefined) throw new UsageError("--zone is required");
  const tier = parseTier(values.tier);
  const hours = parseInteger("hours", values.hours, 1, 2 ** 32 - 1);
  const redundancy = parseInteger("redundancy", values.redundancy, 1, 3);
  const client = await protocol();
  const zone = await enabledZone(client, values.zone);
  const { pricingEngine } = client;
  const quote = await pricingEngine.read.quote([zone, tier, BigInt(hours), BigInt(redundancy), values.spillover]);
  out.record({
    requestedZone: zoneLabel(quote.requestedZone),
    zone: zoneLabel(quote.zone),
    tier: enumName(Tier, quote.tier).toLowerCase(),
    pricePerGpuHour: out.json ? quote.pricePerGpuHour : agpu(quote.pricePerGpuHour),
    total: out.json ? quote.total : agpu(quote.total),
    spilledOver: quote.spilledOver,
  });
};

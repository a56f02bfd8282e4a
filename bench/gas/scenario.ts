import { measureCapability } from "./capability.js";
import type { GasContext } from "./context.js";
import { measureFoundation } from "./foundation.js";
import { measureIdentity } from "./identity.js";
import { type MarketFigures, measureMarket } from "./market.js";
import { measurePricing } from "./pricing.js";

/**
 * The suites up to and including the market's, in the order `npm run bench` runs them: the whole jobs' gas depends
 * on the state the suites before leave (warm counters, balances, zones), so every bench that measures those jobs
 * runs this same sequence.
 */
export async function measureThroughMarket(context: GasContext): Promise<MarketFigures> {
  await measureFoundation(context);
  await measureIdentity(context);
  await measurePricing(context);
  await measureCapability(context);
  return measureMarket(context);
}

/**
 * Reads the market through the indexer, with no wallet and no chain connection: the price and utilisation of every
 * zone and tier, and one job's audit trail.
 *
 *   node --import tsx sdk/examples/market-report.ts [jobId]
 */
import { formatEther } from "viem";
import { createIndexerClient } from "@starminer/sdk";

const indexer = createIndexerClient(process.env.STARMINER_INDEXER_URL ?? "http://127.0.0.1:42069");
const cells = await indexer.heatmap();
const busiest = [...cells].sort((a, b) => b.utilisationBps - a.utilisationBps)[0];
const report: Record<string, unknown> = {
  cells: cells.length,
  busiest: busiest && `${busiest.zoneLabel}/${busiest.tierName} at ${busiest.utilisationBps / 100}%`,
  prices: Object.fromEntries(
    (await indexer.prices())
      .filter((price) => price.pricePerGpuHour !== null)
      .map((price) => [`${price.zoneLabel}/${price.tierName}`, formatEther(BigInt(price.pricePerGpuHour!))]),
  ),
};
if (process.argv[2] !== undefined) {
  const trail = await indexer.jobTrail(BigInt(process.argv[2]));
  report.job = {
    status: trail.job.status,
    escrow: formatEther(BigInt(trail.job.escrow)),
    events: trail.events.map((e) => `${e.contract}.${e.event}`),
  };
}
console.log(JSON.stringify(report));

import { parseArgs } from "node:util";

import type { Hex } from "viem";
import { Mode, NodeRole, runtimeMask, zoneLabel } from "@starminer/sdk";

import { type Candidate, type JobRequirements, marketView, rankProviders } from "../../lib/matcher.js";
import { UsageError } from "../errors.js";
import { indexedPrices, queryIndexer } from "../indexer-client.js";
import { parseInteger, parseRuntimes, readSpecFile } from "../parse.js";
import type { Command } from "./context.js";

interface IndexedProvider {
  id: Hex;
  roles: number;
  active: boolean;
  zone: Hex | null;
  vramMiB: number | null;
  computeCapability: number | null;
  tflopsCenti: number | null;
  enclaveSigner: Hex | null;
  capabilityVerified: boolean;
  runtimes: number;
  composite: number | null;
  staked: string;
  locked: string;
  slotsClaimed: number;
  slotsDelivered: number;
  slotsMissed: number;
  slashCount: number;
}

const PAGE = 1_000;

/** Every registered provider the indexer knows, a page at a time. */
async function providers(indexerUrl: string): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { nodes: { items: IndexedProvider[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } =
      await queryIndexer(
        indexerUrl,
        `query ($after: String) { nodes(where: { registered: true }, limit: ${PAGE}, after: $after) {
          items { id roles active zone vramMiB computeCapability tflopsCenti enclaveSigner capabilityVerified runtimes
                  composite staked locked slotsClaimed slotsDelivered slotsMissed slashCount }
          pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
    for (const node of page.nodes.items) {
      if ((node.roles & NodeRole.PROVIDER) === 0 || node.zone === null) continue;
      candidates.push({
        address: node.id,
        active: node.active,
        zone: node.zone,
        vramMiB: node.vramMiB ?? 0,
        computeCapability: node.computeCapability ?? 0,
        tflopsCenti: node.tflopsCenti ?? 0,
        attested: node.enclaveSigner !== null,
        capabilityVerified: node.capabilityVerified,
        runtimes: node.runtimes,
        composite: node.composite,
        staked: BigInt(node.staked),
        locked: BigInt(node.locked),
        slotsClaimed: node.slotsClaimed,
        slotsDelivered: node.slotsDelivered,
        slotsMissed: node.slotsMissed,
        slashCount: node.slashCount,
      });
    }
    if (!page.nodes.pageInfo.hasNextPage) return candidates;
    after = page.nodes.pageInfo.endCursor;
  }
}

/**
 * `match --spec <file> [--runtime <name>] [--top <n>]`: the providers best placed to serve the job the spec
 * describes (a manifest job's runtime given by `--runtime`: only providers advertising it), ranked from the indexer's
 * data (see scripts/lib/matcher.ts for the factors), with each factor's score.
 */
export const match: Command = async ({ args, config, out }) => {
  const { values } = parseArgs({
    args,
    options: { spec: { type: "string" }, runtime: { type: "string" }, top: { type: "string", default: "3" } },
  });
  if (values.spec === undefined) throw new UsageError("--spec <file> is required");
  const top = parseInteger("top", values.top, 1, 100);
  const runtime = values.runtime === undefined ? undefined : parseRuntimes(values.runtime, "--runtime");
  if (runtime !== undefined && runtime.length !== 1) throw new UsageError("--runtime names one runtime");
  const { spec } = await readSpecFile(values.spec, BigInt(Math.floor(Date.now() / 1_000)));

  const context = await queryIndexer<{
    zoneNeighbours: { items: { zone: Hex; neighbour: Hex; penaltyBps: number }[] };
    tier: { reputationFloorBps: number } | null;
    protocolParameter: { value: { parameters: { optimisticReputationFloor: number } } } | null;
  }>(
    config.indexerUrl,
    `query ($tier: Int!) {
      zoneNeighbours(limit: 1000) { items { zone neighbour penaltyBps } }
      tier(id: $tier) { reputationFloorBps }
      protocolParameter(id: "JobMarket.MarketParametersSet") { value }
    }`,
    { tier: spec.tier },
  );
  const prices = await indexedPrices(config.indexerUrl);
  const market = marketView(
    prices
      .filter((price) => price.tier === spec.tier && price.pricePerGpuHour !== null)
      .map((price) => [price.zone, BigInt(price.pricePerGpuHour!)] as [Hex, bigint]),
    context.zoneNeighbours.items.map((pair) => [pair.zone, pair.neighbour, pair.penaltyBps] as [Hex, Hex, number]),
  );
  const tierFloor = context.tier?.reputationFloorBps ?? 0;
  const optimisticFloor = context.protocolParameter?.value.parameters.optimisticReputationFloor ?? 0;
  const job: JobRequirements = {
    zone: spec.zone,
    spilloverAllowed: spec.spilloverAllowed,
    minVramMiB: spec.minVramMiB,
    minComputeCapability: spec.minComputeCapability,
    teeRequired: spec.teeRequired || spec.mode === Mode.TEE,
    provenHardware: spec.provenHardware,
    reputationFloor: spec.mode === Mode.Optimistic ? Math.max(tierFloor, optimisticFloor) : tierFloor,
    ...(runtime === undefined ? {} : { runtime: runtimeMask(runtime) }),
  };
  const candidates = await providers(config.indexerUrl);
  const { ranked, excluded } = rankProviders(job, candidates, market, top);
  const zoneOf = new Map(candidates.map((candidate) => [candidate.address, candidate.zone]));
  const rows = ranked.map((provider, index) => ({
    rank: index + 1,
    provider: provider.address,
    zone: zoneLabel(zoneOf.get(provider.address)!),
    score: Number(provider.score.toFixed(4)),
    ...Object.fromEntries(
      Object.entries(provider.factors).map(([factor, value]) => [factor, Number(value.toFixed(3))]),
    ),
  }));
  if (out.json) {
    out.record({ candidates: candidates.length, ranked: rows, excluded });
    return;
  }
  out.table(rows, [
    "rank",
    "provider",
    "zone",
    "score",
    "reputation",
    "history",
    "hardware",
    "price",
    "distance",
    "load",
  ]);
  const reasons = Object.entries(excluded).map(([reason, count]) => `${count} ${reason}`);
  out.progress(
    `${candidates.length} providers considered${reasons.length > 0 ? `; left out: ${reasons.join(", ")}` : ""}`,
  );
};

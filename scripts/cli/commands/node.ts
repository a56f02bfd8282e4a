import { parseArgs } from "node:util";

import { NodeRole } from "../../lib/nodes.js";
import { zoneLabel } from "../../lib/zones.js";
import { queryIndexer } from "../indexer-client.js";
import { parseInteger, parseZone } from "../parse.js";
import type { Command } from "./context.js";

interface IndexedNode {
  id: string;
  zone: string | null;
  gpuModel: string | null;
  vramMiB: number | null;
  composite: number | null;
  staked: string;
  slotsDelivered: number;
  slashCount: number;
  active: boolean;
  roles: number;
}

/** Registered nodes matching the GraphQL filter `where`, best reputation first, from the indexer. */
async function queryNodes(indexerUrl: string, where: string, limit: number): Promise<IndexedNode[]> {
  const data = await queryIndexer<{ nodes: { items: IndexedNode[] } }>(
    indexerUrl,
    `{ nodes(where: ${where}, orderBy: "composite", orderDirection: "desc", limit: ${limit}) {
      items { id roles zone gpuModel vramMiB composite staked slotsDelivered slashCount active } } }`,
  );
  return data.nodes.items;
}

/** `node list [--zone <label>] [--limit <n>]`: registered nodes, best reputation first, from the indexer. */
export const nodeList: Command = async ({ args, config, out }) => {
  const { values } = parseArgs({
    args,
    options: { zone: { type: "string" }, limit: { type: "string", default: "50" } },
  });
  const limit = parseInteger("limit", values.limit, 1, 1_000);
  const zone = values.zone === undefined ? "" : `, zone: "${parseZone(values.zone)}"`;
  // Nodes with a reputation first, best first, then those without one: PostgreSQL sorts nulls first when descending.
  const scored = await queryNodes(config.indexerUrl, `{ registered: true, composite_not: null${zone} }`, limit);
  const unscored =
    scored.length < limit
      ? await queryNodes(config.indexerUrl, `{ registered: true, composite: null${zone} }`, limit - scored.length)
      : [];
  out.table(
    [...scored, ...unscored].map((node) => ({
      address: node.id,
      roles: Object.entries(NodeRole)
        .filter(([, bit]) => (node.roles & bit) !== 0)
        .map(([name]) => name.toLowerCase())
        .join(","),
      zone: node.zone === null ? "" : zoneLabel(node.zone as `0x${string}`),
      gpu: node.gpuModel,
      vramMiB: node.vramMiB,
      reputation: node.composite,
      staked: node.staked,
      delivered: node.slotsDelivered,
      slashes: node.slashCount,
      active: node.active,
    })),
    ["address", "roles", "zone", "gpu", "vramMiB", "reputation", "staked", "delivered", "slashes", "active"],
  );
};

import { parseArgs } from "node:util";

import { zoneLabel } from "../../lib/zones.js";
import { UsageError } from "../errors.js";
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
}

/** `node list [--zone <label>] [--limit <n>]`: registered providers, best reputation first, from the indexer. */
export const nodeList: Command = async ({ args, config, out }) => {
  const { values } = parseArgs({
    args,
    options: { zone: { type: "string" }, limit: { type: "string", default: "50" } },
  });
  const limit = parseInteger("limit", values.limit, 1, 1_000);
  const where =
    values.zone === undefined ? "{ registered: true }" : `{ registered: true, zone: "${parseZone(values.zone)}" }`;
  const query = `{ nodes(where: ${where}, orderBy: "composite", orderDirection: "desc", limit: ${limit}) {
    items { id zone gpuModel vramMiB composite staked slotsDelivered slashCount active } } }`;
  let response: Response;
  try {
    response = await fetch(`${config.indexerUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
  } catch {
    throw new Error(`cannot reach the indexer at ${config.indexerUrl}: is it running and STARMINER_INDEXER_URL right?`);
  }
  const body = (await response.json()) as {
    data?: { nodes: { items: IndexedNode[] } };
    errors?: { message: string }[];
  };
  if (body.data === undefined || body.data === null) {
    throw new UsageError(`the indexer refused the query: ${body.errors?.[0]?.message ?? response.status}`);
  }
  out.table(
    body.data.nodes.items.map((node) => ({
      address: node.id,
      zone: node.zone === null ? "" : zoneLabel(node.zone as `0x${string}`),
      gpu: node.gpuModel,
      vramMiB: node.vramMiB,
      reputation: node.composite,
      staked: node.staked,
      delivered: node.slotsDelivered,
      slashes: node.slashCount,
      active: node.active,
    })),
    ["address", "zone", "gpu", "vramMiB", "reputation", "staked", "delivered", "slashes", "active"],
  );
};

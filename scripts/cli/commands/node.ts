import { parseArgs } from "node:util";

import { parseEventLogs } from "viem";
import { NodeRole, writeAndWait, zoneLabel } from "@starminer/sdk";

import { requireAccount } from "../../lib/client.js";
import { UsageError } from "../errors.js";
import { queryIndexer } from "../indexer-client.js";
import { agpu } from "../output.js";
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
      staked: out.json ? node.staked : agpu(BigInt(node.staked)),
      delivered: node.slotsDelivered,
      slashes: node.slashCount,
      active: node.active,
    })),
    ["address", "roles", "zone", "gpu", "vramMiB", "reputation", "staked", "delivered", "slashes", "active"],
  );
};

/** `node claim-bounty`: collects the slashing bounties owed to this key; refused (nothing sent) when none is owed. */
export const nodeClaimBounty: Command = async ({ args, out, protocol }) => {
  if (args.length > 0) throw new UsageError("claim-bounty takes no arguments");
  const client = await protocol();
  const account = requireAccount(client);
  const owed = await client.staking.read.unpaidBountyOf([account.address]);
  if (owed === 0n) throw new Error(`no bounty is owed to ${account.address}`);
  const { receipt } = await writeAndWait(client, client.staking, "claimBounty", []);
  const [claimed] = parseEventLogs({ abi: client.staking.abi, logs: receipt.logs, eventName: "BountyClaimed" });
  const amount = claimed?.args.amount ?? owed;
  out.record({
    account: account.address,
    claimed: out.json ? amount : agpu(amount),
    transaction: receipt.transactionHash,
  });
};

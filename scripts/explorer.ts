/**
 * Serves the explorer (building it first when its sources changed) against any indexer and chain.
 *
 *   npm run explorer -- [--indexer <url>] [--rpc <url>] [--port <n>] [--hostname <host>]
 *
 * Defaults: STARMINER_INDEXER_URL or http://127.0.0.1:42069, STARMINER_RPC_URL or http://127.0.0.1:8545, port 5173,
 * hostname 127.0.0.1. Stops on Ctrl-C.
 */
import { parseArgs } from "node:util";

import { describeError } from "@starminer/sdk";

import { buildExplorerIfStale, startExplorerServer } from "./lib/explorer/server.js";
import { portIsFree } from "./lib/ports.js";
import { UsageError } from "./lib/usage-error.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      indexer: { type: "string", default: process.env.STARMINER_INDEXER_URL || "http://127.0.0.1:42069" },
      rpc: { type: "string", default: process.env.STARMINER_RPC_URL || "http://127.0.0.1:8545" },
      port: { type: "string", default: "5173" },
      hostname: { type: "string", default: "127.0.0.1" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new UsageError(`--port must be 1-65535, got "${values.port}"`);
  for (const [flag, url] of [
    ["--indexer", values.indexer],
    ["--rpc", values.rpc],
  ] as const) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UsageError(`${flag} must be an http(s) URL, got "${url}"`);
  }
  if (!(await portIsFree(port, values.hostname))) throw new Error(`port ${port} is taken: choose another with --port`);
  buildExplorerIfStale((line) => console.log(`explorer: ${line}`));
  const explorer = await startExplorerServer({
    indexerUrl: values.indexer,
    rpcUrl: values.rpc,
    port,
    hostname: values.hostname,
  });
  console.log(`explorer: ${explorer.url}  (reading the indexer at ${values.indexer} and the chain at ${values.rpc})`);
  const stop = () => void explorer.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  console.error(`explorer: ${usage ? (error as Error).message : describeError(error)}`);
  process.exit(usage ? 2 : 1);
});

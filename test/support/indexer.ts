import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

import { ROOT, TYPESCRIPT, freePort, rpc, stopProcess, waitFor } from "./processes.js";

/** Where and how an indexer runs: the chain, the manifest, the database and its schema. */
export interface IndexerOptions {
  readonly rpcUrl: string;
  readonly manifestDir: string;
  readonly port: number;
  readonly schema: string;
  /** The embedded database's directory, or a PostgreSQL connection string. */
  readonly database: { pgliteDir: string } | { url: string };
  readonly reset?: boolean;
  /** A remote chain the bridge reaches, to follow beside the home chain. */
  readonly remoteRpcUrl?: string;
}

export interface RunningIndexer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the indexer printed so far. */
  output(): string;
  /** Stops the indexer: SIGTERM or SIGINT as a user would, SIGKILL to every process of it at once (a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the indexer the way a user does (`npm run indexer`) and resolves once its HTTP server answers. */
export async function startIndexer(options: IndexerOptions): Promise<RunningIndexer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STARMINER_RPC_URL: options.rpcUrl,
    STARMINER_MANIFEST_DIR: options.manifestDir,
  };
  delete env.DATABASE_URL;
  delete env.STARMINER_REMOTE_RPC_URL;
  if (options.remoteRpcUrl !== undefined) env.STARMINER_REMOTE_RPC_URL = options.remoteRpcUrl;
  if ("url" in options.database) env.DATABASE_URL = options.database.url;
  else env.STARMINER_INDEXER_PGLITE_DIR = options.database.pgliteDir;
  const args = [...TYPESCRIPT, "scripts/indexer.ts", "--port", String(options.port), "--schema", options.schema];
  if (options.reset === true) args.push("--reset");
  // In a process group of its own, so that a crash can be simulated by killing the runner and Ponder together.
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the indexer exited (${code}) before serving:\n${output}`))),
  );
  await Promise.race([waitFor("the indexer's HTTP server", async () => (await fetch(`${url}/health`)).ok), exited]);
  return {
    url,
    child,
    output: () => output,
    stop: (signal) => stopProcess(child, signal, { group: signal === "SIGKILL" }),
  };
}

/** The block the indexer has processed up to, or -1 before its first checkpoint. */
export async function indexedBlock(url: string): Promise<number> {
  const status = (await (await fetch(`${url}/status`)).json()) as { starminer?: { block: { number: number } } };
  return status.starminer?.block.number ?? -1;
}

/** Waits until the indexer is ready and has processed the chain's latest block. */
export async function waitUntilSynced(url: string, rpcUrl: string, timeoutMs = 180_000): Promise<void> {
  const head = Number(BigInt((await rpc(rpcUrl, "eth_blockNumber")) as string));
  await waitFor(
    `the indexer to reach block ${head}`,
    async () => (await fetch(`${url}/ready`)).ok && (await indexedBlock(url)) >= head,
    timeoutMs,
  );
}

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly body: { data?: T; errors?: { message: string }[] };
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T>["body"] };
}

/** GETs a REST route and returns its status and JSON body. */
export async function rest<T = Record<string, unknown>>(
  url: string,
  path: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

export interface IndexedEvent {
  id: string;
  blockNumber: string;
  txHash: string;
  logIndex: number;
  contract: string;
  event: string;
  actor: string;
  jobId: string | null;
  args: unknown;
}

/** Every event in the indexer's audit trail, in chain order, read through GraphQL a page at a time. */
export async function indexedEvents(url: string): Promise<IndexedEvent[]> {
  const events: IndexedEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse<{
      protocolEvents: { items: IndexedEvent[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }> = await graphql(
      url,
      `
        query Trail($after: String) {
          protocolEvents(orderBy: "id", orderDirection: "asc", limit: 1000, after: $after) {
            items {
              id
              blockNumber
              txHash
              logIndex
              contract
              event
              actor
              jobId
              args
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
        }
      `,
      { after },
    );
    if (page.body.errors !== undefined) throw new Error(page.body.errors[0]!.message);
    const { items, pageInfo } = page.body.data!.protocolEvents;
    events.push(...items);
    if (!pageInfo.hasNextPage) return events;
    after = pageInfo.endCursor;
  }
}

/**
 * Lets `indexer` get half-way to block `head` (and not further), then stops it with `signal`: SIGINT as a user
 * would, SIGKILL for a crash.
 */
export async function stopHalfWay(indexer: RunningIndexer, head: number, signal: NodeJS.Signals): Promise<void> {
  await waitFor("the indexer to be half-way", async () => (await indexedBlock(indexer.url)) >= head / 2, 120_000, 20);
  const reached = await indexedBlock(indexer.url);
  if (reached >= head) throw new Error(`the indexer reached block ${reached} of ${head} before it could be stopped`);
  await indexer.stop(signal);
}

/** An indexer of `live`'s chain on a free port, its embedded database in the market's work directory. */
export async function startIndexerOf(live: { rpcUrl: string; manifestDir: string; workDir: string }) {
  return startIndexer({
    rpcUrl: live.rpcUrl,
    manifestDir: live.manifestDir,
    port: await freePort(),
    schema: "starminer",
    database: { pgliteDir: join(live.workDir, "pglite") },
  });
}

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";

import { PROJECT_ROOT } from "../project-root.js";

/** The explorer's sources and its build (`npm run build:explorer`). */
export const EXPLORER_ROOT = join(PROJECT_ROOT, "explorer");
export const EXPLORER_DIST = join(EXPLORER_ROOT, "dist");

/** The largest request body the server relays (a GraphQL query, a JSON-RPC read). */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The JSON-RPC methods relayed to the chain: reads only. The explorer shows balances and nothing it serves can sign;
 * relaying `eth_sendRawTransaction` would make the server an open relay for whoever reaches it.
 */
const READ_METHODS = new Set([
  "eth_chainId",
  "eth_blockNumber",
  "eth_call",
  "eth_getBalance",
  "eth_getCode",
  "eth_getBlockByNumber",
  "eth_getTransactionReceipt",
  "net_version",
]);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

export interface ExplorerServerOptions {
  /** The indexer the explorer reads (its `/api`, `/graphql` and `/status` are relayed). */
  readonly indexerUrl: string;
  /** The chain's JSON-RPC endpoint, for balances (read methods only are relayed). */
  readonly rpcUrl: string;
  readonly port: number;
  readonly hostname?: string;
  /** The built explorer (default `explorer/dist`). */
  readonly distDir?: string;
}

export interface RunningExplorer {
  readonly url: string;
  close(): Promise<void>;
}

/** The newest modification time of the explorer's sources (and the SDK's, which it compiles in). */
function newestSource(): number {
  let newest = 0;
  for (const dir of [join(EXPLORER_ROOT, "src"), join(PROJECT_ROOT, "sdk", "src")]) {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  for (const file of ["index.html", "vite.config.ts"])
    newest = Math.max(newest, statSync(join(EXPLORER_ROOT, file)).mtimeMs);
  return newest;
}

/** Builds the explorer (Vite) unless its build is newer than every source; throws with Vite's output if it fails. */
export function buildExplorerIfStale(log: (line: string) => void = () => {}): void {
  const index = join(EXPLORER_DIST, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource()) return;
  log("building the explorer");
  const vite = join(EXPLORER_ROOT, "node_modules", "vite", "bin", "vite.js");
  const built = spawnSync(
    process.execPath,
    [existsSync(vite) ? vite : join(PROJECT_ROOT, "node_modules", "vite", "bin", "vite.js"), "build"],
    {
      cwd: EXPLORER_ROOT,
      encoding: "utf8",
    },
  );
  if (built.status !== 0) throw new Error(`the explorer's build failed:\n${built.stdout}${built.stderr}`);
}

async function body(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

/** Relays a request to `target` and its answer back; a 502 naming the target when it cannot be reached. */
async function relay(response: ServerResponse, target: string, init: RequestInit, what: string): Promise<void> {
  let answer: Response;
  try {
    answer = await fetch(target, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch {
    json(response, 502, { error: `the explorer's server cannot reach ${what}` });
    return;
  }
  const type = answer.headers.get("content-type");
  response.writeHead(answer.status, type === null ? {} : { "content-type": type });
  response.end(Buffer.from(await answer.arrayBuffer()));
}

async function serveFile(response: ServerResponse, distDir: string, path: string): Promise<void> {
  const relative = normalize(decodeURIComponent(path === "/" ? "/index.html" : path)).replace(/^[/\\]+/, "");
  const file = join(distDir, relative);
  if (relative.startsWith("..") || !file.startsWith(distDir + sep)) {
    json(response, 404, { error: "not found" });
    return;
  }
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    if (!existsSync(join(distDir, "index.html"))) {
      response
        .writeHead(503, { "content-type": "text/plain" })
        .end("the explorer is not built: npm run build:explorer\n");
    } else {
      json(response, 404, { error: `no file ${path}` });
    }
    return;
  }
  // Hashed assets never change; the page itself is always asked again, so a rebuild shows at once.
  const cache = relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
  response
    .writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": cache })
    .end(content);
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ExplorerServerOptions) {
  const url = new URL(request.url ?? "/", "http://explorer");
  const indexer = options.indexerUrl.replace(/\/+$/, "");
  const indexerPath = url.pathname === "/graphql" || url.pathname === "/status" || url.pathname.startsWith("/api/");
  if (indexerPath) {
    const payload = request.method === "POST" ? await body(request) : undefined;
    if (request.method === "POST" && payload === undefined) return json(response, 413, { error: "request too large" });
    const headers = { "content-type": request.headers["content-type"] ?? "application/json" };
    const init: RequestInit = {
      method: request.method ?? "GET",
      headers,
      ...(payload === undefined ? {} : { body: new Uint8Array(payload) }),
    };
    return relay(response, `${indexer}${url.pathname}${url.search}`, init, `the indexer at ${indexer}`);
  }
  if (url.pathname === "/rpc") {
    if (request.method !== "POST") return json(response, 405, { error: "POST JSON-RPC requests to /rpc" });
    const payload = await body(request);
    if (payload === undefined) return json(response, 413, { error: "request too large" });
    let calls: { method?: unknown }[];
    try {
      const parsed = JSON.parse(payload.toString("utf8")) as unknown;
      calls = Array.isArray(parsed) ? parsed : [parsed as { method?: unknown }];
    } catch {
      return json(response, 400, { error: "the body is not JSON" });
    }
    const refused = calls.find((call) => typeof call.method !== "string" || !READ_METHODS.has(call.method));
    if (refused !== undefined) {
      return json(response, 403, { error: `the explorer relays reads only, not ${String(refused.method)}` });
    }
    return relay(
      response,
      options.rpcUrl,
      { method: "POST", headers: { "content-type": "application/json" }, body: new Uint8Array(payload) },
      `the chain at ${options.rpcUrl}`,
    );
  }
  if (request.method !== "GET" && request.method !== "HEAD") return json(response, 405, { error: "read-only" });
  return serveFile(response, options.distDir ?? EXPLORER_DIST, url.pathname);
}

/**
 * Serves the built explorer and relays what it reads: the indexer's API and the chain's read-only JSON-RPC, from one
 * origin (no CORS to configure, and the indexer and node need not be exposed to browsers directly).
 */
export async function startExplorerServer(options: ExplorerServerOptions): Promise<RunningExplorer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { error: (error as Error).message });
      else response.destroy();
    });
  });
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(options.port, hostname, () => listening());
  });
  return {
    url: `http://${hostname}:${options.port}`,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

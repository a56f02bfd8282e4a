import type { Context, MiddlewareHandler } from "hono";

import { indexedHead } from "./indexed-head";
import { readRequestBody } from "./request-body";

/** How many responses are kept (STARMINER_INDEXER_CACHE_ENTRIES, 0 for none), and the largest one kept. */
const MAX_ENTRIES = cacheEntries(process.env.STARMINER_INDEXER_CACHE_ENTRIES);
const MAX_ENTRY_BYTES = 1024 * 1024;

function cacheEntries(value: string | undefined): number {
  if (value === undefined) return 2_000;
  if (!/^[0-9]{1,7}$/.test(value)) {
    throw new Error(`STARMINER_INDEXER_CACHE_ENTRIES must be an integer of 0-9999999, got "${value}"`);
  }
  return Number(value);
}

interface Entry {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Cached responses of the indexed state named by `key`; emptied when indexing moves on. */
let generation: { key: string; entries: Map<string, Entry> } = { key: "", entries: new Map() };

/**
 * The request's identity: method, path and query, and for a POST (GraphQL) its body, which this reads (at most
 * `MAX_BODY_BYTES`, else a 413) and leaves for the handlers behind.
 */
async function requestKey(c: Context): Promise<string> {
  const target = `${c.req.method} ${c.req.url}`;
  return c.req.method === "POST" ? `${target}\n${await readRequestBody(c)}` : target;
}

/**
 * Serves a repeated request from memory while the indexed state is the one its response was made from: the key is
 * every followed chain's checkpoint, read when the request arrives (requests arriving together share one read). A
 * response is never served after indexing moved on, so a cached answer is exactly what the tables would give.
 * Only successful responses are kept; each carries `x-indexed-checkpoint` and `x-cache: hit|miss`.
 * STARMINER_INDEXER_CACHE_ENTRIES=0 turns the cache off.
 */
export function responseCache(): MiddlewareHandler {
  return async (c, next) => {
    if (MAX_ENTRIES <= 0 || (c.req.method !== "GET" && c.req.method !== "POST")) return next();
    const [head, key] = await Promise.all([indexedHead(), requestKey(c)]);
    if (generation.key !== head.key) generation = { key: head.key, entries: new Map() };
    const { entries } = generation;
    const cached = entries.get(key);
    if (cached !== undefined) {
      // Most recently used last: the oldest entry is the first to go.
      entries.delete(key);
      entries.set(key, cached);
      return new Response(cached.body, {
        status: cached.status,
        headers: { "content-type": cached.contentType, "x-cache": "hit", "x-indexed-checkpoint": head.key },
      });
    }
    await next();
    c.res.headers.set("x-cache", "miss");
    c.res.headers.set("x-indexed-checkpoint", head.key);
    if (c.res.status !== 200) return;
    const body = await c.res.clone().text();
    if (body.length > MAX_ENTRY_BYTES) return;
    entries.set(key, { status: c.res.status, contentType: c.res.headers.get("content-type") ?? "", body });
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  };
}

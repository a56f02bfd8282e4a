import type { Context, MiddlewareHandler } from "hono";

import { indexedHead, readsIndexedHead } from "./indexed-head";
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
  /** The indexed head the answer was made at, when it was made from the head (else it holds while the data does). */
  readonly headKey: string | undefined;
}

/** Cached responses made from the tables in the state named by `dataKey`; emptied when the tables change. */
let generation: { dataKey: string; entries: Map<string, Entry> } = { dataKey: "", entries: new Map() };

/** Answers being made, by indexed head and request: a request arriving meanwhile waits for its twin's answer. */
const making = new Map<string, Promise<Entry | undefined>>();

/**
 * The request's identity: method, path and query, and for a POST (GraphQL) its body, which this reads (at most
 * `MAX_BODY_BYTES`, else a 413) and leaves for the handlers behind.
 */
async function requestKey(c: Context): Promise<string> {
  const target = `${c.req.method} ${c.req.url}`;
  return c.req.method === "POST" ? `${target}\n${await readRequestBody(c)}` : target;
}

/** A GraphQL operation that may ask for `_meta` (the indexed blocks) is an answer made from the head. */
const asksForMeta = (key: string) => key.includes("_meta");

function send(entry: Entry, cache: "hit" | "shared", headKey: string): Response {
  return new Response(entry.body, {
    status: entry.status,
    headers: { "content-type": entry.contentType, "x-cache": cache, "x-indexed-checkpoint": headKey },
  });
}

/**
 * Serves a repeated request from memory while the tables are in the state its response was made from: the state
 * is named by each followed chain's newest indexed event (`IndexedHead.dataKey`), read when the request arrives (requests arriving together share one
 * read). An answer that read the indexed head itself (a reputation decayed to the head's time, GraphQL's `_meta`)
 * is served only at the head it was made at. So a block without protocol events keeps what the cache holds, and a
 * cached answer is exactly what the tables would give at the current head.
 * Identical requests arriving while one of them is being answered wait for that answer instead of each running the
 * queries (`x-cache: shared`), which matters when a block has emptied the cache and many clients ask again.
 * Only successful responses are kept; each carries `x-indexed-checkpoint` (the head read on arrival) and
 * `x-cache: hit|shared|miss`. STARMINER_INDEXER_CACHE_ENTRIES=0 turns the cache off.
 */
export function responseCache(): MiddlewareHandler {
  return async (c, next) => {
    if (MAX_ENTRIES <= 0 || (c.req.method !== "GET" && c.req.method !== "POST")) return next();
    const [head, key] = await Promise.all([indexedHead(), requestKey(c)]);
    if (generation.dataKey !== head.dataKey) generation = { dataKey: head.dataKey, entries: new Map() };
    const { entries } = generation;
    const cached = entries.get(key);
    if (cached !== undefined && (cached.headKey === undefined || cached.headKey === head.key)) {
      // Most recently used last: the oldest entry is the first to go.
      entries.delete(key);
      entries.set(key, cached);
      return send(cached, "hit", head.key);
    }
    const twin = `${head.key}\n${key}`;
    // Looked up and joined without yielding in between: a twin arriving in the same turn finds this one's promise.
    const pending = making.get(twin);
    const shared = pending === undefined ? undefined : await pending;
    if (shared !== undefined) return send(shared, "shared", head.key);

    let made!: (entry: Entry | undefined) => void;
    making.set(twin, new Promise((resolve) => (made = resolve)));
    let entry: Entry | undefined;
    try {
      const { readsHead } = await readsIndexedHead(next);
      c.res.headers.set("x-cache", "miss");
      c.res.headers.set("x-indexed-checkpoint", head.key);
      if (c.res.status !== 200) return;
      const body = await c.res.clone().text();
      if (body.length > MAX_ENTRY_BYTES) return;
      entry = {
        status: c.res.status,
        contentType: c.res.headers.get("content-type") ?? "",
        body,
        headKey: readsHead || asksForMeta(key) ? head.key : undefined,
      };
      entries.set(key, entry);
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    } finally {
      making.delete(twin);
      made(entry);
    }
  };
}

import { AsyncLocalStorage } from "node:async_hooks";

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
  /** The state of the rows the answer read, when its route names it (`keptWhileUnchanged`). */
  readonly version: string | undefined;
}

/** Cached responses made from the tables in the state named by `dataKey`; emptied when the tables change. */
let generation: { dataKey: string; entries: Map<string, Entry> } = { dataKey: "", entries: new Map() };

/**
 * Answers whose routes named the state of the rows they read, kept across changes of the tables (most recently used
 * last): after a change, such an answer is served again once its route finds those rows unchanged.
 */
const versioned = new Map<string, Entry>();

/** Answers being made, by indexed head and request: a request arriving meanwhile waits for its twin's answer. */
const making = new Map<string, Promise<Entry | undefined>>();

/** What the request being answered may reuse, and what its route said about the rows it read. */
interface Revalidation {
  readonly previous: Entry | undefined;
  version: string | undefined;
  reused: boolean;
}

const revalidations = new AsyncLocalStorage<Revalidation>();

/**
 * Lets an answer outlive changes of the tables that did not touch the rows it reads. `version` names the state of
 * those rows in one cheap query (say, the newest audit-trail event of a job, for a route that reads only that job's
 * rows); it must change whenever any of them does, in a reorganisation too. When the tables have changed since this
 * request was last answered and `version` is what it was then, the answer then is served again (`x-cache:
 * revalidated`) without running `answer`. `version` is read before and after `answer`; the answer is kept for
 * reuse only if both reads agree (no block indexed in between touched the rows). Outside the cache (turned off, or
 * a method it does not keep) this is `answer()`.
 */
export async function keptWhileUnchanged(
  version: () => Promise<string>,
  answer: () => Promise<Response>,
): Promise<Response> {
  const revalidation = revalidations.getStore();
  if (revalidation === undefined) return answer();
  const before = await version();
  const previous = revalidation.previous;
  if (previous !== undefined && previous.version === before) {
    revalidation.version = before;
    revalidation.reused = true;
    return new Response(previous.body, { status: previous.status, headers: { "content-type": previous.contentType } });
  }
  const response = await answer();
  if ((await version()) === before) revalidation.version = before;
  return response;
}

/** Whether the answer being made may be kept by the cache, so that naming the rows it reads is worth a query. */
export function answerMayBeKept(): boolean {
  return revalidations.getStore() !== undefined;
}

function keepVersioned(key: string, entry: Entry) {
  if (entry.version === undefined) return;
  versioned.set(key, entry);
  if (versioned.size > MAX_ENTRIES) versioned.delete(versioned.keys().next().value!);
}

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
 * is named by each followed chain's newest indexed event (`IndexedHead.dataKey`), read when the request arrives
 * (requests arriving together share one read). An answer that read the indexed head itself (a reputation decayed to
 * the head's time, GraphQL's `_meta`) is served only at the head it was made at. So a block without protocol events
 * keeps what the cache holds, and a cached answer is exactly what the tables would give at the current head. A
 * route that can name the state of the rows it reads (`keptWhileUnchanged`) has its answer served again after the
 * tables changed elsewhere, for the price of that one query (`x-cache: revalidated`).
 * Identical requests arriving while one of them is being answered wait for that answer instead of each running the
 * queries (`x-cache: shared`), which matters when a block has emptied the cache and many clients ask again.
 * Only successful responses are kept; each carries `x-indexed-checkpoint` (the head read on arrival) and
 * `x-cache: hit|shared|revalidated|miss`. STARMINER_INDEXER_CACHE_ENTRIES=0 turns the cache off.
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
    const revalidation: Revalidation = { previous: versioned.get(key), version: undefined, reused: false };
    try {
      const readsHead = await revalidations.run(revalidation, () => readsIndexedHead(next));
      versioned.delete(key);
      c.res.headers.set("x-cache", revalidation.reused ? "revalidated" : "miss");
      c.res.headers.set("x-indexed-checkpoint", head.key);
      if (c.res.status !== 200) return;
      const body = await c.res.clone().text();
      if (body.length > MAX_ENTRY_BYTES) return;
      const madeFromHead = readsHead || asksForMeta(key);
      entry = {
        status: c.res.status,
        contentType: c.res.headers.get("content-type") ?? "",
        body,
        headKey: madeFromHead ? head.key : undefined,
        // An answer made from the head is kept for that head only, whatever the rows it read.
        version: madeFromHead ? undefined : revalidation.version,
      };
      entries.set(key, entry);
      keepVersioned(key, entry);
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    } finally {
      making.delete(twin);
      made(entry);
    }
  };
}

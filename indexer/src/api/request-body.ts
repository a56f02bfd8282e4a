import type { IncomingMessage } from "node:http";

import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** The largest request body the API reads (a GraphQL operation is far smaller; the operation limits come after). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Node's request, which the Node adapter hands the app as `c.env.incoming`; `rawBody` is the adapter's own hook. */
type NodeRequest = IncomingMessage & { rawBody?: Buffer };

/**
 * A 413 that also closes the connection: a body over `MAX_DRAIN_BYTES` is not read to its end, so the socket cannot
 * carry the client's next request (a client reusing it would see it reset).
 */
function tooLarge(): never {
  throw new HTTPException(413, {
    res: new Response(JSON.stringify({ error: `request body larger than ${MAX_BODY_BYTES} bytes` }), {
      status: 413,
      headers: { "content-type": "application/json", connection: "close" },
    }),
  });
}

/**
 * The request's body as text, refused with a 413 past `MAX_BODY_BYTES` (by its declared length or while reading;
 * up to `MAX_DRAIN_BYTES` of it is read first), whatever the route.
 *
 * Read from Node's own request: building the WHATWG `Request` and reading its body through a web stream costs
 * more than a cached answer does, and most POSTs are answered from the cache. The bytes are then left as the
 * request's `rawBody`, from which the Node adapter builds the body of `c.req.raw` if a handler behind asks for it
 * (a cache miss), so the body is read from the socket once.
 */
export async function readRequestBody(c: Context): Promise<string> {
  return (await bufferRequestBody(c)).toString("utf8");
}

/**
 * The most of an oversized body the API reads, and discards, before its 413: a client still sending its body then
 * gets the answer instead of a connection reset under its write. A larger body is not read on (the connection is
 * dropped), so nobody makes the API read more than this for one request.
 */
export const MAX_DRAIN_BYTES = 1024 * 1024;

/** The request's body as bytes, read once from Node's request and kept as its `rawBody` (see readRequestBody). */
async function bufferRequestBody(c: Context): Promise<Buffer> {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_DRAIN_BYTES) return tooLarge();
  const incoming = (c.env as { incoming?: NodeRequest } | undefined)?.incoming;
  // Ponder serves the API with Hono's Node adapter, which always passes Node's request.
  if (incoming === undefined) throw new Error("the API is served without Node's request at hand (c.env.incoming)");
  if (incoming.rawBody === undefined) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) break;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
    if (size > MAX_BODY_BYTES || declared > MAX_BODY_BYTES) return tooLarge();
    incoming.rawBody = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }
  return incoming.rawBody;
}

/**
 * Reads every request's body up front, so that the limit holds on every route, with the response cache on or off;
 * handlers and the cache then find it read.
 */
export function requestBodyLimit(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") await bufferRequestBody(c);
    await next();
  };
}

import { type ReadStream, createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { mkdir, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

import { type Address, type Hex, getAddress } from "viem";
import {
  MAX_ENVELOPE_BYTES,
  RAW_BLOCK_TYPE,
  type SignedEnvelope,
  artifactCidFromDigest,
  envelopeSigner,
  parseCid,
  parseSignedEnvelope,
} from "@starminer/sdk";

import { writeFileAtomically } from "../files.js";

/**
 * The StarMiner content gateway: artifacts over HTTP(S), by CID, in the IPFS gateway's path shape
 * (`GET /ipfs/<cid>`, answered as a raw block, `application/vnd.ipld.raw`), so a reader can point at this gateway or
 * at any IPFS gateway that holds the block.
 *
 * - **Download**: `GET`/`HEAD /ipfs/<cid>`, with `Range: bytes=a-b` (one range; 206, or 416 when it cannot be
 *   satisfied). Responses are immutable (the address is the content) with the CID as ETag. A whole-file download is
 *   hashed while it is sent, and the connection is cut if the stored bytes no longer match (a corrupted disk never
 *   serves a complete wrong file); the reader checks again in any case. A range is sent as stored: only a whole
 *   artifact can be checked against its CID, so a reader of ranges trusts the gateway for them.
 * - **Upload**: `PUT /ipfs/` with the bytes as the body; the answer is `{ cid, bytes }`. The body is streamed to a
 *   temporary file while it is hashed and counted, refused past `maxUploadBytes` (413), and filed under its CID only
 *   when complete. Uploads need `Authorization: Bearer <uploadToken>` when a token is set, and are refused
 *   altogether when the gateway is read-only, so a public gateway is not a free disk.
 * - **Mailboxes**: `GET`/`PUT /keys/<mailbox>/<sender>`, where job keys and sealed outputs' keys are left for
 *   their one recipient (see the SDK's `workloads/key-release.ts`); a sender writes only its own box, under the
 *   same upload policy. `GET /keys/<mailbox>/` lists the senders.
 * - **TLS** when given a certificate and key.
 */
export interface GatewayOptions {
  readonly directory: string;
  readonly host?: string;
  readonly port?: number;
  /** Largest upload accepted, in bytes (default 256 MiB). */
  readonly maxUploadBytes?: number;
  /** Required as a bearer token for uploads; without it, uploads are open (`uploads: "open"`) or refused. */
  readonly uploadToken?: string;
  readonly uploads?: "open" | "token" | "none";
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface RunningGateway {
  readonly url: string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  await mkdir(options.directory, { recursive: true });
  await removeAbandonedUploads(options.directory);
  const uploads = options.uploads ?? (options.uploadToken ? "token" : "none");
  if (uploads === "token" && !options.uploadToken) throw new Error("uploads by token need an upload token");
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response, options, uploads).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, { error: `the gateway failed: ${(error as Error).message}` });
      else response.destroy();
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `${options.tls ? "https" : "http"}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: GatewayOptions, uploads: string) {
  const url = new URL(request.url ?? "/", "http://gateway");
  if (request.method === "PUT" && url.pathname === "/ipfs/") return upload(request, response, options, uploads);
  const listing = /^\/keys\/(0x[0-9a-f]{64})\/$/.exec(url.pathname);
  if (listing !== null && request.method === "GET") return listSenders(response, options, listing[1] as Hex);
  const box = /^\/keys\/(0x[0-9a-f]{64})\/(0x[0-9a-fA-F]{40})$/.exec(url.pathname);
  if (box !== null) return mailbox(request, response, options, uploads, box[1] as Hex, getAddress(box[2]!));
  const match = /^\/ipfs\/([^/]+)$/.exec(url.pathname);
  if (match === null) return reply(response, 404, { error: "not found: the gateway serves /ipfs/<cid>" });
  if (request.method !== "GET" && request.method !== "HEAD") {
    return reply(response, 405, { error: `${request.method} is not allowed here` }, { allow: "GET, HEAD" });
  }
  const cid = match[1]!;
  try {
    if (parseCid(cid).toString() !== cid) throw new Error("not in canonical base32 form");
  } catch (error) {
    return reply(response, 400, { error: `${cid} is not a CID this gateway serves: ${(error as Error).message}` });
  }
  const file = join(options.directory, cid);
  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return reply(response, 404, { error: `${cid} is not held here` });
  const headers = {
    "content-type": RAW_BLOCK_TYPE,
    etag: `"${cid}"`,
    "cache-control": "public, max-age=31536000, immutable",
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
  };
  const range = parseRange(request.headers.range, size);
  if (range === "unsatisfiable") {
    return reply(
      response,
      416,
      { error: `the range ${request.headers.range} is not within ${size} bytes` },
      { "content-range": `bytes */${size}` },
    );
  }
  if (range !== undefined) {
    response.writeHead(206, {
      ...headers,
      "content-length": range.end - range.start + 1,
      "content-range": `bytes ${range.start}-${range.end}/${size}`,
    });
    if (request.method === "HEAD") return response.end();
    return pipe(createReadStream(file, range), response);
  }
  response.writeHead(200, { ...headers, "content-length": size });
  if (request.method === "HEAD") return response.end();
  return sendVerified(createReadStream(file), response, cid);
}

/**
 * Sends a whole file while hashing it, holding back its last chunk until the hash is known: stored bytes that no
 * longer match their CID are never served complete, the connection is cut instead.
 */
async function sendVerified(stream: ReadStream, response: ServerResponse, cid: string): Promise<void> {
  const hash = createHash("sha256");
  const closed = new Promise<void>((resolve) => response.once("close", () => resolve()));
  // The headers go out at once: a reader of a small file whose bytes turn out wrong sees a download cut short, not a
  // gateway that could not be reached.
  response.flushHeaders();
  let held: Buffer | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (held !== undefined && !response.write(held)) {
        await Promise.race([once(response, "drain"), closed]);
        if (response.destroyed) return;
      }
      held = chunk;
    }
  } catch (error) {
    response.destroy(error as Error);
    return;
  } finally {
    stream.destroy();
  }
  if (artifactCidFromDigest(hash.digest()) !== cid) {
    response.destroy(new Error(`the stored bytes of ${cid} do not match it`));
    return;
  }
  response.end(held);
}

/** Whether the gateway's upload policy lets this request write; answers 403 or 401 when it does not. */
function mayWrite(request: IncomingMessage, response: ServerResponse, options: GatewayOptions, uploads: string) {
  if (uploads === "none") {
    reply(response, 403, { error: "this gateway does not take uploads" });
    return false;
  }
  if (uploads === "token" && !bearerMatches(request.headers.authorization, options.uploadToken!)) {
    reply(
      response,
      401,
      { error: "uploads need Authorization: Bearer <upload token>" },
      { "www-authenticate": "Bearer" },
    );
    return false;
  }
  return true;
}

async function upload(request: IncomingMessage, response: ServerResponse, options: GatewayOptions, uploads: string) {
  if (!mayWrite(request, response, options, uploads)) return;
  const limit = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) return tooLarge(response, limit);
  const temporary = join(options.directory, `.upload-${randomBytes(8).toString("hex")}`);
  const hash = createHash("sha256");
  let received = 0;
  const file = createWriteStream(temporary);
  let failed: Error | undefined;
  file.on("error", (error) => (failed ??= error));
  const fileClosed = new Promise<void>((resolve) => file.once("close", () => resolve()));
  const discard = async () => {
    if (!file.closed) {
      // Not events.once: a write still in flight fails with ERR_STREAM_DESTROYED, which once() would throw.
      file.destroy();
      await fileClosed;
    }
    await rm(temporary, { force: true });
  };
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limit) {
        await discard();
        return tooLarge(response, limit);
      }
      hash.update(chunk);
      if (!file.write(chunk)) await Promise.race([once(file, "drain"), fileClosed]);
      if (failed) throw failed;
    }
    await new Promise<void>((resolve, reject) =>
      file.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (failed) throw failed;
    const cid = artifactCidFromDigest(hash.digest());
    await rename(temporary, join(options.directory, cid));
    reply(response, 201, { cid, bytes: received }, { location: `/ipfs/${cid}` });
  } catch (error) {
    await discard();
    throw error;
  }
}

/**
 * `GET`/`PUT /keys/<mailbox>/<sender>`: the envelope `sender` left in a mailbox (see the SDK's
 * `workloads/key-release.ts`). A `PUT` is taken under the upload policy, only when its signature recovers to `sender`
 * (nobody writes another's box), and replaces the sender's earlier envelope; a `GET` answers it as posted, and the
 * reader checks the signature again.
 */
async function mailbox(
  request: IncomingMessage,
  response: ServerResponse,
  options: GatewayOptions,
  uploads: string,
  name: Hex,
  sender: Address,
) {
  const file = join(options.directory, ".keys", name, `${sender.toLowerCase()}.json`);
  if (request.method === "GET" || request.method === "HEAD") {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) return reply(response, 404, { error: `no envelope from ${sender} in ${name}` });
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    return response.end(request.method === "HEAD" ? undefined : text);
  }
  if (request.method !== "PUT") {
    return reply(response, 405, { error: `${request.method} is not allowed here` }, { allow: "GET, HEAD, PUT" });
  }
  if (!mayWrite(request, response, options, uploads)) return;
  if (Number(request.headers["content-length"] ?? 0) > MAX_ENVELOPE_BYTES)
    return tooLarge(response, MAX_ENVELOPE_BYTES);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > MAX_ENVELOPE_BYTES) return tooLarge(response, MAX_ENVELOPE_BYTES);
    chunks.push(chunk);
  }
  let signed: SignedEnvelope;
  try {
    signed = parseSignedEnvelope(JSON.parse(Buffer.concat(chunks).toString("utf8")));
  } catch (error) {
    return reply(response, 400, { error: `not an envelope: ${(error as Error).message}` });
  }
  const signer = await envelopeSigner(name, signed).catch(() => undefined);
  if (signer !== sender) {
    return reply(response, 403, { error: `the envelope is not signed by ${sender}: only a sender writes its box` });
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomically(file, JSON.stringify(signed));
  reply(response, 201, { mailbox: name, sender });
}

/** `GET /keys/<mailbox>/`: the senders who left an envelope there (a requester finds auditors' key requests so). */
async function listSenders(response: ServerResponse, options: GatewayOptions, name: Hex) {
  const names = await readdir(join(options.directory, ".keys", name)).catch(() => [] as string[]);
  const senders = names
    .filter((file) => /^0x[0-9a-f]{40}\.json$/.test(file))
    .map((file) => getAddress(file.slice(0, 42)));
  reply(response, 200, { mailbox: name, senders });
}

function tooLarge(response: ServerResponse, limit: number) {
  reply(
    response,
    413,
    { error: `the upload is larger than this gateway's limit of ${limit} bytes` },
    { connection: "close" },
  );
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; undefined for none (or several: answered whole). */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (match === null || (match[1] === "" && match[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

function pipe(stream: NodeJS.ReadableStream & { destroy(): void }, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    stream.pipe(response);
    response.on("close", () => {
      stream.destroy();
      resolve();
    });
  });
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

async function removeAbandonedUploads(directory: string) {
  for (const name of await readdir(directory)) {
    if (name.startsWith(".upload-")) await rm(join(directory, name), { force: true });
  }
}

import { replaceBigInts } from "ponder";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { type Address, type Hex, getAddress, isAddress, isHex } from "viem";

import { Tier, byLowerCaseName } from "../../../sdk/src/market.js";
import { zoneId } from "../../../sdk/src/zones.js";

/** Ends the request with `status` and a JSON body `{ "error": message }`. */
export function fail(status: 400 | 404, message: string): never {
  throw new HTTPException(status, {
    res: new Response(JSON.stringify({ error: message }), {
      status,
      headers: { "content-type": "application/json" },
    }),
  });
}

/** Sends `body` as JSON with integers too large for JSON numbers as decimal strings. */
export function send(c: Context, body: unknown) {
  return c.json(replaceBigInts(body as object, (value) => value.toString()) as object);
}

const TIERS_BY_NAME = byLowerCaseName(Tier);

/** A tier given as its index (0-2) or its name, case-insensitively. */
export function parseTier(value: string): number {
  const byName = TIERS_BY_NAME[value.toLowerCase()];
  if (byName !== undefined) return byName;
  if (/^[0-2]$/.test(value)) return Number(value);
  return fail(400, `tier must be 0, 1, 2, economy, standard or priority; got "${value}"`);
}

/** A zone given as its 32-byte id or its label (e.g. `eu-west`). */
export function parseZone(value: string): Hex {
  if (isHex(value) && value.length === 66) return value.toLowerCase() as Hex;
  try {
    return zoneId(value);
  } catch {
    return fail(400, `zone must be a label of 1-32 bytes or a 32-byte hex id; got "${value}"`);
  }
}

export function parseAddress(value: string): Address {
  if (!isAddress(value, { strict: false })) return fail(400, `not an address: "${value}"`);
  return getAddress(value);
}

export function parseJobId(value: string): bigint {
  if (!/^[1-9][0-9]{0,30}$/.test(value)) return fail(400, `job id must be a positive integer; got "${value}"`);
  return BigInt(value);
}

/** An optional integer query parameter within [min, max]. */
export function queryInteger(c: Context, name: string, min: bigint, max: bigint): bigint | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (!/^-?[0-9]{1,30}$/.test(raw)) return fail(400, `${name} must be an integer; got "${raw}"`);
  const value = BigInt(raw);
  if (value < min || value > max) return fail(400, `${name} must be between ${min} and ${max}; got ${raw}`);
  return value;
}

/** An optional query parameter that must be one of `choices`. */
export function queryChoice<const ChoiceT extends string>(
  c: Context,
  name: string,
  choices: readonly ChoiceT[],
): ChoiceT | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    return fail(400, `${name} must be one of ${choices.join(", ")}; got "${raw}"`);
  }
  return raw as ChoiceT;
}

export const MAX_PAGE = 1_000n;

/** The `limit` query parameter: 1-1 000, `fallback` when absent. */
export function queryLimit(c: Context, fallback: number): number {
  return Number(queryInteger(c, "limit", 1n, MAX_PAGE) ?? BigInt(fallback));
}

/**
 * Keyset pagination. Lists are ordered by row id, which sorts in chain order (block, transaction, log), so the order
 * is total and stable; `?cursor=` is the `nextCursor` of the previous page, and a page continues strictly after it.
 */
export type Order = "asc" | "desc";

/** The `order` query parameter: newest first (`desc`) unless `asc` is asked for. */
export function queryOrder(c: Context): Order {
  const raw = c.req.query("order") ?? "desc";
  if (raw !== "asc" && raw !== "desc") return fail(400, `order must be asc or desc; got "${raw}"`);
  return raw;
}

/** The `cursor` query parameter: a row id as a previous page's `nextCursor` gave it. */
export function queryCursor(c: Context): string | undefined {
  const raw = c.req.query("cursor");
  if (raw === undefined) return undefined;
  if (!/^[0-9a-zA-Z-]{1,200}$/.test(raw))
    return fail(400, `cursor must be a nextCursor this API returned; got "${raw}"`);
  return raw;
}

/**
 * The `cursor` query parameter of a list ordered by two integer columns (`<first>-<second>`, e.g. a proposal's time
 * and id, or a transfer's source chain and nonce).
 */
export function queryPairCursor(c: Context): [bigint, bigint] | undefined {
  const raw = c.req.query("cursor");
  if (raw === undefined) return undefined;
  const match = /^([0-9]{1,78})-([0-9]{1,78})$/.exec(raw);
  if (match === null) return fail(400, `cursor must be a nextCursor this API returned; got "${raw}"`);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

/**
 * A page of at most `limit` rows from `rows` (fetched with `limit + 1`), and the next page's cursor (the last row's
 * id, or what `cursorOf` makes of it), or null on the last page.
 */
export function page<RowT>(
  rows: RowT[],
  limit: number,
  cursorOf: (row: RowT) => string = (row) => (row as { id: string }).id,
) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items.at(-1)!) : null };
}

/** Hex strings in the database are lower case: compare addresses in that form. */
export function lower<T extends string>(value: T): T {
  return value.toLowerCase() as T;
}

/**
 * An embedded database whose last run was not stopped cleanly (./pglite-stop.mjs): Ponder was killed or crashed
 * mid-write, or stopped on its own, and what it holds may be torn, RPC cache included.
 */
import type { SqlSession } from "./sql.js";

/**
 * Forgets everything Ponder indexed into the embedded database: the app schemas `schemas` and Ponder's RPC cache
 * (`ponder_sync`). The runner's own records (the chain's fingerprint, reorganisations seen) were written in its own
 * sessions, closed cleanly, and stay. Returns whether there was anything to forget.
 */
export async function dropUncleanState(session: SqlSession, schemas: readonly string[]): Promise<boolean> {
  const [cache] = await session.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = 'ponder_sync') AS found",
  );
  if (schemas.length === 0 && cache?.found !== true) return false;
  for (const schema of schemas) await session.query(`DROP SCHEMA "${schema}" CASCADE`);
  await session.query("DROP SCHEMA IF EXISTS ponder_sync CASCADE");
  return true;
}

import type { Database } from "../../scripts/lib/indexer/database.js";
import { appTableNames, openDatabase } from "../../scripts/lib/indexer/sql.js";

/**
 * Every row of every table of the app schema `schema` (Ponder's own bookkeeping left out), each row as its JSON
 * text, in a fixed order: for comparing two indexers' databases table by table. The indexer must be stopped (an
 * embedded database has one process at a time).
 */
export async function appTables(database: Database, schema: string): Promise<Map<string, string[]>> {
  const session = await openDatabase(database);
  if (session === undefined) throw new Error("the indexer has no database yet");
  try {
    const dump = new Map<string, string[]>();
    for (const name of await appTableNames(session, schema)) {
      const rows = await session.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "${schema}"."${name}" AS t ORDER BY 1`,
      );
      dump.set(
        name,
        rows.map((r) => r.row),
      );
    }
    return dump;
  } finally {
    await session.close();
  }
}

import { existsSync } from "node:fs";
import { join } from "node:path";

import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

import type { Database } from "./database.js";

/** The few things the runner asks of the indexer's database while Ponder is not running. */
export interface SqlSession {
  query<RowT extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<RowT[]>;
  /** Runs `work` in one transaction: all of it or none. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the indexer's database, or returns undefined when there is none yet (an embedded database that was never
 * created: opening it would create one).
 */
export async function openDatabase(database: Database): Promise<SqlSession | undefined> {
  if (database.kind === "pglite") {
    if (!existsSync(join(database.directory, "PG_VERSION"))) return undefined;
    const db = new PGlite(database.directory);
    await db.waitReady;
    /** A session over PGlite or one of its transactions; inside a transaction, `transaction` runs in it. */
    const over = (run: Pick<PGlite, "query">, inTransaction: boolean): SqlSession => {
      const session: SqlSession = {
        query: async <RowT>(text: string, params: unknown[] = []) => (await run.query<RowT>(text, params)).rows,
        transaction: <T>(work: (session: SqlSession) => Promise<T>) =>
          inTransaction ? work(session) : (db.transaction((tx) => work(over(tx, true))) as Promise<T>),
        close: () => db.close(),
      };
      return session;
    };
    return over(db, false);
  }
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL: ${(error as Error).message}`);
  }
  const session: SqlSession = {
    query: async <RowT extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      (await client.query<RowT>(text, params)).rows,
    async transaction(work) {
      await client.query("BEGIN");
      try {
        const result = await work(session);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    },
    close: () => client.end(),
  };
  return session;
}

/** Whether `table` (schema-qualified, quoted where needed) exists. */
export async function tableExists(session: SqlSession, table: string): Promise<boolean> {
  const [row] = await session.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [table]);
  return row?.found != null;
}

/** The tables of Ponder app schema `schema` that hold the app's rows (Ponder's own, `_ponder_*` and `_reorg__*`, left out). */
export async function appTableNames(session: SqlSession, schema: string): Promise<string[]> {
  const rows = await session.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%' ORDER BY 1`,
    [schema],
  );
  return rows.map((row) => row.name);
}

/**
 * SQL for the block number in a Ponder checkpoint column: a checkpoint is a fixed-width string (timestamp 10
 * digits, chain id 16, block number 16, then the transaction, event type and event), so the block number is 16
 * characters from the 27th.
 */
export const checkpointBlock = (column: string) => `substring(${column}, 27, 16)::numeric`;

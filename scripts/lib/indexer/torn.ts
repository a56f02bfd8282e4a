/**
 * A torn write: app rows without the checkpoint that covers them. Ponder writes each batch of blocks (its rows
 * and its checkpoint) in one transaction, and after a crash resumes from its checkpoint, undoing the rows of
 * unfinalized blocks with its `_reorg__*` tables. On the embedded database, an indexer stopped during its first
 * batch on a warm RPC cache (gracefully or killed alike; which Ponder path commits them is not known) was seen to
 * leave part of that batch's rows behind without its checkpoint: every later start then replays the batch onto its
 * own rows and dies on a primary-key conflict (rows in `zone`, an empty audit trail and the initial checkpoint). `tornRows` finds such rows; a schema holding them is dropped and rebuilt, from
 * the RPC cache (written apart from the app's tables, and not affected) and from the chain after it.
 */
import { type SqlSession, appTableNames, checkpointBlock, tableExists as exists } from "./sql.js";

/**
 * How many rows of app schema `schema` its checkpoint does not cover: with no checkpoint at all (none committed
 * yet) or an empty audit trail, every row of every table (every change to a table comes from an event, and every
 * event writes the trail); otherwise the events of the trail beyond the block Ponder resumes from that no undo
 * record covers.
 */
export async function tornRows(session: SqlSession, schema: string): Promise<number> {
  const checkpoints = `"${schema}"._ponder_checkpoint`;
  if (!(await exists(session, checkpoints))) return 0;
  const trail = `"${schema}".protocol_event`;
  if (!(await exists(session, trail))) return 0;
  const [{ checkpointed, events } = { checkpointed: 0, events: 0 }] = await session.query<{
    checkpointed: number;
    events: number;
  }>(
    `SELECT (SELECT count(*)::int FROM ${checkpoints}) AS checkpointed, (SELECT count(*)::int FROM ${trail}) AS events`,
  );
  if (checkpointed === 0 || events === 0) {
    let rows = 0;
    for (const name of await appTableNames(session, schema)) {
      const [row] = await session.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM "${schema}"."${name}"`);
      rows += row?.rows ?? 0;
    }
    return rows;
  }
  const undo = (await exists(session, `"${schema}"._reorg__protocol_event`))
    ? `AND NOT EXISTS (SELECT 1 FROM "${schema}"._reorg__protocol_event AS r WHERE r.id = e.id)`
    : "";
  const [row] = await session.query<{ torn: number }>(
    `SELECT count(*)::int AS torn FROM ${trail} AS e
     LEFT JOIN ${checkpoints} AS c ON c.chain_id = e.chain_id
     WHERE (c.chain_id IS NULL OR e.block_number > ${checkpointBlock("c.safe_checkpoint")}) ${undo}`,
  );
  return row?.torn ?? 0;
}

/** Drops each schema of `schemas` that holds a torn write, and returns them with how many rows were torn. */
export async function dropTornSchemas(
  session: SqlSession,
  schemas: readonly string[],
): Promise<{ schema: string; rows: number }[]> {
  const torn: { schema: string; rows: number }[] = [];
  for (const schema of schemas) {
    const rows = await tornRows(session, schema);
    if (rows > 0) torn.push({ schema, rows });
  }
  for (const { schema } of torn) await session.query(`DROP SCHEMA "${schema}" CASCADE`);
  return torn;
}

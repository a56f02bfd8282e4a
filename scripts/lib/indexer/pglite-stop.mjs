// @ts-check
/**
 * How an embedded (PGlite) database is stopped without tearing what it holds.
 *
 * PGlite runs one statement at a time on one session, and a transaction holds that session from BEGIN to COMMIT
 * behind a lock; its `close()` takes no lock. Ponder shuts down by itself when it cannot write its log (the runner,
 * which reads it, has gone) or on an error, and its shutdown closes the database: inside a batch's transaction, that
 * left the batch's first tables written without its checkpoint, and every later start died on a primary-key
 * conflict. So every close waits until the database is idle (`closeOnlyWhenIdle`), the runner stops Ponder by
 * closing its databases that way (`closeAndMark`), and a file beside the database (`<directory>.clean-stop`) says
 * it was. The runner takes that file away at each start (`takeCleanStop`); a database whose last run left none was
 * not stopped by the runner (Ponder was killed, crashed, or stopped itself), and what it holds is not trusted.
 *
 * Plain JavaScript: it is loaded into Ponder's process (`node --import`), which runs without a TypeScript loader.
 */
import { existsSync, unlinkSync, writeFileSync } from "node:fs";

/** The file that says the embedded database at `directory` was last stopped cleanly. */
export const cleanStopFileOf = (directory) => `${directory}.clean-stop`;

/**
 * Whether the embedded database at `directory` was last stopped cleanly; the mark is taken away, so that a run that
 * ends otherwise leaves none.
 * @param {string} directory
 * @returns {boolean}
 */
export function takeCleanStop(directory) {
  const file = cleanStopFileOf(directory);
  if (!existsSync(file)) return false;
  unlinkSync(file);
  return true;
}

/**
 * @typedef {{
 *   _runExclusiveTransaction<T>(work: () => Promise<T>): Promise<T>,
 *   _runExclusiveQuery<T>(work: () => Promise<T>): Promise<T>,
 *   close(): Promise<void>,
 *   readonly closed: boolean,
 * }} EmbeddedDatabase
 */

/**
 * Makes `close` of every database of class `Database` (PGlite) wait until no transaction is open and no query
 * runs, by taking PGlite's two locks first (every transaction and query takes them), and do nothing on a database
 * already closed. PGlite's own `close` takes neither: Ponder's shutdown (which starts on its own when it cannot
 * write its log, as when the runner has gone) would otherwise close the database inside a batch's transaction and
 * leave that batch half-written.
 * @param {{ prototype: EmbeddedDatabase }} Database
 */
export function closeOnlyWhenIdle(Database) {
  const close = Database.prototype.close;
  Database.prototype.close = function () {
    return this._runExclusiveTransaction(() =>
      this._runExclusiveQuery(async () => {
        if (!this.closed) await close.call(this);
      }),
    );
  };
}

/**
 * Closes each of `databases` (waiting, as `closeOnlyWhenIdle` makes every close wait, until it is idle) and marks
 * the directory as stopped cleanly. Resolves to false, marking nothing, when they have not all closed within
 * `timeoutMs` or one failed to.
 * @param {Iterable<EmbeddedDatabase>} databases
 * @param {string} directory
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
export async function closeAndMark(databases, directory, timeoutMs) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const late = new Promise((done) => {
    timer = setTimeout(() => done(false), timeoutMs);
  });
  try {
    const closing = Promise.all([...databases].map((db) => db.close())).then(() => true);
    const closed = await Promise.race([closing, late]);
    if (closed) writeFileSync(cleanStopFileOf(directory), `${JSON.stringify({ pid: process.pid })}\n`);
    return /** @type {boolean} */ (closed);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

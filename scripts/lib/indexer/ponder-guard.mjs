// @ts-check
/**
 * Loaded into the indexer's Ponder process before Ponder itself (`node --import`), by the runner (scripts/indexer.ts):
 *
 * - **The lock.** With the embedded database, it takes the database directory's lock (./pglite-lock.mjs) before
 *   Ponder opens it, so that a second indexer on the same directory stops with a one-line error instead of
 *   corrupting it.
 * - **The lifeline.** The runner passes the read end of a pipe as file descriptor 3 and never writes to it: it
 *   closes when the runner exits, however it exits (killed with SIGKILL included). Ponder then stops, as the
 *   runner would have stopped it (killed on the embedded database, whose transactions a kill leaves whole and a
 *   graceful shutdown may tear; shut down gracefully on PostgreSQL), instead of running on unseen, holding the port
 *   and the database.
 */
import { Socket } from "node:net";

import { acquireLock } from "./pglite-lock.mjs";

const directory = process.env.STARMINER_INDEXER_PGLITE_LOCK;
if (directory !== undefined) {
  try {
    acquireLock(directory);
  } catch (error) {
    console.error(`indexer: ${/** @type {Error} */ (error).message}`);
    process.exit(1);
  }
}

if (process.env.STARMINER_INDEXER_LIFELINE === "3") {
  const lifeline = new Socket({ fd: 3, readable: true, writable: false });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error("indexer: the runner has gone; stopping");
    process.kill(process.pid, directory === undefined ? "SIGTERM" : "SIGKILL");
  };
  lifeline.on("end", stop);
  lifeline.on("close", stop);
  lifeline.on("error", stop);
  lifeline.resume();
  // The lifeline must not keep the process alive by itself.
  lifeline.unref();
}

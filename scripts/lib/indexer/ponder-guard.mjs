// @ts-check
/**
 * Loaded into the indexer's Ponder process before Ponder itself (`node --import`), by the runner (scripts/indexer.ts):
 *
 * - **The lock.** With the embedded database, it takes the database directory's lock (./pglite-lock.mjs) before
 *   Ponder opens it, so that a second indexer on the same directory stops with a one-line error instead of
 *   corrupting it.
 * - **The clean stop.** With the embedded database, every close of it waits until no transaction is open, and
 *   SIGUSR2 (the runner's way of stopping Ponder) closes it so and marks the directory as stopped cleanly before
 *   the process ends (./pglite-stop.mjs). On PostgreSQL the runner stops Ponder with its own signals.
 * - **The lifeline.** The runner passes the read end of a pipe as file descriptor 3 and never writes to it: it
 *   closes when the runner exits, however it exits (killed with SIGKILL included). Ponder then stops as the runner
 *   would have stopped it, instead of running on unseen, holding the port and the database.
 */
import { Socket } from "node:net";

import { PGlite } from "@electric-sql/pglite";

import { acquireLock } from "./pglite-lock.mjs";
import { closeAndMark, closeOnlyWhenIdle } from "./pglite-stop.mjs";

/** How long the clean stop waits for the embedded database to be idle and closed before the process ends anyway. */
const IDLE_WAIT_MS = 15_000;

const directory = process.env.STARMINER_INDEXER_PGLITE_LOCK;
/** @type {Set<PGlite>} */
const databases = new Set();
if (directory !== undefined) {
  try {
    acquireLock(directory);
  } catch (error) {
    console.error(`indexer: ${/** @type {Error} */ (error).message}`);
    process.exit(1);
  }
  closeOnlyWhenIdle(PGlite);
  // Every query and transaction passes PGlite's transaction lock: the databases Ponder opened are the ones seen there.
  const runExclusive = PGlite.prototype._runExclusiveTransaction;
  PGlite.prototype._runExclusiveTransaction = function (work) {
    databases.add(this);
    return runExclusive.call(this, work);
  };
}

let stopping = false;
/** @param {string} why */
async function stop(why) {
  if (stopping) return;
  stopping = true;
  console.error(`indexer: ${why}; stopping`);
  if (directory === undefined) {
    process.kill(process.pid, "SIGTERM");
    return;
  }
  if (!(await closeAndMark(databases, directory, IDLE_WAIT_MS))) {
    console.error(`indexer: the embedded database did not close cleanly within ${IDLE_WAIT_MS / 1_000} s`);
  }
  process.kill(process.pid, "SIGKILL");
}

if (directory !== undefined) {
  process.on("SIGUSR2", () => void stop("asked to stop"));
  // Ponder's log goes to the runner: a broken pipe means the runner has gone (Ponder would shut down by itself).
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => void stop("the runner has gone"));
}

if (process.env.STARMINER_INDEXER_LIFELINE === "3") {
  const lifeline = new Socket({ fd: 3, readable: true, writable: false });
  const gone = () => void stop("the runner has gone");
  lifeline.on("end", gone);
  lifeline.on("close", gone);
  lifeline.on("error", gone);
  lifeline.resume();
  // The lifeline must not keep the process alive by itself.
  lifeline.unref();
}

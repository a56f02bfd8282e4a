// @ts-check
/**
 * One process at a time on an embedded (PGlite) database directory.
 *
 * PGlite is PostgreSQL compiled to WebAssembly and running inside the process that opened it: unlike a PostgreSQL
 * server, nothing stops a second process from opening the same directory, and two processes writing it corrupt it
 * (rows of one's batches beside the other's checkpoint; a WAL the next start cannot replay). The indexer's Ponder
 * process therefore holds `<directory>.lock` while it runs: the file names its process id and, on Linux, the
 * process's start time, so that a lock left by a killed process (or by a process id used again after a reboot) is
 * recognised as stale and taken over.
 *
 * Plain JavaScript: it is loaded into Ponder's process (`node --import`), which runs without a TypeScript loader.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

/** The lock file of the embedded database at `directory`. */
export const lockFileOf = (directory) => `${directory}.lock`;

/**
 * When process `pid` started (clock ticks since boot, from /proc), or undefined where /proc is not available.
 * @param {number} pid
 * @returns {string | undefined}
 */
function startTimeOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether the process a lock names is still the one that wrote it.
 * @param {{ pid: number, started?: string }} holder
 */
function isAlive(holder) {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EPERM") return false;
  }
  const started = startTimeOf(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

/**
 * The live process holding the lock of the database at `directory`, or undefined when it is free (no lock file, or
 * one left by a process that no longer runs).
 * @param {string} directory
 * @returns {{ pid: number, started?: string } | undefined}
 */
export function lockHolder(directory) {
  let holder;
  try {
    holder = JSON.parse(readFileSync(lockFileOf(directory), "utf8"));
  } catch {
    return undefined;
  }
  return typeof holder?.pid === "number" && isAlive(holder) ? holder : undefined;
}

/**
 * Takes the lock of the database at `directory` for this process, taking over a stale one, and releases it when the
 * process exits. Throws, naming the holder, when a live process holds it.
 * @param {string} directory
 */
export function acquireLock(directory) {
  const file = lockFileOf(directory);
  const mine = JSON.stringify({ pid: process.pid, started: startTimeOf(process.pid) });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, `${mine}\n`);
      closeSync(fd);
      process.once("exit", () => {
        try {
          if (readFileSync(file, "utf8").trim() === mine) unlinkSync(file);
        } catch {
          // Already gone.
        }
      });
      return;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EEXIST") throw error;
    }
    const holder = lockHolder(directory);
    if (holder !== undefined) {
      throw new Error(`the embedded database ${directory} is in use by process ${holder.pid}`);
    }
    unlinkSync(file);
  }
  throw new Error(`could not take the lock ${file}: another process takes it at the same time`);
}

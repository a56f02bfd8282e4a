import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort } from "./processes.js";

const run = promisify(execFile);

/** A throw-away PostgreSQL server on the loopback interface. */
export interface PostgresServer {
  /** A connection string for its `postgres` database. */
  readonly url: string;
  /** The server's log (statements' plans go there when a session loads auto_explain). */
  readonly logFile: string;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL server's binaries (Debian keeps them out of PATH). */
async function binaries(): Promise<string> {
  const root = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = (await readdir(root)).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  } catch {
    versions = [];
  }
  if (versions.length === 0) {
    throw new Error("no PostgreSQL server is installed (Debian: apt-get install postgresql; .ci/run installs it)");
  }
  return join(root, versions[0]!, "bin");
}

/**
 * Creates a cluster in a temporary directory and starts it on a free port, trusting local connections. PostgreSQL
 * refuses to run as root: as root, the cluster belongs to the `postgres` account and runs as it.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = await binaries();
  const directory = await mkdtemp(join(tmpdir(), "starminer-pg-"));
  const data = join(directory, "data");
  const asRoot = process.getuid?.() === 0;
  const command = async (program: string, args: string[]) => {
    const path = join(bin, program);
    return asRoot ? run("runuser", ["-u", "postgres", "--", path, ...args]) : run(path, args);
  };
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const port = await freePort();
  await command("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  await command("pg_ctl", [
    "-D",
    data,
    "-l",
    join(directory, "server.log"),
    "-o",
    `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    "-w",
    "start",
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    logFile: join(directory, "server.log"),
    async stop() {
      await command("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

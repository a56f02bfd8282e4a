/**
 * Runs the StarMiner indexer (Ponder) against a chain with a deployed protocol and serves its GraphQL and REST API.
 *
 *   npm run indexer                                   the local node at http://127.0.0.1:8545, embedded database
 *   STARMINER_RPC_URL=https://... npm run indexer     any chain whose deployment manifest is in ignition/manifests
 *   DATABASE_URL=postgres://... npm run indexer       PostgreSQL instead of the embedded database
 *   STARMINER_REMOTE_RPC_URL=https://... npm run indexer   also follow a remote chain the bridge reaches
 *
 * Options: --port <n> (default 42069), --hostname <host> (default 127.0.0.1), --schema <name> (default starminer),
 * --reset (forget everything indexed so far and start again).
 *
 * Before Ponder starts, the database is checked against the chain: if it last indexed another chain or deployment
 * (a restarted local node), it is emptied, so the old chain's data is never served; if the chain has reorganised
 * below blocks already indexed (deeper than Ponder's finality window), what came from the discarded blocks is
 * forgotten and the tables are rebuilt. While Ponder runs, a reorganisation that deep stops it: the indexer exits
 * with code 3 rather than serve a branch the chain no longer has, and started again, it repairs itself as above.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

import type { PublicClient } from "viem";

import { portIsFree } from "./lib/ports.js";
import {
  ponderAppSchemas,
  reconcileBranches,
  recordDeepReorganisation,
  releaseStaleAppLocks,
} from "./lib/indexer/branch.js";
import {
  type Database,
  INDEXER_ROOT,
  PONDER_CLI,
  databaseFromEnv,
  parsePort,
  parseSchemaName,
  ponderArguments,
  prepareDatabase,
  resolveChain,
} from "./lib/indexer/database.js";
import { lockHolder } from "./lib/indexer/pglite-lock.mjs";
import { takeCleanStop } from "./lib/indexer/pglite-stop.mjs";
import { openDatabase } from "./lib/indexer/sql.js";
import { dropUncleanState } from "./lib/indexer/unclean.js";
import { UsageError } from "./lib/usage-error.js";

const MIGRATION_CONFLICT = "was previously used by a different Ponder app";
/** What Ponder logs when the chain reorganised below the block it took as final. */
const UNRECOVERABLE_REORG = "Encountered unrecoverable";
/** The exit code when the indexed branch is no longer the chain's. */
const EXIT_REORGANISED = 3;
/** Loaded into Ponder's process: the embedded database's lock, and stopping when the runner has gone. */
const PONDER_GUARD = join(import.meta.dirname, "lib", "indexer", "ponder-guard.mjs");
/** How long an indexer whose runner was killed may take to stop and release the embedded database. */
const LOCK_WAIT_MS = 30_000;
/** How long Ponder's graceful shutdown may take before it is killed. */
const STOP_GRACE_MS = 30_000;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.STARMINER_INDEXER_PORT ?? "42069" },
      hostname: { type: "string", default: "127.0.0.1" },
      schema: { type: "string", default: process.env.STARMINER_INDEXER_SCHEMA ?? "starminer" },
      reset: { type: "boolean", default: false },
    },
  });
  const port = parsePort(values.port);
  parseSchemaName(values.schema);
  const rpcUrl = process.env.STARMINER_RPC_URL ?? "http://127.0.0.1:8545";
  const home = await resolveChain(rpcUrl);
  const { chainId } = home;
  const remoteUrl = process.env.STARMINER_REMOTE_RPC_URL;
  const remote = remoteUrl === undefined ? undefined : await resolveChain(remoteUrl);
  if (remote !== undefined && remote.manifest.contracts.BridgeGateway === undefined) {
    throw new Error(`chain ${remote.chainId} at ${remoteUrl} has no bridge gateway in its manifest`);
  }
  const fingerprint = remote === undefined ? home.fingerprint : { ...home.fingerprint, remote: remote.fingerprint };
  // Every check that can fail comes before the database is touched.
  if (!(await portIsFree(port, values.hostname))) throw new Error(`port ${port} on ${values.hostname} is in use`);
  const database = databaseFromEnv();
  let stoppedCleanly = true;
  if (database.kind === "pglite") {
    await waitForLock(database.directory);
    stoppedCleanly = takeCleanStop(database.directory);
  }
  let preparation: string = await prepareDatabase(database, values.schema, fingerprint, values.reset);
  const chains = [home, ...(remote === undefined ? [] : [remote])];
  if (preparation === "kept") {
    preparation = (await repairBeforeStart(database, values.schema, chains, stoppedCleanly)) ?? preparation;
  }

  const where = database.kind === "pglite" ? `embedded database ${database.directory}` : "PostgreSQL";
  const followed = remote === undefined ? `chain ${chainId}` : `chains ${chainId} and ${remote.chainId}`;
  console.log(`indexing ${followed} at ${rpcUrl} into ${where} (schema ${values.schema}, ${preparation})`);
  console.log(`GraphQL: http://${values.hostname}:${port}/graphql   REST: http://${values.hostname}:${port}/api`);

  /**
   * How Ponder is stopped. On the embedded database, Ponder's graceful shutdown runs its own queries (releasing
   * its lock, closing) on PGlite's one session while a batch's transaction may be open there, and they land inside
   * it, and a killed PGlite may leave a torn database; so SIGUSR2 asks the guard loaded into Ponder to close the
   * database once no transaction is open (./lib/indexer/pglite-stop.mjs), and the runner releases the lock Ponder
   * left before the next start. On PostgreSQL each connection has its own transaction on the server: Ponder shuts
   * down gracefully.
   */
  const stopSignal = (signal: NodeJS.Signals): NodeJS.Signals => (database.kind === "pglite" ? "SIGUSR2" : signal);
  /** Stops Ponder, and kills it if its graceful shutdown has not ended within STOP_GRACE_MS. */
  const stop = (signal: NodeJS.Signals) => {
    child.kill(stopSignal(signal));
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        console.error(`indexer: Ponder did not stop within ${STOP_GRACE_MS / 1000} s of ${signal}: killing it`);
        child.kill("SIGKILL");
      }
    }, STOP_GRACE_MS).unref();
  };
  const child = spawn(
    process.execPath,
    ["--import", PONDER_GUARD, PONDER_CLI, ...ponderArguments("start", values.schema, port, values.hostname)],
    {
      // Ponder writes generated/schema.graphql (the GraphQL schema, for clients) into its working directory.
      cwd: INDEXER_ROOT,
      env: {
        ...process.env,
        STARMINER_RPC_URL: rpcUrl,
        STARMINER_CHAIN_ID: String(chainId),
        ...(remote === undefined ? {} : { STARMINER_REMOTE_CHAIN_ID: String(remote.chainId) }),
        ...(database.kind === "pglite" ? { STARMINER_INDEXER_PGLITE_LOCK: database.directory } : {}),
        STARMINER_INDEXER_LIFELINE: "3",
      },
      // File descriptor 3 is the lifeline: it closes when this process exits, and Ponder then stops.
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      // A process group of its own: a terminal's Ctrl-C reaches this runner, which stops Ponder its own way.
      detached: true,
    },
  );
  let conflict = false;
  let reorganised = false;
  const forward = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
    const text = chunk.toString();
    if (text.includes(MIGRATION_CONFLICT)) conflict = true;
    target.write(chunk);
    if (text.includes(UNRECOVERABLE_REORG) && !reorganised) {
      reorganised = true;
      console.error(
        "indexer: the chain reorganised below blocks already indexed as final: stopping rather than serve a branch " +
          `the chain no longer has (exit ${EXIT_REORGANISED}); started again, the indexer re-indexes from the fork point`,
      );
      stop("SIGTERM");
    }
  };
  child.stdout!.on("data", forward(process.stdout));
  child.stderr!.on("data", forward(process.stderr));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(signal));

  const code = await new Promise<number>((done) => child.once("exit", (exitCode) => done(exitCode ?? 0)));
  if (reorganised) {
    // Noted in the database, so that the next start repairs it even where Ponder already rolled its tables back.
    const session = await openDatabase(database);
    try {
      if (session !== undefined)
        await recordDeepReorganisation(
          session,
          chains.map((chain) => chain.chainId),
        );
    } finally {
      await session?.close();
    }
    return EXIT_REORGANISED;
  }
  if (conflict) {
    throw new Error(
      `schema ${values.schema} holds another build of the indexer (its code or the deployment changed): run again with --reset`,
    );
  }
  return code;
}

/**
 * Finds and repairs, in a database Ponder is about to resume, what Ponder's own crash recovery would not: blocks the
 * chain no longer has; and on the embedded database, a last run that was not stopped cleanly (everything indexed
 * is forgotten) and app tables that may be torn (the schema is rebuilt from the RPC cache at every start). Returns
 * what was done, or undefined when nothing needed doing.
 */
async function repairBeforeStart(
  database: Database,
  schema: string,
  chains: readonly { chainId: number; client: PublicClient }[],
  stoppedCleanly: boolean,
): Promise<string | undefined> {
  const session = await openDatabase(database);
  if (session === undefined) return undefined;
  let repaired: string | undefined;
  try {
    if (database.kind === "pglite") {
      const apps = await ponderAppSchemas(session);
      if (!stoppedCleanly && (await dropUncleanState(session, apps))) {
        console.log(
          "indexer: the embedded database was not stopped cleanly last time (killed, or stopped on an error), and " +
            "what it holds may be torn: indexing again from the chain",
        );
        return "indexed again after an unclean stop";
      }
      await releaseStaleAppLocks(session, apps);
    }
    for (const divergence of await reconcileBranches(session, database, schema, chains)) {
      console.log(
        `indexer: chain ${divergence.chainId} no longer has block ${divergence.forkBlock} as indexed (a ` +
          `reorganisation deeper than the finality window): forgot what came from there on ` +
          `(${divergence.discardedBlocks} blocks held), and rebuild the tables`,
      );
      repaired = `rebuilt after a reorganisation at block ${divergence.forkBlock}`;
    }
    // After the branches are reconciled: they are read from the app schemas too.
    if (database.kind === "pglite" && (await ponderAppSchemas(session)).includes(schema)) {
      await session.query(`DROP SCHEMA "${schema}" CASCADE`);
      console.log(
        `indexer: schema ${schema} is rebuilt from the RPC cache: on the embedded database, indexing does not resume ` +
          "from the tables of a previous run",
      );
      repaired ??= "rebuilt from the RPC cache";
    }
  } finally {
    await session.close();
  }
  return repaired;
}

/**
 * Waits for the embedded database at `directory` to be free: an indexer whose runner was killed stops by itself
 * within seconds. Another indexer still running on it after that is an error.
 */
async function waitForLock(directory: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let holder = lockHolder(directory);
  if (holder !== undefined) console.log(`indexer: waiting for process ${holder.pid} to release ${directory}`);
  while (holder !== undefined && Date.now() < deadline) {
    await sleep(250);
    holder = lockHolder(directory);
  }
  if (holder !== undefined) {
    throw new Error(`the embedded database ${directory} is in use by process ${holder.pid} (another indexer?)`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    // A usage mistake (a bad flag or value) exits 2, as the CLI's do; anything else 1.
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`indexer: ${error.message.split("\n")[0]}`);
    process.exitCode = usage ? 2 : 1;
  },
);

/**
 * Serves the indexer's GraphQL and REST API from N read-only replicas over the PostgreSQL schema a running indexer
 * (`npm run indexer`) writes, all on one port: Node's cluster module hands each new connection to the next replica.
 * One Node process tops out at a few hundred requests a second of uncached GraphQL (the server, not the database,
 * is the limit), so a busy API scales by adding replicas, on this machine or others.
 *
 *   DATABASE_URL=postgres://... npm run indexer:serve -- --replicas 4 --port 42070
 *
 * Options: --replicas <n> (default: the machine's parallelism), --port <n> (default 42070), --hostname <host>
 * (default 127.0.0.1), --schema <name> (default starminer). The embedded database cannot be shared between
 * processes: there, the indexer's own process serves.
 *
 * A replica that stops is started again; one that cannot start (no such schema, PostgreSQL unreachable) stops all.
 */
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";

import { portIsFree } from "./lib/ports.js";
import {
  type ChainFingerprint,
  INDEXER_ROOT,
  META_SCHEMA,
  PONDER_CLI,
  connectPostgres,
  parsePort,
  parseSchemaName,
  ponderArguments,
} from "./lib/indexer/database.js";
import { UsageError } from "./lib/usage-error.js";

const MAX_REPLICAS = 64;
/** PostgreSQL connections per replica: the server, not the database, bounds a replica's throughput. */
const REPLICA_POOL_SIZE = 10;
/** A replica that stops this soon after it started serving is failing, not stopping: do not restart it. */
const MIN_HEALTHY_MS = 10_000;

/** The chains the indexer recorded for `schema`: the replicas load the same configuration it runs. */
async function indexedChains(url: string, schema: string): Promise<ChainFingerprint> {
  const client = await connectPostgres(url);
  try {
    const { rows } = await client
      .query<{ fingerprint: ChainFingerprint }>(`SELECT fingerprint FROM ${META_SCHEMA}.chain WHERE app_schema = $1`, [
        schema,
      ])
      .catch(() => ({ rows: [] }));
    const fingerprint = rows[0]?.fingerprint;
    if (fingerprint === undefined) {
      throw new Error(
        `schema ${schema} has not been indexed on this server: run npm run indexer with this DATABASE_URL`,
      );
    }
    return fingerprint;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      replicas: { type: "string", default: String(availableParallelism()) },
      port: { type: "string", default: process.env.STARMINER_INDEXER_SERVE_PORT ?? "42070" },
      hostname: { type: "string", default: "127.0.0.1" },
      schema: { type: "string", default: process.env.STARMINER_INDEXER_SCHEMA ?? "starminer" },
    },
  });
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new UsageError(`--replicas must be 1-${MAX_REPLICAS}, got "${values.replicas}"`);
  }
  const port = parsePort(values.port);
  parseSchemaName(values.schema);
  const url = process.env.DATABASE_URL;
  if (url === undefined) {
    throw new UsageError(
      "replicas read a PostgreSQL database: set DATABASE_URL (on the embedded database, npm run indexer serves)",
    );
  }
  if (!(await portIsFree(port, values.hostname))) throw new Error(`port ${port} on ${values.hostname} is in use`);
  const fingerprint = await indexedChains(url, values.schema);

  cluster.setupPrimary({
    exec: PONDER_CLI,
    args: ponderArguments("serve", values.schema, port, values.hostname),
    cwd: INDEXER_ROOT,
    // Ponder runs its own TypeScript loader: the replicas do not inherit this script's.
    execArgv: [],
  });
  const env = {
    DATABASE_URL: url,
    STARMINER_INDEXER_POOL_MAX: process.env.STARMINER_INDEXER_POOL_MAX ?? String(REPLICA_POOL_SIZE),
    DATABASE_SCHEMA: values.schema,
    STARMINER_CHAIN_ID: String(fingerprint.chainId),
    ...(fingerprint.remote === undefined ? {} : { STARMINER_REMOTE_CHAIN_ID: String(fingerprint.remote.chainId) }),
  };

  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const start = () => {
    const worker = cluster.fork(env);
    worker.once("listening", () => startedAt.set(worker, Date.now()));
    worker.once("exit", (code, signal) => {
      const since = startedAt.get(worker);
      startedAt.delete(worker);
      if (stopping) return;
      const how = signal === null ? `code ${code}` : signal;
      if (since === undefined || Date.now() - since < MIN_HEALTHY_MS) {
        console.error(`indexer-serve: a replica stopped (${how}) as it started: stopping all`);
        stop(1);
        return;
      }
      console.error(`indexer-serve: replica ${worker.process.pid} stopped (${how}): starting another`);
      start();
    });
  };
  const stop = (code: number) => {
    stopping = true;
    process.exitCode = code;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(0));

  console.log(
    `serving schema ${values.schema} from ${replicas} replicas: http://${values.hostname}:${port}/graphql ` +
      `and /api (chain ${fingerprint.chainId})`,
  );
  for (let i = 0; i < replicas; i++) start();
}

main().catch((error: Error) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  console.error(`indexer-serve: ${error.message.split("\n")[0]}`);
  process.exitCode = usage ? 2 : 1;
});

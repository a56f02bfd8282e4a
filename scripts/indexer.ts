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
 * (a restarted local node), it is emptied, so the old chain's data is never served.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";

import { portIsFree } from "./lib/ports.js";
import { INDEXER_ROOT, PONDER_CLI, databaseFromEnv, prepareDatabase, resolveChain } from "./lib/indexer.js";
import { UsageError } from "./lib/usage-error.js";

const MIGRATION_CONFLICT = "was previously used by a different Ponder app";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.STARMINER_INDEXER_PORT ?? "42069" },
      hostname: { type: "string", default: "127.0.0.1" },
      schema: { type: "string", default: process.env.STARMINER_INDEXER_SCHEMA ?? "starminer" },
      reset: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new UsageError(`--port must be 1-65535, got "${values.port}"`);
  if (!/^[a-z_][a-z0-9_]{0,44}$/.test(values.schema)) {
    throw new UsageError(`--schema must be a lower-case SQL name of at most 45 characters, got "${values.schema}"`);
  }
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
  const preparation = await prepareDatabase(database, values.schema, fingerprint, values.reset);

  const where = database.kind === "pglite" ? `embedded database ${database.directory}` : "PostgreSQL";
  const chains = remote === undefined ? `chain ${chainId}` : `chains ${chainId} and ${remote.chainId}`;
  console.log(`indexing ${chains} at ${rpcUrl} into ${where} (schema ${values.schema}, ${preparation})`);
  console.log(`GraphQL: http://${values.hostname}:${port}/graphql   REST: http://${values.hostname}:${port}/api`);

  const child = spawn(
    process.execPath,
    [
      PONDER_CLI,
      "start",
      "--root",
      INDEXER_ROOT,
      "--schema",
      values.schema,
      "--port",
      String(port),
      "--hostname",
      values.hostname,
    ],
    {
      // Ponder writes generated/schema.graphql (the GraphQL schema, for clients) into its working directory.
      cwd: INDEXER_ROOT,
      env: {
        ...process.env,
        STARMINER_RPC_URL: rpcUrl,
        STARMINER_CHAIN_ID: String(chainId),
        ...(remote === undefined ? {} : { STARMINER_REMOTE_CHAIN_ID: String(remote.chainId) }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let conflict = false;
  const forward = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
    if (chunk.toString().includes(MIGRATION_CONFLICT)) conflict = true;
    target.write(chunk);
  };
  child.stdout.on("data", forward(process.stdout));
  child.stderr.on("data", forward(process.stderr));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));

  const code = await new Promise<number>((done) => child.once("exit", (exitCode) => done(exitCode ?? 0)));
  if (conflict) {
    throw new Error(
      `schema ${values.schema} holds another build of the indexer (its code or the deployment changed): run again with --reset`,
    );
  }
  return code;
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

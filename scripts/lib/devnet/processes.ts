import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

import { portIsFree } from "../ports.js";
import { PROJECT_ROOT } from "../project-root.js";

export { PROJECT_ROOT };
const HARDHAT_CLI = join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
/** Runs a TypeScript program in one process, as `npm run indexer` does (not through tsx's signal-relaying CLI). */
const TYPESCRIPT = ["--import", "tsx"];

/** Calls `check` until it returns true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1_000} s`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

async function answersJsonRpc(url: string): Promise<boolean> {
  return (await requestJsonRpc(url, "eth_chainId", [])).ok;
}

function requestJsonRpc(url: string, method: string, params: unknown[]): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
}

/** A child process of the devnet, its output kept for when it fails. */
export interface Child {
  readonly process: ChildProcess;
  /** The last lines it wrote. */
  output(): string;
  /** Stops it (SIGINT, then SIGKILL after `graceMs`) and waits for it to exit. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs `node <args>` from the project's root with `env` added. */
export function startChild(args: string[], env: Record<string, string> = {}, onLine?: (line: string) => void): Child {
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim() === "") continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      onLine?.(line);
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return {
    process: child,
    output: () => lines.join("\n"),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // Already gone.
        }
      };
      signalGroup("SIGINT");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts `hardhat node` on `port`, waits until it answers, and turns its request log off: the node writes a
 * description of every request it serves (decoded calls, gas, events) that nobody reads here (its output is kept
 * only to explain a failure to start), and writing it took a good share of the node's one busy core under load.
 */
export async function startHardhatNode(port: number): Promise<Child> {
  if (!(await portIsFree(port))) throw new Error(`port ${port} is in use: is another chain running there? (--port)`);
  const node = startChild([HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(`the local chain on port ${port}`, () => answersJsonRpc(url), 120_000);
    const quiet = await requestJsonRpc(url, "hardhat_setLoggingEnabled", [false]);
    const answer = (await quiet.json()) as { error?: { message: string } };
    if (answer.error !== undefined) throw new Error(`the local chain refused to stop logging: ${answer.error.message}`);
  } catch (error) {
    await node.stop();
    throw new Error(`${(error as Error).message}: ${node.output().split("\n").slice(-3).join(" / ")}`);
  }
  return node;
}

/** Deploys the protocol to the chain at `rpcUrl` with the project's deploy script and writes the manifest in `manifestDir`. */
export async function deployWithScript(rpcUrl: string, manifestDir: string, deploymentId: string): Promise<void> {
  const deploy = startChild([HARDHAT_CLI, "run", "--network", "localhost", "scripts/deploy.ts"], {
    STARMINER_LOCAL_RPC_URL: rpcUrl,
    STARMINER_MANIFEST_DIR: manifestDir,
    STARMINER_DEPLOYMENT_ID: deploymentId,
    STARMINER_DEPLOY_RESET: "1",
    // The devnet then sets itself up as governance would, with the deployer's key.
    STARMINER_DEPLOY_DEVELOPMENT: "1",
  });
  const code = await new Promise<number>((done) => deploy.process.once("exit", (exitCode) => done(exitCode ?? 1)));
  if (code !== 0) throw new Error(`the deployment failed: ${deploy.output().split("\n").slice(-2).join(" / ")}`);
}

/** Starts the indexer (`scripts/indexer.ts`) on the chain at `rpcUrl` and waits until its GraphQL answers. */
export async function startIndexerProcess(options: {
  rpcUrl: string;
  manifestDir: string;
  databaseDir: string;
  port: number;
  onLine?: (line: string) => void;
}): Promise<{ child: Child; graphqlUrl: string }> {
  if (!(await portIsFree(options.port))) throw new Error(`port ${options.port} is in use (--indexer-port)`);
  const child = startChild(
    [...TYPESCRIPT, "scripts/indexer.ts", "--port", String(options.port), "--reset"],
    {
      STARMINER_RPC_URL: options.rpcUrl,
      STARMINER_MANIFEST_DIR: options.manifestDir,
      STARMINER_INDEXER_PGLITE_DIR: options.databaseDir,
      STARMINER_INDEXER_POLL_MS: "500",
    },
    options.onLine,
  );
  const graphqlUrl = `http://127.0.0.1:${options.port}/graphql`;
  try {
    await waitUntil(
      "the indexer",
      async () => child.process.exitCode !== null || (await fetch(`http://127.0.0.1:${options.port}/ready`)).ok,
      180_000,
      500,
    );
    if (child.process.exitCode !== null) throw new Error("the indexer exited");
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}: ${child.output().split("\n").slice(-3).join(" / ")}`);
  }
  return { child, graphqlUrl };
}

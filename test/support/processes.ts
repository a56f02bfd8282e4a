import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const HARDHAT_CLI = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
/**
 * Node's arguments that run a TypeScript program in one process (tsx as a loader), as the npm scripts do. tsx's own
 * CLI would run it in a child and kill that child when it does not acknowledge a relayed signal within 30 ms: a
 * program busy proving would die instead of stopping cleanly.
 */
export const TYPESCRIPT = ["--import", "tsx"] as const;

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(body.error.message);
  return body.result;
}

/** Polls `check` every `intervalMs` until it returns true; throws `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts `hardhat node` on `port` (with `chainId`, or Hardhat's 31337) and resolves once it answers JSON-RPC. */
export async function startNode(port: number, chainId?: number): Promise<ChildProcess> {
  const args = [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)];
  if (chainId !== undefined) args.push("--chain-id", String(chainId));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `hardhat node on port ${port}`,
      async () => (await rpc(url, "eth_chainId")) !== undefined,
      60_000,
      250,
    );
  } catch (error) {
    child.kill();
    throw error;
  }
  return child;
}

/**
 * Stops a child process with `signal` and waits for it to exit; with `group`, signals its whole process group (a
 * child spawned `detached`), so that its own children go too.
 */
export async function stopProcess(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = "SIGTERM",
  options: { group?: boolean } = {},
): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((done) => {
    child.once("exit", () => done());
    if (options.group === true && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  });
}

/** How a command ended. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <args>` from the project's root as a user would, with `env` added, and waits for it to end (or kills it
 * after `timeoutMs`, when given: its code is then not 0).
 */
export function runNode(args: string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<Run> {
  return new Promise((done) => {
    const options = {
      cwd: ROOT,
      env: { ...process.env, ...env },
      ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    };
    execFile(process.execPath, args, options, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

/** A long-running program (a daemon, a relayer, a signing service) in the background, its output kept line by line. */
export class Background {
  readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      this.lines.push(...parts);
    });
    child.stderr!.on("data", (chunk: Buffer) => this.lines.push(`stderr: ${chunk.toString().trim()}`));
    this.exited = new Promise((done) => child.once("exit", (code) => done(code)));
  }

  /** Runs `node <args>` from the project's root with `env` added. */
  static start(args: string[], env: Record<string, string>): Background {
    return new Background(
      spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }),
    );
  }

  async waitForLine(pattern: RegExp, timeoutMs = 120_000): Promise<string> {
    await waitFor(`a line matching ${pattern}`, async () => this.lines.some((l) => pattern.test(l)), timeoutMs);
    return this.lines.find((line) => pattern.test(line))!;
  }

  /** Ctrl-C: the program finishes what it is doing and exits. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill("SIGINT");
    return this.exited;
  }

  /** A crash: SIGKILL, no chance to clean up. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

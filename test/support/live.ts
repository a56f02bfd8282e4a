import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { network } from "hardhat";

import { type Market, marketFixture } from "./market.js";
import { ROOT, freePort, startNode, stopProcess } from "./processes.js";
import type { Connection } from "./protocol.js";

/**
 * The market fixture on a real `hardhat node` rather than the in-process chain, for tests and benchmarks of
 * programs that talk to a chain over RPC (the indexer, the CLI). Its manifest is written to `manifestDir`, as a
 * user's deployment's would be.
 */
export interface LiveMarket {
  readonly rpcUrl: string;
  /** A temporary directory, removed by `close`. */
  readonly workDir: string;
  readonly manifestDir: string;
  readonly connection: Connection;
  readonly market: Market;
  /** Stops the node, starts a new chain on the same port and deploys the market there again. */
  restartChain(): Promise<void>;
  close(): Promise<void>;
}

export async function startLiveMarket(name: string): Promise<LiveMarket> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const workDir = await mkdtemp(join(tmpdir(), `starminer-${name}-`));
  const manifestDir = join(workDir, "manifests");
  const deploymentId = `${name}-${process.pid}-${port}`;
  let node: ChildProcess | undefined = await startNode(port);
  const deploy = async (reset: boolean) => {
    const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
    return { connection, market: await marketFixture(connection, { deploymentId, manifestDir, reset })() };
  };
  const live = { rpcUrl, workDir, manifestDir, ...(await deploy(false)) };
  return Object.assign(live, {
    async restartChain() {
      await live.connection.close();
      await stopProcess(node);
      node = await startNode(port);
      Object.assign(live, await deploy(true));
    },
    async close() {
      await live.connection.close();
      await stopProcess(node);
      await rm(workDir, { recursive: true, force: true });
      await rm(join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    },
  });
}

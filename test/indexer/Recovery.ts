import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";

import type { Database } from "../../scripts/lib/indexer/database.js";
import { readManifest } from "../../scripts/lib/manifest.js";
import { chainEvents, comparable } from "../support/chain-events.js";
import { type RunningIndexer, indexedBlock, indexedEvents, startIndexer, waitUntilSynced } from "../support/indexer.js";
import { lockHolder } from "../../scripts/lib/indexer/pglite-lock.mjs";
import { openDatabase } from "../../scripts/lib/indexer/sql.js";
import { appTables } from "../support/indexer-tables.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { DAY, Mode, claimCommitReveal, jobSpec, result, submit } from "../support/market.js";
import { freePort, rpc, waitFor } from "../support/processes.js";
import type { Signer } from "../support/protocol.js";
import { advance, driveEveryTerminalState } from "../support/scenario.js";

/** Consensus jobs three providers agree on, run up to their reveals (about seven blocks each). */
async function consensusJobs(live: LiveMarket, count: number, label: string): Promise<bigint[]> {
  const providers = live.market.providers.slice(0, 3) as Signer[];
  const jobIds: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const latest = await live.connection.ethers.provider.getBlock("latest");
    const jobId = await submit(live.market, jobSpec(latest!.timestamp, { mode: Mode.Consensus, redundancy: 3 }));
    const answer = result(`${label}-${i}`);
    await claimCommitReveal(live.market, jobId, providers, [answer, answer, answer]);
    jobIds.push(jobId);
  }
  return jobIds;
}

/** Mines `count` empty blocks one by one (`hardhat_mine` would skip the parent hashes a reorg check follows). */
async function mineBlocks(live: LiveMarket, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await rpc(live.rpcUrl, "evm_mine");
}

/** The indexer's exit code, or an error carrying its output when it is still running after `timeoutMs`. */
async function exitCode(target: RunningIndexer, timeoutMs: number): Promise<number | null> {
  const exited = new Promise<number | null>((done) => target.child.once("exit", done));
  const late = sleep(timeoutMs, "late" as const);
  if (target.child.exitCode === null && (await Promise.race([exited, late])) === "late") {
    throw new Error(`the indexer was still running after ${timeoutMs / 1000} s:\n${target.output().slice(-8_000)}`);
  }
  return target.child.exitCode;
}

/** Ponder's finality window on a development chain, in blocks. */
const PONDER_FINALITY_BLOCKS = 30;

const randomBetween = (low: number, high: number) => low + Math.floor(Math.random() * (high - low));

describe("Indexer recovery (end to end on a local node)", function () {
  this.timeout(1_200_000);

  let live: LiveMarket;
  let indexer: RunningIndexer | undefined;
  /** The PostgreSQL server of the last test; the others run on the embedded database. */
  let postgres: PostgresServer | undefined;
  /** The database under test, and an independent one for a fresh index of the same chain (its own RPC cache). */
  const database = (): Database =>
    postgres === undefined
      ? { kind: "pglite", directory: join(live.workDir, "pglite") }
      : { kind: "postgres", url: postgres.url };
  const referenceDatabase = (): Database =>
    postgres === undefined
      ? { kind: "pglite", directory: join(live.workDir, "reference") }
      : { kind: "postgres", url: postgres.url.replace(/\/postgres$/, "/reference") };
  const start = async (target: Database = database(), reset = false) =>
    startIndexer({
      rpcUrl: live.rpcUrl,
      manifestDir: live.manifestDir,
      port: await freePort(),
      schema: "starminer",
      database: target.kind === "pglite" ? { pgliteDir: target.directory } : { url: target.url },
      reset,
    });

  /**
   * Every table of the indexer's database equals a fresh index of the same chain, and its audit trail equals the
   * chain's logs read independently (`eth_getLogs`).
   */
  async function expectExactlyTheChain(): Promise<void> {
    indexer = await start();
    try {
      await waitUntilSynced(indexer.url, live.rpcUrl);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${indexer.output().slice(-5_000)}`);
    }
    const manifest = await readManifest(31337, live.manifestDir);
    const chain = await chainEvents(live.rpcUrl, manifest);
    const indexed = await indexedEvents(indexer.url);
    expect(indexed.map((e) => [BigInt(e.blockNumber), e.txHash, e.logIndex, e.contract, e.event])).to.deep.equal(
      chain.map((e) => [e.blockNumber, e.txHash, e.logIndex, e.contract, e.event]),
    );
    expect(indexed.map((e) => comparable(e.args))).to.deep.equal(chain.map((e) => e.args));
    await indexer.stop();
    indexer = undefined;

    const reference = await start(referenceDatabase(), true);
    await waitUntilSynced(reference.url, live.rpcUrl);
    await reference.stop();
    const [recovered, fresh] = await Promise.all([
      appTables(database(), "starminer"),
      appTables(referenceDatabase(), "starminer"),
    ]);
    expect([...recovered.keys()]).to.deep.equal([...fresh.keys()]);
    for (const [table, rows] of fresh) expect(recovered.get(table), `table ${table}`).to.deep.equal(rows);
  }

  /**
   * Kills the indexer: a crash (its runner's process group and its Ponder process, which runs in a group of its
   * own, with SIGKILL), or only the runner (its Ponder is left to stop itself).
   */
  async function kill(target: RunningIndexer, runnerOnly: boolean): Promise<void> {
    if (target.child.exitCode !== null) throw new Error(`the indexer had already exited:\n${target.output()}`);
    if (!runnerOnly) {
      const db = database();
      const ponder = db.kind === "pglite" ? lockHolder(db.directory) : undefined;
      if (ponder !== undefined) process.kill(ponder.pid, "SIGKILL");
      return target.stop("SIGKILL");
    }
    const exited = new Promise((done) => target.child.once("exit", done));
    process.kill(target.child.pid!, "SIGKILL");
    await exited;
  }

  before(async () => {
    live = await startLiveMarket("indexer-recovery");
    await driveEveryTerminalState(live.connection, live.market);
    await consensusJobs(live, 12, "backfill");
  });

  after(async () => {
    await indexer?.stop();
    await postgres?.stop();
    await live?.close();
  });

  it("loses, duplicates and sticks on nothing when killed at 12 random moments of backfill and live indexing", async () => {
    const head = Number(BigInt((await rpc(live.rpcUrl, "eth_blockNumber")) as string));
    const reached: number[] = [];
    // A killed runner's Ponder closes the database cleanly, and the next start rebuilds the tables from the RPC
    // cache; after a crash (Ponder killed too), the next start forgets the cache as well and indexes the chain again.
    let crashed = false;
    const startAfterKill = async () => {
      const running = await start();
      // What the runner said before Ponder started.
      const said = running.output().split("GraphQL:")[0]!;
      expect(/not stopped cleanly last time/.test(said), said).to.equal(crashed);
      return running;
    };
    const killAt = async (running: RunningIndexer, runnerOnly: boolean) => {
      await kill(running, runnerOnly);
      crashed = !runnerOnly;
    };
    // Backfill: killed a few seconds after serving, alternately the whole indexer and only its runner.
    for (let kills = 0; kills < 6; kills++) {
      const running = await startAfterKill();
      await sleep(randomBetween(500, 4_000));
      reached.push(
        await indexedBlock(running.url).catch((error: Error) => {
          throw new Error(
            `the indexer stopped serving (${error.message}) after start ${kills + 1}:\n${running.output()}`,
          );
        }),
      );
      await killAt(running, kills % 2 === 1);
    }
    expect(Math.min(...reached), `blocks reached: ${reached}`).to.be.below(head);
    // Live: killed while new jobs are being mined.
    for (let kills = 0; kills < 6; kills++) {
      const running = await startAfterKill();
      await waitUntilSynced(running.url, live.rpcUrl);
      const mining = consensusJobs(live, 1, `live-${kills}`);
      await sleep(randomBetween(200, 2_000));
      await killAt(running, kills % 2 === 0);
      await mining;
    }
    await advance(live.connection, DAY + 1);
    await expectExactlyTheChain();
  });

  it("serves the chain, not rows its checkpoint does not cover (a torn write): the schema is rebuilt at the next start", async () => {
    // A batch's rows without its checkpoint: the checkpoint moved back to half-way, with no undo records.
    const session = (await openDatabase(database()))!;
    try {
      await session.query(
        `UPDATE starminer._ponder_checkpoint SET safe_checkpoint = overlay(safe_checkpoint PLACING $1 FROM 27),
           latest_checkpoint = overlay(latest_checkpoint PLACING $1 FROM 27),
           finalized_checkpoint = overlay(finalized_checkpoint PLACING $1 FROM 27)`,
        [String(Math.floor(Number(await rpc(live.rpcUrl, "eth_blockNumber")) / 2)).padStart(16, "0")],
      );
    } finally {
      await session.close();
    }
    indexer = await start();
    expect(indexer.output()).to.match(/schema starminer, rebuilt from the RPC cache/);
    await indexer.stop();
    indexer = undefined;
    await expectExactlyTheChain();
  });

  it("serves the chain, not a checkpoint past rows that are missing (the other torn write): the schema is rebuilt", async () => {
    // A checkpoint past the disputes without their rows: each dispute's row and its opening in the trail gone, with
    // Ponder's triggers (undo records, live queries) off, as in a write that never happened.
    const session = (await openDatabase(database()))!;
    try {
      await session.query("SET session_replication_role = replica");
      const openings = await session.query(
        "DELETE FROM starminer.protocol_event WHERE event = 'DisputeOpened' RETURNING job_id",
      );
      expect(openings, "the scenario opens disputes").to.not.be.empty;
      await session.query("DELETE FROM starminer.dispute");
    } finally {
      await session.close();
    }
    indexer = await start();
    expect(indexer.output()).to.match(/schema starminer, rebuilt from the RPC cache/);
    await indexer.stop();
    indexer = undefined;
    await expectExactlyTheChain();
  });

  /** A reorganisation deeper than Ponder's finality window while the indexer runs, then a start that repairs it. */
  async function reorganisationBelowFinality(): Promise<void> {
    indexer = await start();
    await waitUntilSynced(indexer.url, live.rpcUrl);
    const fork = Number(BigInt((await rpc(live.rpcUrl, "eth_blockNumber")) as string)) + 1;
    const snapshot = await rpc(live.rpcUrl, "evm_snapshot");
    // The branch the chain will abandon: two jobs, then blocks enough for Ponder to take the fork as final. Ponder
    // moves its final block in steps (once the head is two windows past it, to one window below the head), so the
    // fork is final whatever the step's phase once the head is two windows past it, and Ponder has seen one more.
    await consensusJobs(live, 2, "abandoned");
    const abandonedHead = Number(BigInt((await rpc(live.rpcUrl, "eth_blockNumber")) as string));
    await mineBlocks(live, Math.max(0, fork + 2 * PONDER_FINALITY_BLOCKS + 10 - abandonedHead));
    await waitUntilSynced(indexer.url, live.rpcUrl);
    expect(await rpc(live.rpcUrl, "evm_revert", [snapshot])).to.equal(true);
    // The branch the chain keeps: another job, and a head higher than the abandoned branch's.
    await consensusJobs(live, 1, "kept");
    await mineBlocks(live, 2 * PONDER_FINALITY_BLOCKS + 20);

    const running = indexer;
    const code = await exitCode(running, 120_000);
    indexer = undefined;
    expect(code, running.output()).to.equal(3);
    expect(running.output()).to.match(/reorganised below blocks already indexed as final: stopping/);
    const answered = await fetch(`${running.url}/ready`).then(
      () => true,
      () => false,
    );
    expect(answered, "the stopped indexer still answers").to.equal(false);

    indexer = await start();
    const repaired = /no longer has block (\d+) as indexed/.exec(indexer.output());
    expect(repaired, indexer.output()).to.not.equal(null);
    // Whatever Ponder rolled back itself, nothing at or after the fork is kept.
    expect(Number(repaired![1])).to.be.at.most(fork);
    expect(indexer.output()).to.match(/schema starminer, rebuilt after a reorganisation at block \d+/);
    await indexer.stop();
    indexer = undefined;
    await expectExactlyTheChain();
  }

  it("stops serving when the chain reorganises below its finality window, and re-indexes from the fork", async () => {
    await reorganisationBelowFinality();
  });

  it("does the same on PostgreSQL", async () => {
    await indexer?.stop();
    indexer = undefined;
    postgres = await startPostgres();
    const session = (await openDatabase(database()))!;
    try {
      await session.query("CREATE DATABASE reference");
    } finally {
      await session.close();
    }
    await reorganisationBelowFinality();
  });
});

import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

import { type Abi, type Hex, formatEther } from "viem";
import { GatewayClient, describeError, isManifestJob } from "@starminer/sdk";

import { type ProtocolClient, connectProtocol } from "../client.js";
import { ContentStore } from "../content.js";
import { ProviderDaemon } from "../provider/daemon.js";
import { PROJECT_ROOT } from "../project-root.js";
import { sleep } from "../sleep.js";
import { releaseProver } from "../zk/groth16.js";
import { startGateway } from "../workloads/gateway.js";
import { JobBook, SimulatedRequester, SimulatedValidator, chainNow, loadDevnetWorkloads } from "./actors.js";
import { type DevnetAudit, auditDevnet, recordStakes } from "./audit.js";
import { buildExplorerIfStale, startExplorerServer } from "../explorer/server.js";
import { portIsFree } from "../ports.js";
import { cpuSecondsOf, ownCpuSeconds } from "./cpu.js";
import { type Child, deployWithScript, startHardhatNode, startIndexerProcess } from "./processes.js";
import { DEVNET_TIMING, devnetAccounts, planRoster, prepareDevnet } from "./setup.js";

export interface DevnetOptions {
  /** Where the devnet keeps its manifest, content store, journals and indexer database (emptied at start). */
  readonly directory: string;
  readonly port: number;
  /** The indexer's port; undefined runs without the indexer. */
  readonly indexerPort?: number;
  /** The explorer's port (served beside the indexer); undefined, or no indexer, runs without it. */
  readonly explorerPort?: number;
  readonly providers: number;
  readonly dishonest: number;
  readonly validators: number;
  readonly requesters: number;
  /** Stop submitting after this many jobs and end once all have ended; undefined submits until stopped. */
  readonly jobs?: number;
  /** Stop after this many seconds; undefined runs until stopped. */
  readonly durationSeconds?: number;
  /**
   * Submit for this many seconds, then stop submitting and end once every job has ended (a soak run); the run's
   * audit then expects no job left unfinished.
   */
  readonly submitForSeconds?: number;
  /** With `jobs` or `submitForSeconds`: give up waiting for the last jobs to end after this many seconds. */
  readonly drainTimeoutSeconds?: number;
  /** Chain seconds per real second. */
  readonly speed: number;
  /** How often each requester submits a job, in ms. */
  readonly submitEveryMs: number;
  /** How many jobs each simulated provider works on at once (3 when undefined). */
  readonly providerRoom?: number;
  /** How often a progress line is printed, in ms. */
  readonly progressEveryMs: number;
  /** Narrates what the actors do (claims, results, disputes), beside the progress lines. */
  readonly verbose: boolean;
  /**
   * Sets everything up (deployed, funded, registered) but runs no simulated actor and leaves the clock alone: a quiet
   * chain for trying the CLI, whose clock only `starminer devnet warp` moves.
   */
  readonly idle?: boolean;
  readonly print: (line: string) => void;
}

/** What happened on the devnet's chain, tallied from its events. */
export interface DevnetTally {
  submitted: number;
  /** Submitted jobs that run a manifest (an ONNX model, a WASM program) rather than the dense layer. */
  manifestJobs: number;
  verified: number;
  settled: number;
  refunded: number;
  cancelled: number;
  disputes: number;
  auditsFailed: number;
  slashes: number;
  slashedAmount: bigint;
  paidToProviders: bigint;
  /** Collateral jurors forfeited (incoherent or missing votes). */
  forfeitedAmount: bigint;
  /** Steps of the simulated actors that failed (and were retried): races between actors, mostly. */
  errors: number;
  /** Rounds of an actor that took so long, in chain time, that a protocol window could close in between. */
  behindClock: number;
}

export interface DevnetSummary {
  readonly tally: DevnetTally;
  readonly seconds: number;
  /** Jobs that ended (settled or refunded) per minute of wall time, from the first submission. */
  readonly jobsPerMinute: number;
  /**
   * Jobs ended per minute between the progress lines where a tenth and where nine tenths of the run's jobs had
   * ended: the pace once the market is busy, without the first jobs' latency or the last ones' windows (a dispute's
   * vote, a challenge window). Undefined when too few progress lines fall in between to tell.
   */
  readonly busyJobsPerMinute?: number;
  /**
   * How busy each process was, as the CPU time it used over the wall time from the first round of the simulated
   * actors to the end (a share of one core): the chain's node (undefined where the system does not report a
   * process's CPU time) and this process (the simulated actors, their proving and inference, the content gateway).
   * The node used little more than one core in any run measured, so a node's share near 1 is a node at its limit.
   */
  readonly cpu: { readonly chain?: number; readonly actors: number };
  readonly rpcUrl: string;
  readonly graphqlUrl?: string;
  /** The chain's state at the end, checked against the tally and the honest actors. */
  readonly audit: DevnetAudit;
}

/**
 * The main job: a local chain with the protocol deployed, the indexer serving, and simulated providers (in several
 * zones, one a TEE node in each, some dishonest), validators and requesters at work in every verification mode.
 * The chain's clock runs `speed` times faster than the wall's so that reveal, challenge and voting windows pass in
 * seconds. Resolves with a summary once `signal` aborts, the duration is up, or the requested jobs have all ended.
 */
export async function runDevnet(options: DevnetOptions, signal: AbortSignal): Promise<DevnetSummary> {
  const { print } = options;
  const narrate = (line: string) => {
    if (options.verbose) print(`  ${line}`);
  };
  await rm(options.directory, { recursive: true, force: true });
  const manifestDir = join(options.directory, "manifests");
  await mkdir(manifestDir, { recursive: true });
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  const children: Child[] = [];
  let stopGateway: () => Promise<void> = async () => {};
  let stopExplorer: () => Promise<void> = async () => {};
  const stopChildren = async () => {
    for (const child of children.reverse()) await child.stop();
  };
  try {
    print(`starting a local chain at ${rpcUrl}`);
    const chainNode = await startHardhatNode(options.port);
    children.push(chainNode);
    print("deploying the protocol");
    await deployWithScript(rpcUrl, manifestDir, "devnet-31337");
    const content = new ContentStore(join(options.directory, "content"));
    // The content gateway: manifest jobs' models, programs and (sealed) inputs, their keys, and their outputs.
    const runningGateway = await startGateway({ directory: join(options.directory, "gateway"), uploads: "open" });
    stopGateway = () => runningGateway.close();
    const gateway = new GatewayClient(runningGateway.url);
    const connect = (privateKey: Hex) =>
      connectProtocol({ rpcUrl, privateKey, manifestDir, indexerUrl: "", contentDir: content.directory });
    const roster = planRoster(options);
    const deployer = await connect(roster.deployer.privateKey);
    await prepareDevnet(deployer, roster, connect, print);
    const stakesAtStart = await recordStakes(deployer, roster);

    let graphqlUrl: string | undefined;
    let explorerUrl: string | undefined;
    if (options.indexerPort !== undefined) {
      print("starting the indexer");
      const indexer = await startIndexerProcess({
        rpcUrl,
        manifestDir,
        databaseDir: join(options.directory, "indexer-db"),
        port: options.indexerPort,
      });
      children.push(indexer.child);
      graphqlUrl = indexer.graphqlUrl;
      if (options.explorerPort !== undefined) {
        if (!(await portIsFree(options.explorerPort))) {
          throw new Error(`port ${options.explorerPort} is in use (--explorer-port, or --no-explorer)`);
        }
        buildExplorerIfStale(print);
        const explorer = await startExplorerServer({
          indexerUrl: graphqlUrl.replace(/\/graphql$/, ""),
          rpcUrl,
          port: options.explorerPort,
        });
        explorerUrl = explorer.url;
        stopExplorer = () => explorer.close();
      }
    }

    const book = new JobBook();
    const tally = emptyTally();
    const idle = options.idle === true;
    const daemons = await Promise.all(
      (idle ? [] : roster.providers).map(async (plan) =>
        ProviderDaemon.start(await connect(plan.privateKey), {
          journalPath: join(options.directory, "journals", `${plan.name}.json`),
          content,
          gateway,
          nodeKey: plan.privateKey,
          hardware: plan.hardware,
          ...(plan.enclaveKey === undefined ? {} : { enclaveKey: plan.enclaveKey }),
          ...(plan.fault === undefined ? {} : { fault: plan.fault }),
          maxActiveJobs: options.providerRoom ?? 3,
          pollMs: 500,
          heartbeatMs: 60_000,
          log: (event) => {
            if (event.kind === "error") tally.errors++;
            if (!["heartbeat", "skipped", "started"].includes(event.kind)) narrate(`${plan.name}: ${event.message}`);
          },
        }),
      ),
    );
    const workloads = idle
      ? undefined
      : await loadDevnetWorkloads(gateway, join(PROJECT_ROOT, "examples", "workloads"));
    const requesters = await Promise.all(
      (idle ? [] : roster.requesters).map(async (account, i) => {
        const requester = new SimulatedRequester(
          await connect(account.privateKey),
          i,
          content,
          book,
          roster.zones,
          narrate,
          workloads,
        );
        await requester.approve();
        return requester;
      }),
    );
    const validators = await Promise.all(
      (idle ? [] : roster.validators).map(
        async (account, i) =>
          new SimulatedValidator(
            await connect(account.privateKey),
            account.privateKey,
            i,
            roster.validators.length,
            content,
            book,
            narrate,
            gateway,
          ),
      ),
    );

    print("");
    print(
      `devnet running: chain ${rpcUrl} (chain id ${deployer.chain.id}), ` +
        (idle
          ? "idle: no simulated actors, the clock moved only by `starminer devnet warp`"
          : `time x${options.speed}`),
    );
    if (graphqlUrl !== undefined) print(`GraphQL: ${graphqlUrl}   REST: ${graphqlUrl.replace(/graphql$/, "api")}`);
    if (explorerUrl !== undefined) print(`Explorer: ${explorerUrl}`);
    for (const zone of roster.zones) {
      const here = roster.providers.filter((p) => p.zone === zone.label);
      const notes = here.map((p) => `${p.name}${p.enclaveKey ? " (TEE)" : ""}${p.fault ? " (dishonest)" : ""}`);
      print(`  ${zone.label}: ${notes.join(", ")}`);
    }
    print(`  ${roster.validators.length} validators, ${roster.requesters.length} requesters`);
    print("");
    print("For the CLI (paste into a shell):");
    print(`  export STARMINER_RPC_URL=${rpcUrl}`);
    print(`  export STARMINER_MANIFEST_DIR=${manifestDir}`);
    print(`  export STARMINER_CONTENT_DIR=${content.directory}`);
    print(`  export STARMINER_GATEWAY_URL=${runningGateway.url}`);
    if (graphqlUrl !== undefined) print(`  export STARMINER_INDEXER_URL=${graphqlUrl.replace(/\/graphql$/, "")}`);
    print("");
    print("Development accounts (public keys of the test mnemonic: worthless anywhere else):");
    for (const account of devnetAccounts(roster)) {
      print(`  ${account.address}  ${account.privateKey}  ${account.role}`);
    }
    print("");
    print("Ctrl-C stops everything");
    print("");

    const stop = new AbortController();
    const stopAll = () => stop.abort();
    signal.addEventListener("abort", stopAll, { once: true });
    // An actor whose round takes, in chain time, half the shortest window it must act within (a reveal window, a
    // challenge window, a delivery window) may miss it: an honest provider would then be slashed for the machine's
    // slowness. Said once a minute per actor, and counted.
    const shortestWindow = await shortestActorWindow(deployer);
    const lastWarned = new Map<string, number>();
    const loop = async (every: number, body: () => Promise<void>, what: string) => {
      while (!stop.signal.aborted) {
        const began = Date.now();
        try {
          await body();
        } catch (error) {
          tally.errors++;
          narrate(`${what}: ${describeError(error)}`);
        }
        // An idle devnet's clock runs at the wall's pace.
        const chainSeconds = ((Date.now() - began) / 1_000) * (idle ? 1 : options.speed);
        if (chainSeconds > shortestWindow / 2) {
          tally.behindClock++;
          if (Date.now() - (lastWarned.get(what) ?? 0) >= 60_000) {
            lastWarned.set(what, Date.now());
            print(
              `warning: ${what} is falling behind the clock: a round took ${chainSeconds.toFixed(0)} s of chain ` +
                `time, and the shortest window to act in is ${shortestWindow} s (lower --speed, or fewer actors)`,
            );
          }
        }
        await sleep(every, stop.signal);
      }
    };

    const monitor = new Monitor(deployer, tally);
    const chainPid = chainNode.process.pid;
    const chainCpuSeconds = async () => (chainPid === undefined ? undefined : cpuSecondsOf(chainPid));
    const cpuAtStart = { chain: await chainCpuSeconds(), actors: ownCpuSeconds() };
    const started = Date.now();
    /** Jobs ended by each progress line. */
    const endings: Ending[] = [];
    let firstSubmission: number | undefined;
    let submitted = 0;
    const wanted = options.jobs;
    const draining = wanted !== undefined || options.submitForSeconds !== undefined;
    let drainStarted: number | undefined;
    const submitting = () =>
      (wanted === undefined || submitted < wanted) &&
      (options.submitForSeconds === undefined || Date.now() - started < options.submitForSeconds * 1_000);
    const loops = [
      ...(idle ? [] : [loop(1_000, () => warpClock(deployer, options.speed), "clock")]),
      ...daemons.map((daemon, i) => loop(500, () => daemon.round(), roster.providers[i]!.name)),
      ...requesters.map((requester, i) =>
        loop(
          options.submitEveryMs,
          async () => {
            await requester.review();
            if (!submitting()) return;
            submitted++; // Reserved before the await, so that requesters together submit no more than wanted.
            firstSubmission ??= Date.now();
            try {
              await requester.submitNext();
            } catch (error) {
              submitted--;
              throw error;
            }
          },
          `requester-${i + 1}`,
        ),
      ),
      // Job keys are released apart from submissions, promptly: a claimer waits for its key within its window.
      ...requesters.map((requester, i) => loop(300, () => requester.releaseKeys(), `requester-${i + 1}-keys`)),
      ...validators.map((validator, i) => loop(700, () => validator.round(), `validator-${i + 1}`)),
      loop(
        options.progressEveryMs,
        async () => {
          await monitor.update();
          endings.push({ seconds: (Date.now() - started) / 1_000, ended: tally.settled + tally.refunded });
          print(progressLine(tally, Date.now() - started, await chainNow(deployer)));
          const ended = tally.settled + tally.refunded + tally.cancelled;
          if (draining && !submitting()) {
            drainStarted ??= Date.now();
            if (tally.submitted >= submitted && ended >= tally.submitted) stop.abort();
            const timeout = options.drainTimeoutSeconds;
            if (timeout !== undefined && Date.now() - drainStarted >= timeout * 1_000) {
              print(`gave up waiting for the last ${tally.submitted - ended} job(s) after ${timeout} s`);
              stop.abort();
            }
          }
          if (options.durationSeconds !== undefined && Date.now() - started >= options.durationSeconds * 1_000) {
            stop.abort();
          }
        },
        "monitor",
      ),
    ];
    await Promise.all(loops);
    const loopSeconds = (Date.now() - started) / 1_000;
    const chainCpu = await chainCpuSeconds();
    const cpu = {
      ...(chainCpu === undefined || cpuAtStart.chain === undefined
        ? {}
        : { chain: (chainCpu - cpuAtStart.chain) / loopSeconds }),
      actors: (ownCpuSeconds() - cpuAtStart.actors) / loopSeconds,
    };
    signal.removeEventListener("abort", stopAll);
    await monitor.update();
    const audit = await auditDevnet(deployer, roster, tally, stakesAtStart);
    const seconds = (Date.now() - started) / 1_000;
    const endedSeconds = firstSubmission === undefined ? seconds : (Date.now() - firstSubmission) / 1_000;
    const jobsPerMinute = ((tally.settled + tally.refunded) / Math.max(endedSeconds, 1)) * 60;
    const busyJobsPerMinute = busyPace(endings, tally.settled + tally.refunded);
    print("");
    print(`stopping: ${progressLine(tally, Date.now() - started, await chainNow(deployer))}`);
    return {
      tally,
      seconds,
      jobsPerMinute,
      ...(busyJobsPerMinute === undefined ? {} : { busyJobsPerMinute }),
      cpu,
      rpcUrl,
      ...(graphqlUrl === undefined ? {} : { graphqlUrl }),
      audit,
    };
  } finally {
    await releaseProver();
    await stopExplorer();
    await stopGateway();
    await stopChildren();
  }
}

interface Ending {
  readonly seconds: number;
  readonly ended: number;
}

/** See {@link DevnetSummary.busyJobsPerMinute}. */
export function busyPace(endings: readonly Ending[], total: number): number | undefined {
  const first = endings.find((point) => point.ended >= total / 10);
  const last = endings.find((point) => point.ended >= (total * 9) / 10);
  if (first === undefined || last === undefined || last.seconds - first.seconds < 10) return undefined;
  return ((last.ended - first.ended) / (last.seconds - first.seconds)) * 60;
}

/**
 * The shortest window, in chain seconds, within which an actor must act once it may: the market's reveal and
 * challenge windows, and the delivery window the simulated requesters give their jobs.
 */
async function shortestActorWindow(client: ProtocolClient): Promise<number> {
  const market = await client.jobMarket.read.marketParameters();
  return Math.min(market.revealWindow, market.challengeWindow, DEVNET_TIMING.deliveryWindow);
}

/** Moves the chain's clock `speed - 1` seconds ahead of the wall per second, and mines a block to show it. */
async function warpClock(client: ProtocolClient, speed: number): Promise<void> {
  if (speed > 1)
    await client.publicClient.request({ method: "evm_increaseTime" as never, params: [speed - 1] as never });
  await client.publicClient.request({ method: "evm_mine" as never, params: [] as never });
}

function emptyTally(): DevnetTally {
  return {
    submitted: 0,
    manifestJobs: 0,
    verified: 0,
    settled: 0,
    refunded: 0,
    cancelled: 0,
    disputes: 0,
    auditsFailed: 0,
    slashes: 0,
    slashedAmount: 0n,
    paidToProviders: 0n,
    forfeitedAmount: 0n,
    errors: 0,
    behindClock: 0,
  };
}

/** Tallies the market's, the hub's and staking's events as blocks arrive. */
class Monitor {
  private nextBlock = 0n;

  constructor(
    private readonly client: ProtocolClient,
    private readonly tally: DevnetTally,
  ) {}

  async update(): Promise<void> {
    const { publicClient, jobMarket, verificationHub, staking } = this.client;
    const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
    if (latest < this.nextBlock) return;
    const range = { fromBlock: this.nextBlock, toBlock: latest };
    const read = (contract: { address: Hex; abi: Abi }) =>
      publicClient.getContractEvents({ address: contract.address, abi: contract.abi, ...range });
    const events = [...(await read(jobMarket)), ...(await read(verificationHub)), ...(await read(staking))];
    for (const event of events) {
      const args = event.args as Record<string, bigint>;
      switch (event.eventName) {
        case "JobSubmitted":
          this.tally.submitted++;
          if (isManifestJob(event.args as { inputCommitment: Hex })) this.tally.manifestJobs++;
          break;
        case "JobVerified":
          this.tally.verified++;
          break;
        case "JobSettled":
          this.tally.settled++;
          break;
        case "JobRefunded":
          this.tally.refunded++;
          break;
        case "JobCancelled":
          this.tally.cancelled++;
          break;
        case "DisputeOpened":
          this.tally.disputes++;
          break;
        case "AuditFailed":
          this.tally.auditsFailed++;
          break;
        case "Slashed":
          this.tally.slashes++;
          this.tally.slashedAmount += args.amount ?? 0n;
          break;
        case "CollateralForfeited":
          this.tally.forfeitedAmount += args.amount ?? 0n;
          break;
        case "ProviderPaid":
          this.tally.paidToProviders += args.providerAmount ?? 0n;
          break;
      }
    }
    this.nextBlock = latest + 1n;
  }
}

function progressLine(tally: DevnetTally, elapsedMs: number, chainTime: bigint): string {
  const open = tally.submitted - tally.settled - tally.refunded - tally.cancelled;
  const amount = (wei: bigint) => Number(formatEther(wei)).toFixed(2);
  return (
    `[${Math.round(elapsedMs / 1_000)} s, chain ${new Date(Number(chainTime) * 1_000).toISOString().slice(11, 16)}] ` +
    `jobs ${tally.submitted} submitted (${tally.manifestJobs} ONNX or WASM), ${open} under way, ${tally.settled} settled, ${tally.refunded} refunded | ` +
    `disputes ${tally.disputes} (audits failed ${tally.auditsFailed}) | slashes ${tally.slashes} ` +
    `(${amount(tally.slashedAmount)} AGPU) | paid to providers ${amount(tally.paidToProviders)} AGPU | ` +
    `retried ${tally.errors}`
  );
}

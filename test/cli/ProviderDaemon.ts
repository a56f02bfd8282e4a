import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { id } from "ethers";
import { type Hex, keccak256, toHex } from "viem";
import { type DenseLayerJob, NodeRole, runDenseLayer, sampleDenseLayerJob } from "@starminer/sdk";

import { type ProtocolClient, connectProtocol } from "../../scripts/lib/client.js";
import { ContentStore } from "../../scripts/lib/content.js";
import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { type DaemonEvent, ProviderDaemon } from "../../scripts/lib/provider/daemon.js";
import type { JobRecord } from "../../scripts/lib/provider/journal.js";
import { releaseProver } from "../../scripts/lib/zk/groth16.js";
import {
  DAY,
  JobStatus,
  type Market,
  SlotStatus,
  Verdict,
  admitNewProvidersToOptimistic,
  attestEnclave,
  commitmentOf,
  decideDispute,
  jobSpec,
  result as labelledResult,
  salt,
  submit as submitSpec,
} from "../support/market.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { Background, ROOT, type Run, runNode, waitFor } from "../support/processes.js";
import type { Connection, Signer } from "../support/protocol.js";
import { advance } from "../support/scenario.js";

const CLI = join(ROOT, "bin", "starminer.mjs");
const MEASUREMENT = keccak256(toHex("test enclave build"));
const ENCLAVE_KEY = keccak256(toHex("test enclave signing key"));

describe("starminer provider run (end to end on a local node)", function () {
  this.timeout(600_000);

  let live: LiveMarket;
  let connection: Connection;
  let market: Market;
  let contentDir: string;
  let enclaveKeyFile: string;
  const daemons: Background[] = [];

  const environment = (signer: Signer) => ({
    STARMINER_RPC_URL: live.rpcUrl,
    STARMINER_MANIFEST_DIR: live.manifestDir,
    STARMINER_CONTENT_DIR: contentDir,
    // Journals a command makes without --journal go here, not into the user's home.
    STARMINER_HOME: join(live.workDir, "home"),
    STARMINER_PRIVATE_KEY: devKeyOf(signer.address),
  });
  const starminer = (signer: Signer, args: string[]) => runNode([CLI, ...args], environment(signer));
  const journalOf = (signer: Signer) => join(live.workDir, `journal-${signer.address}.json`);

  /** A client of the chain signing as `signer`, for a daemon run in this process. */
  const clientOf = (signer: Signer) =>
    connectProtocol({
      rpcUrl: live.rpcUrl,
      manifestDir: live.manifestDir,
      privateKey: devKeyOf(signer.address),
      indexerUrl: "http://127.0.0.1:1",
      contentDir,
    });

  /** A daemon in this process over `client`, with its own journal, whose rounds the test drives; its events kept. */
  const inProcessDaemon = async (client: ProtocolClient, journal: string, maxActiveJobs = 8) => {
    const events: DaemonEvent[] = [];
    const daemon = await ProviderDaemon.start(client, {
      journalPath: join(live.workDir, journal),
      content: new ContentStore(contentDir),
      maxActiveJobs,
      pollMs: 200,
      heartbeatMs: 3_600_000,
      log: (event) => events.push(event),
    });
    return { daemon, events };
  };

  /** What `client` reads of `functionName` from now on: `pick` of each call's arguments, in order. */
  const recordReads = <T>(client: ProtocolClient, functionName: string, pick: (args: readonly unknown[]) => T): T[] => {
    const recorded: T[] = [];
    const readContract = client.publicClient.readContract.bind(client.publicClient);
    client.publicClient.readContract = ((parameters: { functionName: string; args?: readonly unknown[] }) => {
      if (parameters.functionName === functionName) recorded.push(pick(parameters.args ?? []));
      return readContract(parameters as never);
    }) as never;
    return recorded;
  };

  /**
   * A consensus job with a 600 s window whose three slots providers 0-2 take and never deliver, passed by the
   * daemon's scans while full; then the window runs out and slot 0 is reopened. Returns the job's id.
   */
  const jobWithReopenedSlot = async (name: string, seed: number, daemon: ProviderDaemon): Promise<bigint> => {
    const [p0, p1, p2] = market.providers as [Signer, Signer, Signer];
    const jobId = await submit(name, sampleDenseLayerJob(seed), {
      mode: "consensus",
      redundancy: 3,
      deliveryWindow: 600,
    });
    for (const provider of [p0, p1, p2]) await (await market.jobMarket.connect(provider).claimSlot(jobId)).wait();
    await daemon.round();
    await daemon.round();
    expect(
      daemon.records().some((r) => r.jobId === jobId.toString()),
      "no slot open",
    ).to.equal(false);
    await advance(connection, 601);
    await daemon.round(); // A round after the jump, so that the next one is quick again.
    await (await market.jobMarket.connect(market.accounts.stranger).expireSlot(jobId, 0)).wait();
    return jobId;
  };

  const startDaemon = (signer: Signer, extra: string[] = []) => {
    const daemon = Background.start(
      [CLI, "provider", "run", "--journal", journalOf(signer), "--poll-ms", "200", ...extra],
      environment(signer),
    );
    daemons.push(daemon);
    return daemon;
  };

  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
  };

  /** Submits a job over `work` through the CLI as Alice and returns its id. */
  const submit = async (name: string, work: DenseLayerJob, spec: Record<string, unknown>): Promise<bigint> => {
    const path = join(live.workDir, `${name}.json`);
    await writeFile(
      path,
      JSON.stringify({ zone: "eu-west", gpuHours: 2, maxTotal: "100000", ...spec, workload: work }),
    );
    const submitted = json<{ jobId: string }>(
      await starminer(market.accounts.alice, ["--json", "job", "submit", "--spec", path]),
    );
    return BigInt(submitted.jobId);
  };

  const watch = async (jobId: bigint, until: "verified" | "ended") => {
    const run = await starminer(market.accounts.alice, [
      "job",
      "watch",
      jobId.toString(),
      "--until",
      until,
      "--interval-ms",
      "200",
      "--timeout-seconds",
      "180",
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
  };

  const resultOf = async (jobId: bigint) =>
    json<{ result: Hex; acceptedBy: string[]; output: number[] | null }>(
      await starminer(market.accounts.alice, ["--json", "job", "result", jobId.toString()]),
    );

  const slashesOf = async (provider: string, reason: string) => {
    const { staking } = market;
    return staking.queryFilter(staking.filters.Slashed(provider, id(reason)));
  };

  before(async () => {
    live = await startLiveMarket("daemon-test");
    ({ connection, market } = live);
    contentDir = join(live.workDir, "content");
    // New providers may take optimistic jobs (their reputation is neutral); provider 0 runs in an attested enclave.
    await admitNewProvidersToOptimistic(market);
    await attestEnclave(market, market.providers[0]!, MEASUREMENT, ENCLAVE_KEY);
    enclaveKeyFile = join(live.workDir, "enclave.key");
    await writeFile(enclaveKeyFile, ENCLAVE_KEY);
    expect(await market.nodeRegistry.isEligible(market.providers[0]!.address, NodeRole.PROVIDER)).to.equal(true);
  });

  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.kill();
  });

  after(async () => {
    // The in-process daemons' proofs started snarkjs's worker threads, which would keep the process alive.
    await releaseProver();
    await live?.close();
  });

  it("completes a job in each verification mode: consensus, optimistic, TEE and ZK", async () => {
    const [p0, p1, p2] = market.providers as [Signer, Signer, Signer];
    const running = [startDaemon(p0, ["--enclave-key-file", enclaveKeyFile]), startDaemon(p1), startDaemon(p2)];
    for (const daemon of running) await daemon.waitForLine(/started\s+provider/);

    const works = [1, 2, 3, 4].map(sampleDenseLayerJob);
    const jobs = {
      consensus: await submit("consensus", works[0]!, { mode: "consensus", redundancy: 3 }),
      optimistic: await submit("optimistic", works[1]!, { mode: "optimistic" }),
      tee: await submit("tee", works[2]!, { mode: "tee" }),
      zk: await submit("zk", works[3]!, { mode: "zk" }),
    };
    for (const [index, jobId] of Object.values(jobs).entries()) {
      await watch(jobId, "verified");
      const { result, output, acceptedBy } = await resultOf(jobId);
      const expected = runDenseLayer(works[index]!);
      expect(result, `job ${jobId}`).to.equal(expected.result);
      expect(output, "the output, fetched from the content store and checked").to.deep.equal(expected.output);
      expect(acceptedBy).to.have.length(jobId === jobs.consensus ? 3 : 1);
    }
    expect((await resultOf(jobs.tee)).acceptedBy).to.deep.equal([p0.address]);

    // Once the challenge windows close, the daemons finalize and are paid.
    await advance(connection, DAY + 1);
    for (const jobId of Object.values(jobs)) {
      await watch(jobId, "ended");
      expect((await market.jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
    }
    const paid = await market.jobMarket.queryFilter(market.jobMarket.filters.ProviderPaid());
    expect(new Set(paid.map((event) => event.args.jobId))).to.deep.equal(new Set(Object.values(jobs)));
    for (const daemon of running) expect(await daemon.stop(), daemon.lines.join("\n")).to.equal(0);
  });

  it("catches a dishonest provider: a wrong optimistic result is disputed and refunded, a dissent slashed", async () => {
    const [, p1, p2, p3] = market.providers as [Signer, Signer, Signer, Signer];
    const dishonest = startDaemon(p3, ["--fault", "wrong-result"]);

    // Alone in the zone, the dishonest provider takes an optimistic job and reports a wrong output.
    const work = sampleDenseLayerJob(6);
    const optimistic = await submit("wrong", work, { mode: "optimistic" });
    await watch(optimistic, "verified");
    const reported = await resultOf(optimistic);
    expect(reported.acceptedBy).to.deep.equal([p3.address]);
    expect(reported.result, "the requester recomputes and finds it wrong").not.to.equal(runDenseLayer(work).result);

    const disputed = await starminer(market.accounts.alice, ["job", "dispute", optimistic.toString()]);
    expect(disputed.code, disputed.stderr).to.equal(0);
    await decideDispute(market, optimistic, true);
    await advance(connection, 2 * DAY + 1);
    await market.verificationHub.connect(market.accounts.carol).resolveDispute(optimistic);
    expect((await market.verificationHub.disputeOf(optimistic)).verdict).to.equal(Verdict.Upheld);
    expect((await market.jobMarket.jobOf(optimistic)).status).to.equal(JobStatus.Refunded);
    expect(await slashesOf(p3.address, "market.dispute")).to.have.length(1);
    await dishonest.waitForLine(new RegExp(`job ${optimistic}: Refunded`));

    // With two honest providers beside it (an Economy job: no reputation floor), its dissent is outvoted and slashed.
    startDaemon(p1);
    startDaemon(p2);
    const consensus = await submit("dissent", sampleDenseLayerJob(5), {
      mode: "consensus",
      redundancy: 3,
      tier: "economy",
    });
    await watch(consensus, "verified");
    const slots = await market.jobMarket.slotsOf(consensus);
    expect(slots.map((slot) => slot.provider)).to.have.members([p1.address, p2.address, p3.address]);
    expect((await resultOf(consensus)).result).to.equal(runDenseLayer(sampleDenseLayerJob(5)).result);
    // The dissent is slashed when the job settles, once no dispute or audit has shown the majority wrong.
    expect(await slashesOf(p3.address, "market.dissent")).to.have.length(0);
    await advance(connection, DAY + 1);
    await watch(consensus, "ended");
    expect(await slashesOf(p3.address, "market.dissent")).to.have.length(1);
  });

  it("resumes after being killed: reveals what it committed from its journal and never claims twice", async () => {
    const [p0, p1, p2] = market.providers as [Signer, Signer, Signer];
    const jobId = await submit("resume", sampleDenseLayerJob(7), { mode: "consensus", redundancy: 3 });

    // A long pause between rounds: it claims and commits in its first round, then is killed while it waits.
    const first = startDaemon(p1, ["--poll-ms", "600000"]);
    await first.waitForLine(new RegExp(`job ${jobId} slot 0: committed`));
    await first.kill();
    const journal = JSON.parse(await readFile(journalOf(p1), "utf8")) as { jobs: Record<string, JobRecord> };
    expect(journal.jobs[jobId.toString()]).to.include({ stage: "committed", slot: 0 });

    // The other providers commit, which opens the reveal; the restarted daemon reveals with its saved salt.
    for (const other of [startDaemon(p2), startDaemon(p0)]) {
      await other.waitForLine(new RegExp(`job ${jobId} slot [12]: revealed`));
    }
    const restarted = startDaemon(p1);
    await restarted.waitForLine(new RegExp(`job ${jobId} slot 0: revealed`));
    await watch(jobId, "verified");
    await advance(connection, DAY + 1);
    await watch(jobId, "ended");
    expect((await market.jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);

    const claims = await market.jobMarket.queryFilter(
      market.jobMarket.filters.SlotClaimed(jobId, undefined, p1.address),
    );
    expect(claims, "claims by the restarted provider").to.have.length(1);
    await restarted.waitForLine(new RegExp(`job ${jobId}: Settled: paid`));
  });

  it("keeps a job submitted after its round read the job count, rather than taking it for a reset chain", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const client = await clientOf(p3);
    // The round reads the count, then a requester submits, then the round's scan of open jobs sees the new one.
    const counted = await client.jobMarket.read.jobCount();
    const jobId = await submit("late", sampleDenseLayerJob(11), { mode: "consensus", redundancy: 3 });
    expect(jobId).to.be.greaterThan(counted);
    // The round's read gives the count from before the submission; later reads see the chain as it is.
    let stale = true;
    const read = new Proxy(client.jobMarket.read, {
      get: (target, key) => {
        if (key !== "jobCount" || !stale) return Reflect.get(target, key);
        stale = false;
        return async () => counted;
      },
    });
    const lagging = { ...client, jobMarket: { ...client.jobMarket, read } } as ProtocolClient;
    const { daemon, events } = await inProcessDaemon(lagging, "late-journal.json");
    await daemon.round();
    // It claimed the job and went on with it (computed and committed), instead of dropping it unfinished.
    const record = daemon.records().find((r) => r.jobId === jobId.toString());
    expect(record?.stage, events.map((e) => e.message).join("\n")).to.equal("committed");
    expect(events.some((e) => /not on this chain/.test(e.message))).to.equal(false);
  });

  it("claims nothing it could not deliver in time: a round that takes most of a job's window passes it over", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const { daemon, events } = await inProcessDaemon(await clientOf(p3), "slow-journal.json");
    await daemon.round();
    // The next round starts 250 s of chain time later (a loaded machine, a fast clock): three such rounds are more
    // than the job's 600 s delivery window.
    const jobId = await submit("slow", sampleDenseLayerJob(13), {
      mode: "consensus",
      redundancy: 3,
      deliveryWindow: 600,
    });
    await advance(connection, 250);
    await daemon.round();
    const held = () => daemon.records().some((r) => r.jobId === jobId.toString());
    expect(held()).to.equal(false);
    const passed = events.map((e) => e.message).find((m) => m.startsWith(`job ${jobId}: passed over`));
    expect(passed).to.match(/too slow to deliver in time: a round takes 25\d s of chain time, the job allows 600 s/);
    // Once its rounds are quick again, the job is looked at afresh (every 30 rounds) and claimed.
    for (let i = 0; i < 40 && !held(); i++) await daemon.round();
    expect(held(), events.map((e) => e.message).join("\n")).to.equal(true);
  });

  it("claims a round's jobs in one transaction, and passes over a job the market refuses with the market's reason", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const { daemon, events } = await inProcessDaemon(await clientOf(p3), "batch-journal.json");
    await daemon.round();
    const batch = [
      await submit("batch-1", sampleDenseLayerJob(21), { mode: "consensus", redundancy: 3 }),
      await submit("batch-2", sampleDenseLayerJob(22), { mode: "consensus", redundancy: 3 }),
    ];
    // A new provider's reputation (neutral) is below the Priority tier's floor: the daemon cannot tell, the market can.
    const priority = await submit("batch-priority", sampleDenseLayerJob(23), {
      mode: "consensus",
      redundancy: 3,
      tier: "priority",
    });
    await daemon.round();
    const records = daemon.records();
    const claims = batch.map((jobId) => records.find((r) => r.jobId === jobId.toString())?.claimTransaction);
    expect(claims[0], events.map((e) => e.message).join("\n")).to.match(/^0x[0-9a-f]{64}$/);
    expect(claims[1], "both jobs claimed by one transaction").to.equal(claims[0]);
    const receipt = await connection.ethers.provider.getTransactionReceipt(claims[0]!);
    const claimed = receipt!.logs.flatMap((log) => {
      const parsed = market.jobMarket.interface.parseLog(log);
      return parsed?.name === "SlotClaimed" ? [parsed.args.jobId as bigint] : [];
    });
    expect(claimed).to.include.members(batch);
    expect(records.some((r) => r.jobId === priority.toString())).to.equal(false);
    const passed = events.map((e) => e.message).find((m) => m.startsWith(`job ${priority}: passed over`));
    expect(passed).to.match(/MarketReputationBelowFloor/);
  });

  it("reads its candidates a page at a time, oldest first: passes over a backlog it cannot take and claims the job behind it", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const client = await clientOf(p3);
    const { daemon, events } = await inProcessDaemon(client, "paged-journal.json");
    await daemon.round();
    // Every read of jobs with their slots (the jobs it asked for), and where each scan for open jobs started.
    const reads = recordReads(client, "jobsWithSlots", (args) => args[0] as readonly bigint[]);
    const scansFrom = recordReads(client, "openJobsInZone", (args) => args[1] as bigint);
    // Twenty jobs that need an enclave (this node has none), then one it can take.
    const { timestamp } = (await connection.ethers.provider.getBlock("latest"))!;
    const backlog: bigint[] = [];
    for (let i = 0; i < 20; i++) backlog.push(await submitSpec(market, jobSpec(timestamp, { teeRequired: true })));
    const jobId = await submit("behind-backlog", sampleDenseLayerJob(41), { mode: "consensus", redundancy: 3 });
    await daemon.round();
    const held = daemon.records().map((r) => r.jobId);
    expect(held, events.map((e) => e.message).join("\n")).to.include(jobId.toString());
    for (const tee of backlog) {
      expect(held).to.not.include(tee.toString());
      expect(events.map((e) => e.message)).to.include(`job ${tee}: passed over (needs a TEE)`);
    }
    expect(Math.max(...reads.map((ids) => ids.length)), "no read of more than a page of candidates").to.be.at.most(16);
    // Passed over, the backlog is not read again until the next full rescan, nor scanned: the next scan starts
    // behind it and behind the job in hand (both still open in the zone).
    reads.length = 0;
    scansFrom.length = 0;
    const later = await submitSpec(market, jobSpec(timestamp, { teeRequired: true }));
    await daemon.round();
    expect(reads.flat().filter((id) => backlog.includes(id))).to.deep.equal([]);
    expect(events.map((e) => e.message)).to.include(`job ${later}: passed over (needs a TEE)`);
    expect(scansFrom.length, "scanned for new jobs").to.be.greaterThan(0);
    for (const from of scansFrom) expect(from > jobId, `a scan from job ${from}`).to.equal(true);
  });

  it("takes a slot reopened in a job its scans have passed, at once, with one scan from that job", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const client = await clientOf(p3);
    const { daemon, events } = await inProcessDaemon(client, "reopened-journal.json");
    const jobId = await jobWithReopenedSlot("reopened", 43, daemon);
    const scansFrom = recordReads(client, "openJobsInZone", (args) => args[1] as bigint);
    await daemon.round();
    expect(
      daemon.records().some((r) => r.jobId === jobId.toString()),
      events.map((e) => e.message).join("\n"),
    ).to.equal(true);
    expect(scansFrom, "one scan, from the reopened job").to.deep.equal([jobId]);
  });

  it("looks again at its next rescan at a reopened slot it first passed over", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const client = await clientOf(p3);
    const { daemon, events } = await inProcessDaemon(client, "reopened-twice-journal.json");
    const jobId = await jobWithReopenedSlot("reopened-twice", 47, daemon);
    // The round that sees the slot reopened takes 250 s of chain time: too slow for the job's window then.
    await advance(connection, 250);
    await daemon.round();
    const held = () => daemon.records().some((r) => r.jobId === jobId.toString());
    expect(held()).to.equal(false);
    const passed = events.map((e) => e.message).find((m) => m.startsWith(`job ${jobId}: passed over`));
    expect(passed).to.match(/too slow to deliver in time/);
    // Quick rounds again: by its next rescan (every 30 rounds) it takes the slot.
    for (let i = 0; i < 30 && !held(); i++) await daemon.round();
    expect(held(), events.map((e) => e.message).join("\n")).to.equal(true);
  });

  it("gives no room to a committed job waiting for the other claimers: with room for one, it keeps claiming", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const client = await clientOf(p3);
    const { daemon, events } = await inProcessDaemon(client, "committed-room-journal.json", 1);
    // Two consensus jobs nobody else claims: each waits, once committed, for two more claimers.
    const jobs = [
      await submit("waiting-1", sampleDenseLayerJob(51), { mode: "consensus", redundancy: 3 }),
      await submit("waiting-2", sampleDenseLayerJob(52), { mode: "consensus", redundancy: 3 }),
    ];
    const stageOf = (jobId: bigint) => daemon.records().find((r) => r.jobId === jobId.toString())?.stage;
    for (let i = 0; i < 20 && jobs.some((jobId) => stageOf(jobId) === undefined); i++) await daemon.round();
    const log = events.map((e) => e.message).join("\n");
    for (const jobId of jobs) expect(stageOf(jobId), `job ${jobId}\n${log}`).to.equal("committed");
    // Nothing left half-done: every job it holds was computed in the round that claimed it.
    expect(daemon.records().filter((r) => r.stage === "claiming" || r.stage === "claimed")).to.deep.equal([]);
  });

  it("proves one job at a time until it has timed a proof, then takes the others beside it", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const { daemon, events } = await inProcessDaemon(await clientOf(p3), "first-proof-journal.json");
    await daemon.round();
    const jobs: bigint[] = [];
    for (const seed of [61, 62, 63])
      jobs.push(await submit(`first-proof-${seed}`, sampleDenseLayerJob(seed), { mode: "zk" }));
    const stageOf = (jobId: bigint) => daemon.records().find((r) => r.jobId === jobId.toString())?.stage;
    const log = () => events.map((e) => e.message).join("\n");

    // Untimed, a proof would count as one job whatever it costs: the first round claims and proves one.
    await daemon.round();
    const first = jobs.filter((jobId) => stageOf(jobId) !== undefined);
    expect(first, log()).to.have.length(1);
    expect(stageOf(first[0]!), log()).to.equal("delivered");
    expect(
      events.some((e) => e.message.includes("passed over") && jobs.some((j) => e.message.startsWith(`job ${j}:`))),
    ).to.equal(false);

    // Timed now: the others are claimed together, each weighed by what the first one cost.
    await daemon.round();
    for (const jobId of jobs) expect(stageOf(jobId), `job ${jobId}\n${log()}`).to.be.oneOf(["delivered", "finished"]);
  });

  it("reveals a commitment whose reveal window opens during its round once the job in hand is done, not a round later", async () => {
    const [p0, p1, , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const client = await clientOf(p3);
    const { daemon, events } = await inProcessDaemon(client, "reveal-meanwhile-journal.json");
    const waiting = await submit("reveal-meanwhile", sampleDenseLayerJob(71), { mode: "consensus", redundancy: 3 });
    for (const provider of [p0, p1]) await (await market.jobMarket.connect(provider).claimSlot(waiting)).wait();
    await daemon.round();
    const stageOf = (jobId: bigint) => daemon.records().find((r) => r.jobId === jobId.toString())?.stage;
    expect(stageOf(waiting)).to.equal("committed");

    // The next round claims and computes another job; as it commits that job's result, the other two claimers of
    // the first job commit theirs, which opens its reveal window.
    const next = await submit("reveal-meanwhile-next", sampleDenseLayerJob(72), { mode: "consensus", redundancy: 3 });
    const readContract = client.publicClient.readContract.bind(client.publicClient);
    let othersCommitted = false;
    client.publicClient.readContract = (async (parameters: { functionName: string; args?: readonly unknown[] }) => {
      if (parameters.functionName === "commitmentOf" && parameters.args?.[0] === next && !othersCommitted) {
        othersCommitted = true;
        for (const [slot, provider] of [p0, p1].entries()) {
          const commitment = commitmentOf(
            waiting,
            slot,
            provider.address,
            labelledResult(`other-${slot}`),
            salt(slot + 1),
          );
          await (await market.jobMarket.connect(provider).commitResult(waiting, slot, commitment)).wait();
        }
      }
      return readContract(parameters as never);
    }) as never;
    await daemon.round();
    const log = events.map((e) => e.message).join("\n");
    expect(othersCommitted, log).to.equal(true);
    expect(stageOf(next), log).to.equal("committed");
    expect(stageOf(waiting), log).to.equal("delivered");
    expect(Number((await market.jobMarket.slotsOf(waiting))[2]!.status), log).to.equal(SlotStatus.Revealed);
  });

  it("closes journal entries whose jobs a restarted local chain no longer has", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    const journal = join(live.workDir, "stale-journal.json");
    await writeFile(
      journal,
      JSON.stringify({
        version: 1,
        chainId: Number((await connection.ethers.provider.getNetwork()).chainId),
        market: await market.jobMarket.getAddress(),
        provider: p3.address,
        jobs: { "999": { jobId: "999", stage: "delivered", slot: 0, updatedAt: "" } },
      }),
    );
    const run = await starminer(p3, ["provider", "run", "--journal", journal, "--rounds", "1"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/job 999: the job is not on this chain any more/);
    const after = JSON.parse(await readFile(journal, "utf8")) as { jobs: Record<string, JobRecord> };
    expect(after.jobs["999"]).to.include({ stage: "finished" });
  });

  it("refuses bad input with one line, a non-zero exit and nothing sent", async () => {
    const [p0, p1, p2] = market.providers as [Signer, Signer, Signer];
    const othersJournal = join(live.workDir, "journal-of-another.json");
    await writeFile(
      othersJournal,
      JSON.stringify({
        version: 1,
        chainId: Number((await connection.ethers.provider.getNetwork()).chainId),
        market: await market.jobMarket.getAddress(),
        provider: p1.address,
        jobs: {},
      }),
    );
    const blockBefore = await connection.ethers.provider.getBlockNumber();
    const badWorkload = join(live.workDir, "bad-workload.json");
    await writeFile(
      badWorkload,
      JSON.stringify({ zone: "eu-west", gpuHours: 1, maxTotal: "100", workload: { model: { weights: [[1]] } } }),
    );
    const cases: [Signer, string[], number, RegExp][] = [
      [market.accounts.stranger, ["provider", "run", "--rounds", "1"], 1, /is not a registered node/],
      [p1, ["provider", "run", "--fault", "lazy"], 2, /--fault must be one of wrong-result, miss/],
      [p1, ["provider", "run", "--gpu", "H100"], 2, /--gpu, --vram and --compute-capability go together/],
      [
        p0,
        ["provider", "run", "--gpu", "RTX 4090", "--vram", "24564", "--compute-capability", "89", "--rounds", "1"],
        1,
        /has 24564 MiB of VRAM but 81920 MiB is registered/,
      ],
      [p2, ["provider", "run", "--journal", othersJournal, "--rounds", "1"], 1, /belongs to provider/],
      [market.accounts.alice, ["job", "watch", "999"], 1, /job 999 does not exist/],
      [
        market.accounts.alice,
        ["job", "submit", "--spec", badWorkload],
        2,
        /"workload": "model.weights" must be 16 rows/,
      ],
    ];
    for (const [signer, args, code, message] of cases) {
      const run = await starminer(signer, args);
      expect(run.code, `${args.join(" ")}: ${run.stdout}${run.stderr}`).to.equal(code);
      expect(run.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(run.stderr, args.join(" ")).to.match(message);
    }
    expect(await connection.ethers.provider.getBlockNumber(), "blocks mined").to.equal(blockBefore);
  });
});

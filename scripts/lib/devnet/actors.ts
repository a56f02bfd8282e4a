import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { type Address, type Hex, keccak256, maxUint256, parseEventLogs, toHex } from "viem";
import {
  type ArtifactSource,
  AUDIT_SLOT,
  type ChainJob,
  type ChainSlot,
  type GatewayClient,
  type JobCommitments,
  type JobManifest,
  type JobView,
  JobStatus,
  Mode,
  NodeRole,
  SlotStatus,
  Tier,
  WorkloadClass,
  describeError,
  enumName,
  failureResult,
  fetchArtifacts,
  finalizeBatches,
  jobSpec,
  misreleasedSlots,
  parseJobManifest,
  prepareManifestJob,
  publishManifestJob,
  readJobViews,
  releaseJobKeys,
  sampleDenseLayerJob,
  specHash,
  validatorJobKey,
  writeAndWait,
  zoneId,
} from "@starminer/sdk";

import type { ProtocolClient } from "../client.js";
import type { ContentStore } from "../content.js";
import { jurorStep, upholds } from "../juror.js";
import { filesByCid } from "../workloads/artifact-store.js";
import { allRuntimes, executeJob } from "../workloads/execute.js";
import { loadJobWork, recomputeResult } from "../workloads/job-work.js";
import { DEVNET_TIMING } from "./setup.js";

/** What the simulated requesters and validators know about a job they follow. */
export interface TrackedJob {
  readonly jobId: bigint;
  /** The simulated requester who submitted it; undefined for a job someone else submitted (the CLI, a dApp). */
  readonly requester?: ProtocolClient;
  readonly mode: number;
  /** What the job's spec commits to: a dense-layer job's Poseidon commitments, or a manifest's digest. */
  readonly commitments: JobCommitments;
  /** The result a correct provider reports, when the submitter computed it beforehand (its manifest jobs). */
  readonly expected?: Hex;
  /** The job key its simulated requester keeps, for a job whose data is sealed. */
  readonly jobKey?: Uint8Array;
  /** Set once the requester has checked the accepted result (and disputed it if wrong). */
  reviewed: boolean;
  ended: boolean;
}

/**
 * The jobs on the devnet's chain that are followed: those the simulation submitted, and those anyone else did
 * (found by {@link JobBook.discover}), so that the validators audit, judge and finalize every job, not only their
 * own requesters'.
 */
export class JobBook {
  readonly jobs = new Map<bigint, TrackedJob>();
  /** The first block not yet searched for submissions. */
  private nextBlock = 0n;
  /** The last read of every open job, shared by the simulated requesters and validators (see {@link snapshot}). */
  private lastSnapshot: { readonly startedAt: number; readonly read: Promise<BookSnapshot> } | undefined;
  /** The views the last read left, and what they are as of (see {@link readViews}). */
  private known: KnownViews | undefined;

  add(job: TrackedJob) {
    this.jobs.set(job.jobId, job);
  }

  /** Adds the jobs submitted on chain since the last call that the book does not hold yet; returns how many. */
  async discover(client: ProtocolClient): Promise<number> {
    const latest = await client.publicClient.getBlockNumber({ cacheTime: 0 });
    if (latest < this.nextBlock) return 0;
    const { address, abi } = client.jobMarket;
    const events = await client.publicClient.getContractEvents({
      address,
      abi,
      eventName: "JobSubmitted",
      fromBlock: this.nextBlock,
      toBlock: latest,
    });
    let found = 0;
    for (const { args } of events) {
      const { jobId, mode, specHash, modelCommitment, inputCommitment } = args;
      if (jobId === undefined || mode === undefined) continue;
      if (specHash === undefined || modelCommitment === undefined || inputCommitment === undefined) continue;
      if (this.jobs.has(jobId)) continue;
      this.add({
        jobId,
        mode,
        commitments: { specHash, modelCommitment, inputCommitment },
        reviewed: false,
        ended: false,
      });
      found++;
    }
    this.nextBlock = latest + 1n;
    return found;
  }

  open(): TrackedJob[] {
    return [...this.jobs.values()].filter((job) => !job.ended);
  }

  /**
   * The chain's clock and every open job with its slots, read (clock first) at most {@link SNAPSHOT_MAX_AGE_MS}
   * ago: the simulated requesters and validators all follow the same jobs, and one read shared among them asks the
   * node a few calls where each reading for itself asked a few calls per actor and round. A job added since the
   * read is not in it (it is in the next one). A failed read is not kept.
   */
  snapshot(client: ProtocolClient): Promise<BookSnapshot> {
    const last = this.lastSnapshot;
    if (last !== undefined && Date.now() - last.startedAt <= SNAPSHOT_MAX_AGE_MS) return last.read;
    const ids = this.open().map((tracked) => tracked.jobId);
    const read = this.readViews(client, ids);
    const snapshot = { startedAt: Date.now(), read };
    this.lastSnapshot = snapshot;
    read.catch(() => {
      if (this.lastSnapshot === snapshot) this.lastSnapshot = undefined;
    });
    return read;
  }

  /**
   * Reads the jobs `ids` with their slots, again only where they may have changed: a job and its slots change only in
   * a market transaction, which logs an event naming the job, so a view read at block B or later still holds for a
   * job the market has logged nothing about after B. Jobs not read before, and those named by an event since, are read
   * again; every job is read again when the market's clock is not where it was against the chain's (a stopped or
   * resumed clock moves every job's times as the views give them) and at least every {@link FULL_READ_MS}, so
   * that a change this reasoning missed lasts no longer than that. Reading only what changed is what keeps the
   * shared read cheap for the node: read whole four times a second, it was most of the node's work in a busy market.
   */
  private async readViews(client: ProtocolClient, ids: readonly bigint[]): Promise<BookSnapshot> {
    const block = await client.publicClient.getBlock({ blockTag: "latest" });
    const lag = block.timestamp - (await client.jobMarket.read.clock({ blockNumber: block.number }));
    const known = this.known;
    const whole = known === undefined || known.lag !== lag || Date.now() - known.wholeAt > FULL_READ_MS;
    const changed = whole ? undefined : await jobsNamedSince(client, known.block + 1n, block.number);
    const stale = ids.filter((id) => changed === undefined || changed.has(id) || !known!.views.has(id));
    const read = await readJobViews(client, stale);
    const views = new Map<bigint, JobView>();
    for (const id of ids) {
      const view = read.get(id) ?? known?.views.get(id);
      if (view !== undefined) views.set(id, view);
    }
    // Kept only if no read that started later has been kept: views as of an older block with the events after it
    // still to see are right, but a later read's are fresher.
    if (this.known === undefined || this.known.block <= block.number) {
      this.known = { block: block.number, lag, wholeAt: whole ? Date.now() : known!.wholeAt, views };
    }
    return { now: block.timestamp, views };
  }
}

/** See {@link JobBook.readViews}. */
interface KnownViews {
  /** The block the views were read at or after: events from the next block on say which have changed. */
  readonly block: bigint;
  /** How far the market's clock was behind the chain's at that block. */
  readonly lag: bigint;
  /** When (wall clock, ms) every followed job was last read. */
  readonly wholeAt: number;
  readonly views: ReadonlyMap<bigint, JobView>;
}

/** The jobs the market logged an event about in blocks `fromBlock` to `toBlock`. */
async function jobsNamedSince(client: ProtocolClient, fromBlock: bigint, toBlock: bigint): Promise<Set<bigint>> {
  const named = new Set<bigint>();
  if (fromBlock > toBlock) return named;
  const { address, abi } = client.jobMarket;
  const events = await client.publicClient.getContractEvents({ address, abi, fromBlock, toBlock });
  for (const { args } of events) {
    const jobId = (args as { jobId?: bigint }).jobId;
    if (jobId !== undefined) named.add(jobId);
  }
  return named;
}

/** See {@link JobBook.snapshot}. */
export interface BookSnapshot {
  /** The chain's clock, read before the views. */
  readonly now: bigint;
  readonly views: ReadonlyMap<bigint, JobView>;
}

/**
 * How old a shared read of the followed jobs may be: well under a round of any actor (the fastest, a requester's key
 * releases, runs every 300 ms), and a small part of the shortest window at any clock the devnet runs.
 */
const SNAPSHOT_MAX_AGE_MS = 250;

/** How often the shared read reads every followed job, changed or not (see {@link JobBook.readViews}). */
const FULL_READ_MS = 2_000;

type Log = (message: string) => void;

/** The chain's clock (the latest block's timestamp). */
export async function chainNow(client: ProtocolClient): Promise<bigint> {
  return (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
}

/**
 * The examples the simulated requesters submit beside dense-layer jobs: real ONNX models and a WASM program, with
 * the result each gives (computed once, on this machine, before the run).
 */
export interface DevnetWorkloads {
  readonly gateway: GatewayClient;
  readonly files: ArtifactSource;
  readonly examples: readonly { readonly name: string; readonly manifest: JobManifest; readonly expected: Hex }[];
}

/** Loads the examples of `directory` (`*.job.json` and their files) and runs each once for its expected result. */
export async function loadDevnetWorkloads(gateway: GatewayClient, directory: string): Promise<DevnetWorkloads> {
  const files = await filesByCid(directory);
  const runtimes = allRuntimes();
  const examples = [];
  for (const name of ["digits-mlp", "digits-cnn", "monte-carlo"]) {
    const manifest = parseJobManifest(JSON.parse(await readFile(join(directory, `${name}.job.json`), "utf8")));
    const outcome = await executeJob(manifest, await fetchArtifacts(manifest, files), runtimes);
    if (outcome.status !== "completed")
      throw new Error(`the example ${name} does not run here: ${outcome.error.message}`);
    examples.push({ name, manifest, expected: outcome.result });
  }
  return { gateway, files, examples };
}

/**
 * Recomputes jobs' correct results as a validator can: a dense-layer job from the content store, a manifest job from
 * the gateway, its key asked of the requester when its data is sealed. Results are kept, so each job runs once.
 */
export class Recomputer {
  private readonly results = new Map<bigint, Hex>();
  private readonly keys = new Map<bigint, Uint8Array>();
  private readonly runtimes = allRuntimes();

  constructor(
    private readonly client: ProtocolClient,
    private readonly content: ContentStore,
    private readonly gateway: GatewayClient | undefined,
    private readonly privateKey: Hex,
  ) {}

  /**
   * Whether the requester recorded, for a claimer of this sealed job, a wrap that is not the job key's (checked once
   * the key was released to this validator by `correct`; false for a job in the clear).
   */
  async misreleased(tracked: TrackedJob): Promise<boolean> {
    const key = this.keys.get(tracked.jobId);
    return key !== undefined && (await misreleasedSlots(this.client, tracked.jobId, key)).length > 0;
  }

  /** The job's correct result, or undefined while its key has not been released to this validator. */
  async correct(tracked: TrackedJob): Promise<Hex | undefined> {
    const known = this.results.get(tracked.jobId);
    if (known !== undefined) return known;
    const work = await loadJobWork(tracked.commitments, {
      store: this.content,
      ...(this.gateway === undefined ? {} : { gateway: this.gateway }),
    });
    let key: Uint8Array | undefined;
    if (work.kind === "manifest" && work.encrypted) {
      const job = await this.client.jobMarket.read.jobOf([tracked.jobId]);
      key = await validatorJobKey(this.client, {
        gateway: this.gateway!,
        validatorKey: this.privateKey,
        jobId: tracked.jobId,
        requester: job.requester,
      });
      if (key === undefined) return undefined;
      this.keys.set(tracked.jobId, key);
    }
    const result = await recomputeResult(work, this.runtimes, key);
    this.results.set(tracked.jobId, result);
    return result;
  }
}

/** Whether anyone may be waiting for the job's key: a claimer of an open job, or an auditor or juror. */
function mayAwaitKey({ job, slots }: JobView): boolean {
  if (job.status === JobStatus.Open) return slots.some((slot) => slot.status === SlotStatus.Claimed);
  return job.status === JobStatus.Verified || job.status === JobStatus.Disputed;
}

/** The result the market accepted for a verified job. */
async function acceptedResult(client: ProtocolClient, jobId: bigint): Promise<Hex | undefined> {
  const job = await client.jobMarket.read.jobOf([jobId]);
  const slots = await client.jobMarket.read.slotsOf([jobId]);
  return slots.find((_, index) => (job.acceptedSlots & (1 << index)) !== 0)?.result;
}

/** A zone the devnet has providers in: which, how many of them honest, how many TEE nodes. */
export interface ZonePlan {
  readonly label: string;
  /** The zone's providers. */
  readonly addresses: readonly Address[];
  readonly honest: number;
  readonly tee: number;
}

/**
 * A requester: submits a mix of dense-layer jobs across every verification mode, publishing each job's model and
 * input first; checks each verified result by recomputing it, and disputes a wrong one.
 */
export class SimulatedRequester {
  private submitted = 0;

  constructor(
    private readonly client: ProtocolClient,
    private readonly index: number,
    private readonly content: ContentStore,
    private readonly book: JobBook,
    private readonly zones: readonly ZonePlan[],
    private readonly log: Log,
    private readonly workloads?: DevnetWorkloads,
  ) {}

  /** Approves the market (escrow) and the hub (dispute bonds) once. */
  async approve(): Promise<void> {
    await writeAndWait(this.client, this.client.agpu, "approve", [this.client.jobMarket.address, maxUint256]);
    await writeAndWait(this.client, this.client.agpu, "approve", [this.client.verificationHub.address, maxUint256]);
  }

  /** Submits the next job of the mix: Consensus, Optimistic, TEE, ZK in turn, in the zones in turn. */
  async submitNext(): Promise<bigint> {
    const n = this.submitted++ + this.index;
    const modes = [Mode.Consensus, Mode.Optimistic, Mode.TEE, Mode.ZK] as const;
    let mode: number = modes[n % modes.length]!;
    const candidates = this.zones.filter((zone) => (mode === Mode.TEE ? zone.tee > 0 : zone.honest > 0));
    const zone = candidates[Math.floor(n / modes.length) % candidates.length] ?? this.zones[0]!;
    // A Consensus job needs three providers: in a zone with fewer still eligible (the others slashed below the
    // minimum stake), the job goes Optimistic instead, so that no slot waits for a provider that cannot claim it.
    if (mode === Mode.Consensus && (await this.eligibleProviders(zone)) < 3) mode = Mode.Optimistic;
    const redundancy = mode === Mode.Consensus ? 3 : 1;
    // Two jobs in three that can run something else (not ZK: it proves the dense layer) run a real model or program,
    // the data of every other one (and of every TEE job) sealed.
    const example =
      this.workloads !== undefined && mode !== Mode.ZK && n % 3 !== 0
        ? this.workloads.examples[n % this.workloads.examples.length]
        : undefined;
    let commitments: JobCommitments;
    let jobKey: Uint8Array | undefined;
    if (example === undefined) {
      const work = sampleDenseLayerJob(Number(BigInt.asUintN(32, BigInt(this.client.account!.address) + BigInt(n))));
      commitments = await this.content.putJob(work);
    } else {
      const encrypt = mode === Mode.TEE || n % 2 === 0 ? "inputs" : "none";
      const prepared = await prepareManifestJob(example.manifest, this.workloads!.files, encrypt);
      await publishManifestJob(this.workloads!.gateway, prepared);
      const { modelCommitment, inputCommitment } = prepared;
      commitments = { modelCommitment, inputCommitment, specHash: specHash({ modelCommitment, inputCommitment }) };
      jobKey = prepared.jobKey;
    }
    const { modelCommitment, inputCommitment } = commitments;
    const now = await chainNow(this.client);
    const gpuHours = 1 + (n % 4);
    const quote = await this.client.pricingEngine.read.quote([
      zoneId(zone.label),
      Tier.Standard,
      BigInt(gpuHours),
      BigInt(redundancy),
      false,
    ]);
    const spec = jobSpec(now, {
      modelCommitment,
      inputCommitment,
      zone: zoneId(zone.label),
      mode,
      redundancy,
      workloadClass: mode === Mode.ZK ? WorkloadClass.DenseLayer : 0,
      gpuHours,
      minVramMiB: 40_000,
      minComputeCapability: 80,
      deliveryWindow: DEVNET_TIMING.deliveryWindow,
      // Two hours of chain time: a slot nobody can take lapses within minutes of wall time.
      deadline: now + 7_200n,
      maxTotal: quote.total * 2n,
    });
    const { receipt } = await writeAndWait(this.client, this.client.jobMarket, "submitJob", [spec]);
    const [submitted] = parseEventLogs({
      abi: this.client.jobMarket.abi,
      logs: receipt.logs,
      eventName: "JobSubmitted",
    });
    if (submitted === undefined) throw new Error("the submission emitted no JobSubmitted event");
    const { jobId } = submitted.args;
    this.book.add({
      jobId,
      requester: this.client,
      mode,
      commitments,
      ...(example === undefined ? {} : { expected: example.expected }),
      ...(jobKey === undefined ? {} : { jobKey }),
      reviewed: false,
      ended: false,
    });
    const what = example === undefined ? "dense layer" : `${example.name}${jobKey === undefined ? "" : ", sealed"}`;
    this.log(`job ${jobId}: ${enumName(Mode, mode)} x${redundancy} in ${zone.label} submitted (${what})`);
    return jobId;
  }

  /** Releases the keys of this requester's sealed jobs to those who asked for them (claimers, auditors, jurors). */
  async releaseKeys(): Promise<void> {
    if (this.workloads === undefined) return;
    const sealed = this.book
      .open()
      .filter((tracked) => tracked.requester === this.client && tracked.jobKey !== undefined);
    // Only the jobs where someone may be waiting for a key are looked at further (a claimed slot of an open job, or
    // auditors and jurors of a verified or disputed one), from the book's shared read.
    const { views } = await this.book.snapshot(this.client);
    for (const tracked of sealed) {
      const view = views.get(tracked.jobId);
      if (view === undefined || tracked.jobKey === undefined || !mayAwaitKey(view)) continue;
      const { gateway } = this.workloads;
      for (const { slot, to } of await releaseJobKeys(this.client, {
        gateway,
        jobId: tracked.jobId,
        jobKey: tracked.jobKey,
        view,
      })) {
        this.log(
          `job ${tracked.jobId}: key released to ${short(to)} (${slot === AUDIT_SLOT ? "validator" : `slot ${slot}`})`,
        );
      }
    }
  }

  /** A job it did not compute beforehand (a dense-layer job): recomputed from the content store. */
  private async recompute(tracked: TrackedJob): Promise<Hex> {
    const work = await loadJobWork(tracked.commitments, { store: this.content });
    return recomputeResult(work, allRuntimes());
  }

  private async eligibleProviders(zone: ZonePlan): Promise<number> {
    const eligible = await Promise.all(
      zone.addresses.map((address) => this.client.nodeRegistry.read.isEligible([address, NodeRole.PROVIDER])),
    );
    return eligible.filter(Boolean).length;
  }

  /** Checks every verified job of this requester once; disputes a result that is not the correct one. */
  async review(): Promise<void> {
    const mine = this.book.open().filter((tracked) => tracked.requester === this.client && !tracked.reviewed);
    if (mine.length === 0) return;
    const { views } = await this.book.snapshot(this.client);
    for (const tracked of mine) {
      if (views.get(tracked.jobId)?.job.status !== JobStatus.Verified) continue;
      tracked.reviewed = true;
      const accepted = await acceptedResult(this.client, tracked.jobId);
      // A split (nothing accepted) is the auditors' to settle; a requester disputes accepted results only. An
      // accepted `key-withheld` is the market's finding that this requester did not release the key in time: no
      // dispute changes it.
      if (accepted === undefined || accepted === failureResult("key-withheld")) continue;
      if (accepted === (tracked.expected ?? (await this.recompute(tracked)))) continue;
      await writeAndWait(this.client, this.client.verificationHub, "openDispute", [tracked.jobId]);
      this.log(`job ${tracked.jobId}: the requester recomputed the job, found the result wrong and disputed it`);
    }
  }
}

/**
 * A validator: audits the verified jobs sampled for audit (recomputing the layer), votes on disputes by the same
 * check — whoever submitted the job and whoever opened the dispute — and keeps the market moving as anyone may:
 * expires overdue slots, resolves disputes whose vote is over, finalizes jobs whose challenge window has closed.
 * Each job is kept by one validator (by job id), so that they do not race each other for the same transaction.
 */
export class SimulatedValidator {
  /** The secret this validator's vote salts derive from. */
  private readonly secret = keccak256(toHex(crypto.getRandomValues(new Uint8Array(32))));
  /** The last error reported for each job. */
  private readonly reported = new Map<bigint, string>();

  private readonly recomputer: Recomputer;

  constructor(
    private readonly client: ProtocolClient,
    privateKey: Hex,
    private readonly index: number,
    private readonly count: number,
    content: ContentStore,
    private readonly book: JobBook,
    private readonly log: Log,
    gateway?: GatewayClient,
  ) {
    this.recomputer = new Recomputer(client, content, gateway, privateKey);
  }

  async round(): Promise<void> {
    const { verificationHub } = this.client;
    const me = this.client.account!.address;
    const found = await this.book.discover(this.client);
    if (found > 0) this.log(`validator ${short(me)}: following ${found} more job(s) found on chain`);
    // Every followed job and its slots, and the clock read before them, from the book's shared read.
    const { now, views } = await this.book.snapshot(this.client);
    /** Verified jobs whose window is over: settled together after the round, in batches of at most 64. */
    const settleable: bigint[] = [];
    for (const tracked of this.book.open()) {
      const { jobId } = tracked;
      const mine = Number(jobId % BigInt(this.count)) === this.index;
      const view = views.get(jobId);
      if (view === undefined) continue; // Found or submitted since the read: in the next one.
      try {
        const { job, slots } = view;
        if ([JobStatus.Settled, JobStatus.Refunded, JobStatus.Cancelled].includes(job.status as 4 | 5 | 6)) {
          tracked.ended = true;
          continue;
        }
        if (job.status === JobStatus.Open && mine) await this.expireOverdue(jobId, job, slots, now);
        if (job.status === JobStatus.Verified) {
          // The draw is known from the block after the job's verification; an undrawn one counts as sampled.
          const sampled = mine && (await verificationHub.read.isAuditSampled([jobId]));
          if (sampled && !(await verificationHub.read.hasAudited([jobId, me]))) {
            // A sealed job waits for its key: asked for now, released by the requester, used next round.
            const correct = await this.recomputer.correct(tracked);
            if (correct === undefined) continue;
            await writeAndWait(this.client, verificationHub, "reportAudit", [jobId, correct]);
            const passed = (await acceptedResult(this.client, jobId)) === correct;
            this.log(`job ${jobId}: audited by ${short(me)}, ${passed ? "passed" : "FAILED: a dispute is open"}`);
          } else if (mine && now > BigInt(job.challengeEndsAt)) {
            settleable.push(jobId);
          }
        }
        if (job.status === JobStatus.Disputed) {
          // Drawn jurors judge by recomputing the layer; the job's keeper draws the committee and resolves.
          const action = await jurorStep(this.client, jobId, {
            secret: this.secret,
            keeper: mine,
            decide: async () => {
              const correct = await this.recomputer.correct(tracked);
              if (correct === undefined) throw new Error("waiting for the requester to release the job key");
              return upholds(
                await verificationHub.read.disputeOf([jobId]),
                await acceptedResult(this.client, jobId),
                correct,
                await this.recomputer.misreleased(tracked),
              );
            },
          });
          if (action === "drawn") {
            const jurors = await verificationHub.read.jurorsOf([jobId]);
            this.log(`job ${jobId}: committee drawn: ${jurors.map(short).join(", ") || "nobody eligible"}`);
          } else if (action === "resolved") {
            const verdict = (await verificationHub.read.disputeOf([jobId])).verdict;
            this.log(
              `job ${jobId}: dispute resolved, verdict ${["Pending", "Upheld", "Rejected", "NoDecision"][verdict]}`,
            );
          }
        }
      } catch (error) {
        // Reported once per job and error: a job whose content this devnet lacks fails the same way each round.
        const message = describeError(error);
        if (this.reported.get(jobId) === message) continue;
        this.reported.set(jobId, message);
        this.log(`job ${jobId}: validator ${short(me)}: ${message}`);
      }
    }
    await this.settle(settleable);
  }

  /** Finalizes `jobIds` with one transaction per batch: a job the chain no longer finds ready is skipped there. */
  private async settle(jobIds: readonly bigint[]) {
    for (const batch of finalizeBatches(jobIds)) {
      try {
        await writeAndWait(this.client, this.client.jobMarket, "finalizeMany", [batch]);
      } catch (error) {
        this.log(
          `validator ${short(this.client.account!.address)}: settling ${batch.length} job(s): ${describeError(error)}`,
        );
      }
    }
  }

  private async expireOverdue(jobId: bigint, job: ChainJob, slots: readonly ChainSlot[], now: bigint) {
    for (const [index, slot] of slots.entries()) {
      const overdue =
        (slot.status === SlotStatus.Claimed && now > BigInt(slot.deliverBy)) ||
        (slot.status === SlotStatus.Committed && job.revealEndsAt !== 0 && now > BigInt(job.revealEndsAt)) ||
        (slot.status === SlotStatus.Open && now >= BigInt(job.deadline));
      if (!overdue) continue;
      await writeAndWait(this.client, this.client.jobMarket, "expireSlot", [jobId, BigInt(index)]);
      this.log(`job ${jobId}: slot ${index} expired (${short(slot.provider)} missed it)`);
    }
  }
}

const short = (address: string) => `${address.slice(0, 8)}…`;

import { randomBytes } from "node:crypto";

import { type Address, type Hash, type Hex, getAddress, parseEventLogs, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type ChainJob,
  type ChainSlot,
  type DenseLayerJob,
  type GatewayClient,
  type JobCommitments,
  JobStatus,
  type JobView,
  MAX_CLAIM_BATCH,
  Mode,
  OUTPUT_SLOT,
  SlotStatus,
  WorkloadClass,
  WorkloadError,
  type WrappedKey,
  decodeWrappedKey,
  describeError,
  enumName,
  failureResult,
  fieldToBytes32,
  finalizeBatches,
  generateJobKey,
  mailboxName,
  openArtifacts,
  publicKeyOfTransaction,
  readJobCommitments,
  readJobViews,
  recordedKeyExchange,
  requestPublicKey,
  resultOf,
  runDenseLayer,
  runtimeMask,
  sealArtifact,
  sendSimulated,
  signEnvelope,
  unwrapKey,
  wrapKey,
  writeAndWait,
  zoneLabel,
} from "@starminer/sdk";

import { type ProtocolClient, requireAccount } from "../client.js";
import type { ContentStore } from "../content.js";
import { sleep } from "../sleep.js";
import { type Runtimes, allRuntimes, executeJob } from "../workloads/execute.js";
import { type JobWork, loadJobWork } from "../workloads/job-work.js";
import { proveDenseLayer } from "../zk/dense-layer.js";
import { inferenceEvidence } from "../zk/workloads.js";
import { type Hardware, hardwareShortfall } from "./hardware.js";
import { type JobRecord, Journal } from "./journal.js";
import { ROUNDS_TO_DELIVER, type WorkKind, WorkWeights, fitsWindows } from "./round-pace.js";

/**
 * How a provider misbehaves, for simulations and tests of the protocol's defences: `wrong-result` reports a
 * corrupted output (it takes only Consensus and Optimistic jobs, where cheating is possible at all: it cannot make a
 * proof or an enclave signature for a wrong answer); `miss` claims slots and never delivers.
 */
export type Fault = "wrong-result" | "miss";

export interface DaemonOptions {
  /** The journal file (see {@link Journal}). */
  readonly journalPath: string;
  /** Where dense-layer jobs' inputs are fetched and outputs published. */
  readonly content: ContentStore;
  /** Where manifest jobs' manifests and artifacts are fetched, keys received and outputs published. */
  readonly gateway?: GatewayClient;
  /** The runtimes this provider serves (all this build has when absent); a job for another is passed over. */
  readonly runtimes?: Runtimes;
  /** Largest artifact this provider fetches, in bytes. */
  readonly maxArtifactBytes?: number;
  /**
   * The node's own private key (the account's): a job key released to this node is wrapped to it, and it signs the
   * envelope of a sealed output. Without it, the daemon passes over jobs whose data is sealed.
   */
  readonly nodeKey?: Hex;
  /** This machine's GPU, detected or told; the registration's hardware when absent. */
  readonly hardware?: Hardware;
  /** The enclave's signing key: with it, the daemon takes TEE jobs (its node must be attested to this key). */
  readonly enclaveKey?: Hex;
  readonly fault?: Fault;
  /**
   * How many jobs it computes at once: claimed and not yet committed or delivered. A job committed and waiting for
   * its reveal, or delivered and waiting for its verdict, takes no room (it still counts when timing the rounds).
   */
  readonly maxActiveJobs: number;
  /** Pause between two rounds of work, in ms. */
  readonly pollMs: number;
  /** How often it reports that it is alive (and rechecks its registration), in ms. */
  readonly heartbeatMs: number;
  readonly log: (event: DaemonEvent) => void;
}

/** What the daemon reports, one event per thing that happened. */
export interface DaemonEvent {
  readonly kind:
    | "started"
    | "heartbeat"
    | "claimed"
    | "requested"
    | "computed"
    | "committed"
    | "revealed"
    | "submitted"
    | "finalized"
    | "finished"
    | "skipped"
    | "error";
  readonly jobId?: bigint;
  readonly message: string;
}

const NO_EVIDENCE = "0x";
/** How many job ids one scan of the lens covers. */
const SCAN_PAGE = 256n;
/**
 * How many candidates are read (job and slots) at a time, oldest first, until the room is filled: in a busy market
 * the open jobs a provider could take outnumber its room many times, and reading them all every round made its
 * reads grow with the backlog.
 */
const CANDIDATE_PAGE = 16;
/** The slot `claimMany` returns for a job it skipped. */
const SKIPPED_SLOT = 2n ** 256n - 1n;
/**
 * How often, in rounds, every job is scanned again and the jobs passed over looked at again (a refusal may have
 * lapsed, content may have arrived, a round may be quick enough now).
 */
const FULL_RESCAN_ROUNDS = 30;

/**
 * `starminer provider run`: a provider's daemon. Each round it reports that it is alive, carries every job it holds a
 * slot in one step further (compute, commit, reveal or submit, finalize), and claims new jobs it can serve while it
 * has room. The chain is the authority on every job's state; the journal remembers what the chain cannot (a claim in
 * flight, the salt behind a commitment), so a daemon killed at any point resumes without claiming twice or losing a
 * result.
 */
export class ProviderDaemon {
  private readonly address: Address;
  private readonly enclave;
  /** Jobs looked at and passed over, with why, so that each is reported once. */
  private readonly passedOver = new Map<string, string>();
  /** The reason last reported for passing each job over, so that a rescan does not repeat it. */
  private readonly reportedPass = new Map<string, string>();
  /** The last error reported for each job, so that a retried failure is reported once. */
  private readonly lastError = new Map<string, string>();
  private readonly commitments = new Map<string, JobCommitments & { transactionHash: Hash }>();
  /** Jobs' work, loaded (and its artifacts fetched and checked) before the claim; dropped once delivered. */
  private readonly works = new Map<string, JobWork>();
  private readonly runtimes: Runtimes;
  /** The node's own key, which opens job keys released to it and signs what it leaves in mailboxes. */
  private readonly node;
  /** The first job the next scan for open jobs covers (see {@link claimNew}). */
  private scanFrom = 1n;
  /** The last block searched for reopened slots. */
  private reopenedSearchedTo: bigint | undefined;
  private rounds = 0;
  /** The chain time at the start of the last round, and between the starts of the last two. */
  private lastRoundAt: bigint | undefined;
  private roundPeriod = 0n;
  /**
   * What the jobs under way after the last round's carries weigh, with those it claimed (see {@link WorkWeights}): a
   * round that delivered jobs counts them out, so that its period, spread over fewer jobs, makes the next rounds'
   * estimate err on the long side.
   */
  private lastRoundLoad = 0;
  /** How many jobs' worth of a round each kind of job is, from this daemon's own deliveries. */
  private readonly weights = new WorkWeights();
  /** The market's reveal window: a Consensus claim must be revealed within it. */
  private revealWindow = 0n;
  private lastHeartbeatAt = 0;
  private hardware!: Hardware;
  private zone!: Hex;

  private constructor(
    private readonly protocol: ProtocolClient,
    private readonly journal: Journal,
    private readonly options: DaemonOptions,
  ) {
    this.address = requireAccount(protocol).address;
    this.enclave = options.enclaveKey === undefined ? undefined : privateKeyToAccount(options.enclaveKey);
    this.runtimes = options.runtimes ?? allRuntimes();
    this.node = options.nodeKey === undefined ? undefined : privateKeyToAccount(options.nodeKey);
    if (this.node !== undefined && this.node.address !== this.address) {
      throw new Error("the node key given is not the key of the account that claims");
    }
  }

  /** Checks the node can work (registered, eligible, the hardware it claims) and opens its journal. */
  static async start(protocol: ProtocolClient, options: DaemonOptions): Promise<ProviderDaemon> {
    const account = requireAccount(protocol);
    // The node is checked before the journal is touched: a key that cannot work never creates one.
    const node = await inspectNode(protocol, account.address, options.hardware);
    const journal = await Journal.open(options.journalPath, {
      chainId: protocol.chain.id,
      market: protocol.jobMarket.address,
      provider: account.address,
    });
    const daemon = new ProviderDaemon(protocol, journal, options);
    daemon.hardware = node.hardware;
    daemon.zone = node.zone;
    daemon.revealWindow = BigInt((await protocol.jobMarket.read.marketParameters()).revealWindow);
    if (daemon.enclave !== undefined) {
      const signer = await protocol.nodeRegistry.read.enclaveSignerOf([account.address]);
      if (signer.toLowerCase() !== daemon.enclave.address.toLowerCase()) {
        throw new Error(
          `the enclave key signs as ${daemon.enclave.address} but the node's attestation names ${signer}: ` +
            "TEE jobs would be refused",
        );
      }
    }
    // The registry says which runtimes this provider serves, for the matcher: kept equal to what this daemon runs.
    const served = runtimeMask(daemon.runtimes.keys());
    const advertised = await protocol.nodeRegistry.read.runtimesOf([account.address]);
    if (advertised !== served) await writeAndWait(protocol, protocol.nodeRegistry, "setRuntimes", [served]);
    options.log({
      kind: "started",
      message:
        `provider ${account.address} in ${zoneLabel(daemon.zone)}: ${daemon.hardware.gpuModel}, ` +
        `${daemon.hardware.vramMiB} MiB, compute ${daemon.hardware.computeCapability / 10}` +
        `${daemon.enclave === undefined ? "" : ", TEE"}${options.fault === undefined ? "" : `, fault ${options.fault}`}; ` +
        `runtimes ${await describeRuntimes(daemon.runtimes)}` +
        `${advertised === served ? "" : " (now advertised in the registry)"}; ` +
        `${journal.active().length} job(s) to resume from ${options.journalPath}`,
    });
    return daemon;
  }

  /** Works round after round until `signal` aborts; a round's failure is reported and the next round retries. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.round();
      } catch (error) {
        this.options.log({ kind: "error", message: describeError(error) });
      }
      await sleep(this.options.pollMs, signal);
    }
  }

  /** One round of work: heartbeat, every held job one step on, then new claims. */
  async round(): Promise<void> {
    const block = await this.protocol.publicClient.getBlock({ blockTag: "latest" });
    const now = block.timestamp;
    if (this.lastRoundAt !== undefined) this.roundPeriod = now - this.lastRoundAt;
    this.lastRoundAt = now;
    if (Date.now() - this.lastHeartbeatAt >= this.options.heartbeatMs) {
      await this.checkNode();
      await this.journal.heartbeat(block.number);
      this.lastHeartbeatAt = Date.now();
      const active = this.journal.active();
      this.options.log({
        kind: "heartbeat",
        message: `alive at block ${block.number}: ${active.length} job(s) in hand, ${this.finishedCount()} finished`,
      });
    }
    const jobCount = await this.protocol.jobMarket.read.jobCount();
    const settleable: bigint[] = [];
    const active = this.quickFirst(this.journal.active(), (record) => BigInt(record.jobId));
    const ids = active.map((record) => BigInt(record.jobId)).filter((id) => id <= jobCount);
    const views = await readJobViews(this.protocol, ids);
    for (const record of active) {
      const view = views.get(BigInt(record.jobId));
      const computes = record.stage !== "committed";
      await this.guard(BigInt(record.jobId), () => this.carry(record, now, jobCount, settleable, view));
      if (computes) await this.revealOpened(jobCount);
    }
    await this.settle(settleable);
    // Only work this GPU has still to do takes room. A delivered job waits on challenge windows and verdicts; a
    // committed one waits for the job's other claimers to commit, then needs one reveal. Counted as room, committed
    // jobs deadlocked a busy market: every provider full of Consensus jobs waiting for a last slot that no provider
    // had room to claim, until the slots' windows ran out. They still count below as load and as windows to meet.
    const underWay = this.journal.active().filter((record) => record.stage !== "delivered");
    const toCompute = underWay.filter((record) => record.stage !== "committed");
    const room = this.options.maxActiveJobs - toCompute.length;
    // What the jobs in hand weigh in a round, and the shortest window each has to be acted in: taking on more work
    // must not make one close first.
    const jobOf = (record: JobRecord) => views.get(BigInt(record.jobId))?.job;
    const kindOf = (record: JobRecord) => {
      const job = jobOf(record);
      return job === undefined ? undefined : this.workKindOf(job);
    };
    const underWayLoad = underWay.reduce((load, record) => {
      const kind = kindOf(record);
      return load + (kind === undefined ? 1 : this.weights.weightOf(kind));
    }, 0);
    const inHand = underWay.flatMap((record) => {
      const job = jobOf(record);
      return job === undefined ? [] : [this.tightestWindow(job)];
    });
    const toProve = toCompute.filter((record) => kindOf(record) === "proof").length;
    let claimedLoad = 0;
    if (room > 0) {
      await this.noticeReopenedSlots(block.number);
      claimedLoad = await this.claimNew(room, { load: underWayLoad, toProve }, inHand, now, jobCount);
    }
    this.lastRoundLoad = underWayLoad + claimedLoad;
    this.rounds++;
  }

  /** How many jobs this daemon has seen to the end. */
  finishedCount(): number {
    return this.journal.all().length - this.journal.active().length;
  }

  /** The journal's records (for tools and tests). */
  records(): JobRecord[] {
    return this.journal.all();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Jobs in hand
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Carries one job the journal holds one step further, after reconciling the journal with the chain (`view`, read
   * at the start of the round, or read here when not given). A job ready to be finalized is added to `settleable`,
   * which the round settles in one transaction.
   */
  private async carry(
    record: JobRecord,
    now: bigint,
    jobCount: bigint,
    settleable: bigint[],
    view?: JobView,
  ): Promise<void> {
    const jobId = BigInt(record.jobId);
    const { jobMarket } = this.protocol;
    // A job newer than the round's count was submitted since the count was read (the lens sees it): only a fresh
    // count can say the job is gone, with a local chain that restarted at the same addresses.
    if (jobId > jobCount && jobId > (await jobMarket.read.jobCount())) {
      await this.finish(jobId, "the job is not on this chain any more (was the chain reset?)");
      return;
    }
    const { job, slots } = view ?? {
      job: await jobMarket.read.jobOf([jobId]),
      slots: await jobMarket.read.slotsOf([jobId]),
    };

    if (record.stage === "claiming") {
      const slot = slots.findIndex((s) => this.holds(s));
      if (slot >= 0) {
        await this.journal.update(jobId, { stage: "claimed", slot });
      } else if (!(await this.claimStillPending(record.claimTransaction))) {
        // The claim never landed (or was undone by an expiry): the job is not ours.
        await this.journal.forget(jobId);
        return;
      } else return;
    }
    const slotIndex = record.slot!;
    const slot = slots[slotIndex]!;
    if (!this.holds(slot)) {
      await this.finish(jobId, "slot missed: the provider did not deliver in time");
      return;
    }
    switch (job.status) {
      case JobStatus.Open:
        return this.deliver(jobId, job, slotIndex, slot, record, now);
      case JobStatus.Verified:
        if (record.stage !== "delivered") await this.journal.update(jobId, { stage: "delivered" });
        if (now > BigInt(job.challengeEndsAt)) settleable.push(jobId);
        return;
      case JobStatus.Disputed:
        if (record.stage !== "delivered") await this.journal.update(jobId, { stage: "delivered" });
        return;
      default: {
        const accepted = (job.acceptedSlots & (1 << slotIndex)) !== 0;
        const status = enumName(JobStatus, job.status);
        const paid = job.status === JobStatus.Settled && accepted;
        await this.finish(jobId, `${status}: ${paid ? "paid" : accepted ? "not paid" : "our result was not accepted"}`);
      }
    }
  }

  /** Computes and delivers the result of a job still Open: commit or reveal (k-of-n), or submit with evidence. */
  private async deliver(jobId: bigint, job: ChainJob, index: number, slot: ChainSlot, record: JobRecord, now: bigint) {
    const { jobMarket } = this.protocol;
    if (slot.status === SlotStatus.Revealed) {
      if (record.stage !== "delivered") await this.journal.update(jobId, { stage: "delivered" });
      return;
    }
    if (this.options.fault === "miss") return;
    if (slot.status === SlotStatus.Committed) {
      if (record.stage !== "committed") await this.journal.update(jobId, { stage: "committed" });
      if (job.revealEndsAt === 0 || now > BigInt(job.revealEndsAt)) return;
      const { result, salt } = record;
      if (result === undefined || salt === undefined) {
        throw new Error(
          `job ${jobId}: committed on chain but the journal has no salt: the commitment cannot be revealed`,
        );
      }
      const evidence = await this.evidence(jobId, job, result);
      await writeAndWait(this.protocol, jobMarket, "revealResult", [jobId, BigInt(index), result, salt, evidence]);
      await this.journal.update(jobId, { stage: "delivered" });
      this.options.log({ kind: "revealed", jobId, message: `job ${jobId} slot ${index}: revealed ${short(result)}` });
      return;
    }
    if (now > BigInt(slot.deliverBy)) return; // Too late to deliver: the slot will be expired by anyone.

    const work = await this.fetchWork(jobId);
    const started = performance.now();
    if (job.mode === Mode.ZK) {
      if (work.kind !== "dense-layer") throw new Error(`job ${jobId}: a ZK job proves the dense layer only`);
      const { output, hashes, proof } = await proveDenseLayer(work.job.model, work.job.input, {
        jobId,
        provider: this.address,
      });
      const result = fieldToBytes32(hashes.outputHash);
      await this.options.content.putOutput(output);
      await this.journal.update(jobId, { result });
      await writeAndWait(this.protocol, jobMarket, "submitResult", [
        jobId,
        BigInt(index),
        result,
        inferenceEvidence(proof, hashes),
      ]);
      await this.journal.update(jobId, { stage: "delivered" });
      this.weights.record("proof", performance.now() - started);
      this.options.log({ kind: "submitted", jobId, message: `job ${jobId}: proved and submitted ${short(result)}` });
      return;
    }
    const computed = record.result === undefined;
    const result =
      record.result ??
      (work.kind === "dense-layer"
        ? await this.compute(work.job)
        : await this.runManifest(jobId, job, index, slot, work));
    if (result === undefined) return; // waiting for the job key
    this.works.delete(jobId.toString());
    if (job.redundancy === 1) {
      await this.journal.update(jobId, { result });
      await writeAndWait(this.protocol, jobMarket, "submitResult", [
        jobId,
        BigInt(index),
        result,
        await this.evidence(jobId, job, result),
      ]);
      await this.journal.update(jobId, { stage: "delivered" });
      if (computed) this.weights.record("other", performance.now() - started);
      const how = job.mode === Mode.TEE ? "signed in the enclave and submitted" : "submitted";
      this.options.log({ kind: "submitted", jobId, message: `job ${jobId}: ${how} ${short(result)}` });
      return;
    }
    // k-of-n: commit now, reveal once every slot has committed. The salt is saved before the commitment is sent.
    const salt = record.salt ?? toHex(randomBytes(32));
    await this.journal.update(jobId, { result, salt });
    const commitment = await jobMarket.read.commitmentOf([jobId, BigInt(index), this.address, result, salt]);
    await writeAndWait(this.protocol, jobMarket, "commitResult", [jobId, BigInt(index), commitment]);
    await this.journal.update(jobId, { stage: "committed" });
    if (computed) this.weights.record("other", performance.now() - started);
    this.options.log({ kind: "committed", jobId, message: `job ${jobId} slot ${index}: committed` });
  }

  /** Runs the layer, publishes the output, and returns the result to report (corrupted under `wrong-result`). */
  private async compute(work: DenseLayerJob): Promise<Hex> {
    const { output } = runDenseLayer(work);
    if (this.options.fault === "wrong-result") output[0] = (output[0] ?? 0) + 1;
    await this.options.content.putOutput(output);
    return resultOf(output);
  }

  /**
   * A sealed job's key for slot `index`, as the requester released it on chain; asks for it first (once, on chain,
   * with the public key of `holderKey`: the node key, or the enclave's for a TEE job). "withheld" once half of the
   * delivery window has passed on the market's clock without a release: the market excuses a `key-withheld` result
   * reported from then on, and only then.
   */
  private async releasedJobKey(
    jobId: bigint,
    index: number,
    slot: ChainSlot,
    holderKey: Hex,
  ): Promise<{ wrapped: WrappedKey; holder: Address } | "waiting" | "withheld"> {
    const { jobMarket } = this.protocol;
    // The clock is read before the exchange: once it shows half the window gone, the market refuses the key, so an
    // exchange read after it that shows no release is final (read the other way round, a key released in between
    // would make a report of it withheld false).
    const clock = await jobMarket.read.clock();
    const exchange = await jobMarket.read.keyExchangeOf([jobId, BigInt(index)]);
    if (getAddress(exchange.requestedBy) !== this.address) {
      await writeAndWait(this.protocol, jobMarket, "requestJobKey", [
        jobId,
        BigInt(index),
        requestPublicKey(holderKey),
      ]);
      this.options.log({ kind: "requested", jobId, message: `job ${jobId} slot ${index}: job key requested on chain` });
      return "waiting";
    }
    if (exchange.released) {
      const release = await recordedKeyExchange(this.protocol, "release", jobId, index, this.address);
      return {
        wrapped: decodeWrappedKey(release!),
        holder: privateKeyToAccount(holderKey).address,
      };
    }
    const halfWindow = (BigInt(slot.deliverBy) - BigInt(slot.claimedAt)) / 2n;
    return clock >= BigInt(slot.deliverBy) - halfWindow ? "withheld" : "waiting";
  }

  /**
   * Runs a manifest job and publishes its output; returns the result to report (corrupted under `wrong-result`), or
   * undefined while its job key has not been released. An encrypted job's key is asked for on chain; a key not
   * released within half the delivery window is the requester's failure (`key-withheld`), reported as the job's
   * result rather than missed (see `releasedJobKey`).
   */
  private async runManifest(
    jobId: bigint,
    job: ChainJob,
    index: number,
    slot: ChainSlot,
    work: Extract<JobWork, { kind: "manifest" }>,
  ): Promise<Hex | undefined> {
    const { manifest } = work;
    let jobKey: Uint8Array | undefined;
    let failure: WorkloadError | undefined;
    if (work.encrypted) {
      const holderKey = job.teeRequired ? this.options.enclaveKey : this.options.nodeKey;
      if (holderKey === undefined || this.node === undefined) {
        throw new Error(`job ${jobId}: its data is sealed and this daemon was started without the key to open it`);
      }
      const released = await this.releasedJobKey(jobId, index, slot, holderKey);
      if (released === "waiting") return undefined;
      if (released === "withheld") {
        failure = new WorkloadError(
          "key-withheld",
          "the requester did not release the job key on chain within half the delivery window",
        );
      } else {
        try {
          jobKey = unwrapKey(released.wrapped, holderKey, {
            chainId: this.protocol.chain.id,
            jobId,
            slot: index,
            recipient: released.holder,
          });
        } catch (error) {
          failure = error as WorkloadError;
        }
      }
    }
    let result: Hex;
    let output: Uint8Array | undefined;
    let summary: string;
    const device = await this.runtimes.get(manifest.runtime)!.device();
    if (failure === undefined) {
      try {
        // Plaintext lives in memory for the run only; the sealed artifacts are dropped with the work once delivered.
        const outcome = await executeJob(manifest, openArtifacts(manifest, work.sealed, jobKey), this.runtimes);
        result = outcome.result;
        if (outcome.status === "completed") {
          output = outcome.output;
          summary = `completed in ${Math.round(outcome.elapsedMs)} ms`;
        } else {
          summary = `failed by the job's fault (${outcome.error.code}: ${outcome.error.message})`;
        }
      } catch (error) {
        if (!(error instanceof WorkloadError) || error.fault !== "requester") throw error;
        failure = error;
      }
    }
    if (failure !== undefined) {
      result = failureResult(failure.code);
      summary = `failed by the job's fault (${failure.code}: ${failure.message})`;
    }
    this.options.log({
      kind: "computed",
      jobId,
      message: `job ${jobId}: ${manifest.runtime} on ${device.device} (${device.reason}), ${summary!}`,
    });
    if (this.options.fault === "wrong-result") return corrupt(result!);
    if (output !== undefined) {
      // The result is delivered whatever happens here: an output that cannot be published (a gateway down, a job
      // submitted through a contract) is reported, and the result on chain still commits to it.
      try {
        await this.publishOutput(jobId, job, output, work.encrypted);
      } catch (error) {
        this.options.log({
          kind: "error",
          jobId,
          message: `job ${jobId}: output not published: ${describeError(error)}`,
        });
      }
    }
    return result!;
  }

  /**
   * Publishes a manifest job's output: in the clear under its own address for a job sent in the clear, sealed under a
   * fresh key wrapped to the requester otherwise (the requester's public key is recovered from its submission).
   */
  private async publishOutput(jobId: bigint, job: ChainJob, output: Uint8Array, encrypted: boolean): Promise<void> {
    const gateway = this.gateway();
    if (!encrypted) {
      await gateway.put(output);
      return;
    }
    const { transactionHash } = await this.commitmentsOf(jobId);
    const { publicKey, from } = await publicKeyOfTransaction(this.protocol.publicClient, transactionHash);
    if (from !== job.requester) {
      throw new Error(
        `job ${jobId} was submitted through ${from}, not by its requester: its output cannot be sealed to it`,
      );
    }
    const key = generateJobKey();
    const artifact = await gateway.put(sealArtifact(output, key));
    const binding = { chainId: this.protocol.chain.id, jobId, slot: OUTPUT_SLOT, recipient: job.requester };
    const box = mailboxName({ ...binding, market: this.protocol.jobMarket.address });
    await gateway.postEnvelope(
      box,
      this.node!.address,
      await signEnvelope(this.node!, box, { wrapped: wrapKey(key, publicKey, binding), artifact }),
    );
  }

  private gateway(): GatewayClient {
    if (this.options.gateway === undefined) throw new Error("manifest jobs need a content gateway (--gateway)");
    return this.options.gateway;
  }

  /** What a result needs beside it: an enclave signature for TEE jobs, nothing otherwise. */
  private async evidence(jobId: bigint, job: ChainJob, result: Hex): Promise<Hex> {
    if (!job.teeRequired) return NO_EVIDENCE;
    if (this.enclave === undefined)
      throw new Error(`job ${jobId} needs an enclave signature and there is no enclave key`);
    const digest = await this.protocol.verificationHub.read.teeResultDigest([jobId, this.address, result]);
    return this.enclave.sign({ hash: digest });
  }

  /**
   * The job's work, checked against its commitments: a dense-layer job from the content store, or a manifest job's
   * manifest and artifacts from the gateway (fetched once, before the claim, and kept until delivered).
   */
  private async fetchWork(jobId: bigint): Promise<JobWork> {
    const known = this.works.get(jobId.toString());
    if (known !== undefined) return known;
    const work = await loadJobWork(await this.commitmentsOf(jobId), {
      store: this.options.content,
      ...(this.options.gateway === undefined ? {} : { gateway: this.options.gateway }),
      ...(this.options.maxArtifactBytes === undefined ? {} : { maxArtifactBytes: this.options.maxArtifactBytes }),
    });
    this.works.set(jobId.toString(), work);
    return work;
  }

  private async finish(jobId: bigint, outcome: string) {
    this.works.delete(jobId.toString());
    await this.journal.update(jobId, { stage: "finished", outcome });
    this.options.log({ kind: "finished", jobId, message: `job ${jobId}: ${outcome}` });
  }

  // -------------------------------------------------------------------------------------------------------------
  // New jobs
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Looks for open jobs in the provider's zone it can serve, and claims up to `room` of them (with jobs worth
   * `underWay.load` in hand, `underWay.toProve` of them still to prove, the shortest windows of which are `inHand`):
   * no more than its rounds, longer with each job's weight, leave it time to deliver, these jobs and those in hand
   * (`fitsWindows`), and one job to prove at a time until a proof has been timed. Returns what the jobs it claimed
   * weigh.
   */
  private async claimNew(
    room: number,
    underWay: { readonly load: number; readonly toProve: number },
    inHand: readonly bigint[],
    now: bigint,
    count: bigint,
  ): Promise<number> {
    const { jobMarketLens } = this.protocol;
    if (this.rounds % FULL_RESCAN_ROUNDS === 0) {
      // Now and then look at every job again, those passed over too: a refusal (reputation, stake) may have lapsed,
      // or the content may have arrived. (Starting at the oldest job the last rescan found open, and at reopened
      // slots' jobs, left Consensus slots unclaimed at a fast devnet clock, for a reason not found: see decisions.)
      this.scanFrom = 1n;
      this.passedOver.clear();
    }
    const candidates: bigint[] = [];
    // Every tier: each job of the range read once on the node.
    for (let from = this.scanFrom; from <= count; from += SCAN_PAGE) {
      candidates.push(...(await jobMarketLens.read.openJobsInZone([this.zone, from, SCAN_PAGE])));
    }
    const fresh = candidates.filter((id) => !this.heldOrPassedOver(id));
    // The next scan starts at the first job still worth a look, not at the first open one: a job in hand or passed
    // over (until the next full rescan) stays open in the zone, and scanning from it every round made each scan, the
    // node's costliest read, cover the whole range behind it.
    const nextScan = () => fresh.find((id) => !this.heldOrPassedOver(id)) ?? count + 1n;
    if (fresh.length === 0) {
      this.scanFrom = nextScan();
      return 0;
    }
    const wanted: bigint[] = [];
    let wantedLoad = 0;
    let toProve = underWay.toProve;
    const limit = Math.min(room, MAX_CLAIM_BATCH);
    const last = { seconds: this.roundPeriod, load: this.lastRoundLoad };
    for (let i = 0; i < fresh.length && wanted.length < limit; i += CANDIDATE_PAGE) {
      for (const [jobId, { job, slots }] of await readJobViews(this.protocol, fresh.slice(i, i + CANDIDATE_PAGE))) {
        if (wanted.length === limit) break;
        const kind = this.workKindOf(job);
        // Before its first proof is timed, a proof's weight is a guess: one at a time (the round that makes it
        // times it). Three untimed proofs claimed in one round beside other work made a round of 247 s of chain
        // time at a fast devnet clock, and a commitment in hand missed its 300 s reveal window.
        if (kind === "proof" && toProve > 0 && !this.weights.timed("proof")) continue;
        // Too much in hand to take it now (too slow even alone, it is passed over below): a later round may.
        const window = this.tightestWindow(job);
        const weight = this.weights.weightOf(kind);
        if (!this.tooSlowFor(window) && !fitsWindows(last, underWay.load + wantedLoad + weight, [...inHand, window])) {
          continue;
        }
        const reason = await this.reasonToPass(jobId, job, slots, now);
        if (reason !== undefined) this.passOver(jobId, reason);
        else {
          wanted.push(jobId);
          wantedLoad += weight;
          if (kind === "proof") toProve++;
        }
      }
    }
    const claimed = await this.claim(wanted);
    this.scanFrom = nextScan();
    for (const [jobId, view] of this.quickFirst([...claimed], ([jobId]) => jobId)) {
      // Start on it at once: compute, then commit or submit, without waiting for the next round (a job just
      // claimed has nothing to settle), from the view the claim read back.
      const record = this.journal.get(jobId)!;
      await this.guard(jobId, () => this.carry(record, now, count, [], view));
      await this.revealOpened(count);
    }
    let claimedLoad = 0;
    for (const [, { job }] of claimed) claimedLoad += this.weights.weightOf(this.workKindOf(job));
    return claimedLoad;
  }

  /**
   * Reveals every commitment in hand whose reveal window has opened, at once rather than at the next round: called
   * after each job a round computes. A reveal window opens when a job's last claimer commits, which may be just
   * after this daemon's round began; a round that then proves several jobs can outlast it (in the overloaded devnet,
   * an honest provider's round of four proofs took 344 s of chain time, and two 300 s reveal windows that opened
   * meanwhile closed before the next round could reveal). Costs one read while commitments are in hand.
   */
  private async revealOpened(jobCount: bigint): Promise<void> {
    const committed = this.journal.active().filter((record) => record.stage === "committed");
    if (committed.length === 0) return;
    const views = await readJobViews(
      this.protocol,
      committed.map((record) => BigInt(record.jobId)),
    );
    const opened = committed.filter((record) => views.get(BigInt(record.jobId))?.job.revealEndsAt !== 0);
    if (opened.length === 0) return;
    const { timestamp: now } = await this.protocol.publicClient.getBlock({ blockTag: "latest" });
    for (const record of opened) {
      const jobId = BigInt(record.jobId);
      await this.guard(jobId, () => this.carry(record, now, jobCount, [], views.get(jobId)));
    }
  }

  /** What `job`, not yet delivered, costs a round: a proof for a ZK job, anything else otherwise. */
  private workKindOf(job: ChainJob): WorkKind {
    return job.mode === Mode.ZK ? "proof" : "other";
  }

  /**
   * `items` with the jobs whose next step is quick and due soon first, in order otherwise: a commitment to reveal
   * (within the reveal window) and a job whose data is sealed (its key asked for on chain within the first quarter of
   * its window). A round that first computed and proved the jobs ahead of them could let those windows close.
   */
  private quickFirst<T>(items: readonly T[], jobIdOf: (item: T) => bigint): T[] {
    const quick = (item: T) => {
      const jobId = jobIdOf(item);
      if (this.journal.get(jobId)?.stage === "committed") return true;
      const work = this.works.get(jobId.toString());
      return work?.kind === "manifest" && work.encrypted;
    };
    return [...items.filter(quick), ...items.filter((item) => !quick(item))];
  }

  /**
   * Looks for slots the market reopened (a claimer missed its delivery) up to block `toBlock`, since the last look:
   * the next scan starts no later than the oldest such job, which is looked at afresh even if passed over before
   * (the race for its last slot lost, say).
   */
  private async noticeReopenedSlots(toBlock: bigint): Promise<void> {
    const fromBlock = this.reopenedSearchedTo === undefined ? toBlock + 1n : this.reopenedSearchedTo + 1n;
    if (fromBlock <= toBlock) {
      const { jobMarket, publicClient } = this.protocol;
      const missed = await publicClient.getContractEvents({
        address: jobMarket.address,
        abi: jobMarket.abi,
        eventName: "SlotMissed",
        fromBlock,
        toBlock,
      });
      for (const { args } of missed) {
        if (args.reopened !== true || args.jobId === undefined) continue;
        if (args.jobId < this.scanFrom) this.scanFrom = args.jobId;
        this.passedOver.delete(args.jobId.toString());
      }
    }
    this.reopenedSearchedTo = toBlock;
  }

  /** Whether the job is in the journal or was passed over since the last full rescan: not a candidate. */
  private heldOrPassedOver(jobId: bigint): boolean {
    return this.journal.get(jobId) !== undefined || this.passedOver.has(jobId.toString());
  }

  /** Whether this daemon's rounds, even with no more jobs than the last one, are too slow to act within `window`. */
  private tooSlowFor(window: bigint): boolean {
    return this.roundPeriod * ROUNDS_TO_DELIVER > window;
  }

  /** The shortest time `job` gives a claimer to act in: its delivery window, or a Consensus job's reveal window. */
  private tightestWindow(job: ChainJob): bigint {
    const window = BigInt(job.deliveryWindow);
    return job.mode === Mode.Consensus && this.revealWindow < window ? this.revealWindow : window;
  }

  /** Why the daemon will not take `job`, or undefined when it will try. */
  private async reasonToPass(jobId: bigint, job: ChainJob, slots: readonly ChainSlot[], now: bigint) {
    if (job.requester.toLowerCase() === this.address.toLowerCase()) return "our own job";
    if (slots.some((slot) => slot.provider.toLowerCase() === this.address.toLowerCase())) return "already served once";
    if (now >= BigInt(job.deadline)) return "past its deadline";
    if (job.minVramMiB > this.hardware.vramMiB || job.minComputeCapability > this.hardware.computeCapability) {
      return "needs more GPU than this one";
    }
    if (job.teeRequired && this.enclave === undefined) return "needs a TEE";
    if (job.mode === Mode.ZK && job.workloadClass !== WorkloadClass.DenseLayer) {
      return `ZK workload class ${job.workloadClass} is not the dense layer`;
    }
    if (this.options.fault === "wrong-result" && (job.mode === Mode.ZK || job.teeRequired)) {
      return "a wrong result cannot be proved or signed";
    }
    // A machine (or a chain clock) so slow that a round takes a good part of the job's window would miss it.
    const tightest = this.tightestWindow(job);
    if (this.tooSlowFor(tightest)) {
      return `too slow to deliver in time: a round takes ${this.roundPeriod} s of chain time, the job allows ${tightest} s`;
    }
    let work: JobWork;
    try {
      work = await this.fetchWork(jobId);
    } catch (error) {
      return describeError(error);
    }
    if (work.kind === "manifest") {
      if (job.mode === Mode.ZK) return "a ZK job proves the dense layer only, not a manifest";
      if (!this.runtimes.has(work.manifest.runtime)) return `the ${work.manifest.runtime} runtime is not served here`;
      if (work.encrypted && this.node === undefined) {
        return "its data is encrypted and this daemon has no node key to receive its key or seal its output";
      }
    }
    return undefined;
  }

  /**
   * Claims a slot of each of `jobIds` in one `claimMany`: journal first, then the transaction. Returns the jobs
   * claimed, each with its view read after the claim; a job the market skips, or whose last slot another provider
   * took meanwhile, is passed over.
   */
  private async claim(jobIds: readonly bigint[]): Promise<Map<bigint, JobView>> {
    const claimed = new Map<bigint, JobView>();
    if (jobIds.length === 0) return claimed;
    const { jobMarket, publicClient } = this.protocol;
    const account = requireAccount(this.protocol);
    const simulate = (ids: readonly bigint[]) =>
      publicClient.simulateContract({
        address: jobMarket.address,
        abi: jobMarket.abi,
        functionName: "claimMany",
        args: [ids],
        account,
      });
    let simulation;
    try {
      simulation = await simulate(jobIds);
      const skipped = jobIds.filter((_, i) => simulation!.result[i] === SKIPPED_SLOT);
      for (const jobId of skipped) this.passOver(jobId, await this.refusalOf(jobId));
      if (skipped.length > 0) {
        const rest = jobIds.filter((jobId) => !skipped.includes(jobId));
        if (rest.length === 0) return claimed;
        simulation = await simulate(rest);
      }
    } catch (error) {
      for (const jobId of jobIds) this.passOver(jobId, describeError(error));
      return claimed;
    }
    const claiming = simulation.request.args[0];
    for (const jobId of claiming) await this.journal.update(jobId, { stage: "claiming" });
    let lost: string | undefined;
    try {
      const hash = await sendSimulated(this.protocol, simulation.request as never);
      for (const jobId of claiming) await this.journal.update(jobId, { claimTransaction: hash });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") lost = `the claim ${hash} reverted`;
    } catch (error) {
      lost = describeError(error);
    }
    for (const [jobId, view] of await readJobViews(this.protocol, claiming)) {
      const { slots } = view;
      const slot = slots.findIndex((s) => this.holds(s));
      if (slot < 0) {
        // Another provider took the last slot between the simulation and the claim: the job is not ours.
        await this.journal.forget(jobId);
        this.passOver(jobId, `lost the race for its last slot (${lost ?? "no slot recorded"})`);
        continue;
      }
      await this.journal.update(jobId, { stage: "claimed", slot });
      this.options.log({ kind: "claimed", jobId, message: `job ${jobId}: claimed slot ${slot}` });
      claimed.set(jobId, view);
    }
    return claimed;
  }

  /** Why the market would refuse this provider a slot of `jobId` now (`claimSlot`'s error, decoded). */
  private async refusalOf(jobId: bigint): Promise<string> {
    const { jobMarket, publicClient } = this.protocol;
    try {
      await publicClient.simulateContract({
        address: jobMarket.address,
        abi: jobMarket.abi,
        functionName: "claimSlot",
        args: [jobId],
        account: requireAccount(this.protocol),
      });
    } catch (error) {
      return describeError(error);
    }
    return "skipped by the market in a batch of claims";
  }

  // -------------------------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------------------------

  /** Rereads the node's registration (a heartbeat): stops working when it can no longer be a provider. */
  private async checkNode(): Promise<void> {
    const node = await inspectNode(this.protocol, this.address, this.options.hardware);
    this.hardware = node.hardware;
    this.zone = node.zone;
    this.revealWindow = BigInt((await this.protocol.jobMarket.read.marketParameters()).revealWindow);
  }

  private holds(slot: ChainSlot): boolean {
    return (
      slot.provider.toLowerCase() === this.address.toLowerCase() &&
      slot.status !== SlotStatus.Open &&
      slot.status !== SlotStatus.Missed
    );
  }

  /** Whether a claim sent earlier may still land: the node still knows the transaction and it has no receipt. */
  private async claimStillPending(hash: Hash | undefined): Promise<boolean> {
    if (hash === undefined) return false;
    try {
      await this.protocol.publicClient.getTransactionReceipt({ hash });
      return false;
    } catch {
      try {
        await this.protocol.publicClient.getTransaction({ hash });
        return true;
      } catch {
        return false;
      }
    }
  }

  /** The job's commitments and submission (read once). */
  private async commitmentsOf(jobId: bigint): Promise<JobCommitments & { transactionHash: Hash }> {
    const known = this.commitments.get(jobId.toString());
    if (known !== undefined) return known;
    const commitments = await readJobCommitments(this.protocol, jobId);
    this.commitments.set(jobId.toString(), commitments);
    return commitments;
  }

  private passOver(jobId: bigint, reason: string) {
    const key = jobId.toString();
    this.works.delete(key);
    this.passedOver.set(key, reason);
    if (this.reportedPass.get(key) === reason) return;
    this.reportedPass.set(key, reason);
    this.options.log({ kind: "skipped", jobId, message: `job ${jobId}: passed over (${reason})` });
  }

  /**
   * Finalizes `jobIds` with one `finalizeMany` per batch of at most 64 and says which were settled; one the chain
   * no longer finds ready (a dispute opened meanwhile) is skipped there and carried again next round.
   */
  private async settle(jobIds: readonly bigint[]) {
    const { jobMarket } = this.protocol;
    for (const batch of finalizeBatches(jobIds)) {
      try {
        const { receipt } = await writeAndWait(this.protocol, jobMarket, "finalizeMany", [batch]);
        const settled = new Set(
          parseEventLogs({ abi: jobMarket.abi, logs: receipt.logs, eventName: "JobSettled" }).map(
            (log) => log.args.jobId,
          ),
        );
        for (const jobId of batch.filter((id) => settled.has(id))) {
          this.options.log({ kind: "finalized", jobId, message: `job ${jobId} finalized after its challenge window` });
        }
      } catch (error) {
        this.options.log({ kind: "error", message: `finalizing ${batch.length} job(s): ${describeError(error)}` });
      }
    }
  }

  /** Runs one job's step; a failure is reported once per distinct message and retried next round. */
  private async guard(jobId: bigint, step: () => Promise<void>) {
    try {
      await step();
      this.lastError.delete(jobId.toString());
    } catch (error) {
      const message = describeError(error);
      if (this.lastError.get(jobId.toString()) === message) return;
      this.lastError.set(jobId.toString(), message);
      this.options.log({ kind: "error", jobId, message: `job ${jobId}: ${message}` });
    }
  }
}

/** The node's registered hardware and zone; refuses a node that cannot be a provider or whose GPU is not here. */
async function inspectNode(
  protocol: ProtocolClient,
  address: Address,
  actual: Hardware | undefined,
): Promise<{ hardware: Hardware; zone: Hex }> {
  const { nodeRegistry } = protocol;
  if (!(await nodeRegistry.read.isRegistered([address]))) {
    throw new Error(`${address} is not a registered node: run starminer provider register first`);
  }
  const node = await nodeRegistry.read.getNode([address]);
  const profile = await nodeRegistry.read.providerProfile([address]);
  const registered: Hardware = {
    gpuModel: node.metadata.gpuModel,
    vramMiB: profile.vramMiB,
    computeCapability: profile.computeCapability,
  };
  if (actual !== undefined) {
    const shortfall = hardwareShortfall(registered, actual);
    if (shortfall !== undefined) throw new Error(`${shortfall}: update the registration`);
  }
  if (!profile.eligible) {
    throw new Error(`${address} is not an eligible provider (inactive, not a provider, or below the minimum stake)`);
  }
  return { hardware: registered, zone: profile.zone };
}

const short = (hex: Hex) => `${hex.slice(0, 10)}…`;

/** A result with its last byte flipped: what a `wrong-result` provider reports. */
const corrupt = (result: Hex): Hex =>
  `${result.slice(0, -2)}${(Number.parseInt(result.slice(-2), 16) ^ 1).toString(16).padStart(2, "0")}` as Hex;

/** The runtimes served and the device each runs on, for the start-up line. */
async function describeRuntimes(runtimes: Runtimes): Promise<string> {
  const parts: string[] = [];
  for (const [name, runtime] of runtimes) parts.push(`${name} on ${(await runtime.device()).device}`);
  return parts.join(", ");
}

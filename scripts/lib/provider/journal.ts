import { readFile } from "node:fs/promises";

import type { Address, Hash, Hex } from "viem";

import { writeFileAtomically } from "../files.js";

/**
 * Where a provider's work on one job stands. The chain is the authority on what happened; the journal keeps what
 * the chain cannot: that a claim was sent (so that a crash between sending and seeing it never leads to a second
 * claim or an abandoned slot), and the salt and result behind a commitment (so that a restarted daemon can still
 * reveal what it committed).
 */
export type Stage =
  /** A claim was (or is about to be) sent; the slot is not known yet. */
  | "claiming"
  /** The slot is ours on chain; the result is not delivered yet. */
  | "claimed"
  /** Our commitment is on chain; the reveal is due once every slot has committed. */
  | "committed"
  /** Our result is on chain; the job is being verified, challenged or settled. */
  | "delivered"
  /** The job ended (settled, refunded, or our slot was missed); nothing more to do. */
  | "finished";

export interface JobRecord {
  readonly jobId: string;
  stage: Stage;
  slot?: number;
  claimTransaction?: Hash;
  /** The result we computed (the output's hash) and the salt of our commitment, written before the commitment. */
  result?: Hex;
  salt?: Hex;
  /** How the job ended for us, once finished. */
  outcome?: string;
  updatedAt: string;
}

interface JournalFile {
  readonly version: 1;
  readonly chainId: number;
  readonly market: Address;
  readonly provider: Address;
  jobs: Record<string, JobRecord>;
  lastHeartbeat?: { at: string; block: string };
}

/** A provider daemon's journal: one JSON file, rewritten atomically (write, then rename) after every change. */
export class Journal {
  private constructor(
    readonly path: string,
    private readonly state: JournalFile,
  ) {}

  /** Opens the journal at `path`, or starts one; refuses a journal of another chain, market or provider. */
  static async open(path: string, owner: { chainId: number; market: Address; provider: Address }): Promise<Journal> {
    let state: JournalFile;
    try {
      state = JSON.parse(await readFile(path, "utf8")) as JournalFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new Error(`the journal ${path} cannot be read: ${(error as Error).message.split("\n")[0]}`);
      }
      const journal = new Journal(path, { version: 1, ...owner, jobs: {} });
      await journal.save();
      return journal;
    }
    const same =
      state.version === 1 &&
      state.chainId === owner.chainId &&
      state.market?.toLowerCase() === owner.market.toLowerCase() &&
      state.provider?.toLowerCase() === owner.provider.toLowerCase();
    if (!same) {
      throw new Error(
        `the journal ${path} belongs to provider ${state.provider} on chain ${state.chainId} (market ${state.market}), ` +
          `not to ${owner.provider} on chain ${owner.chainId}: use another --journal`,
      );
    }
    return new Journal(path, state);
  }

  /** Every job not finished yet, oldest first. */
  active(): JobRecord[] {
    return Object.values(this.state.jobs)
      .filter((record) => record.stage !== "finished")
      .sort((a, b) => Number(BigInt(a.jobId) - BigInt(b.jobId)));
  }

  get(jobId: bigint): JobRecord | undefined {
    return this.state.jobs[jobId.toString()];
  }

  all(): JobRecord[] {
    return Object.values(this.state.jobs);
  }

  get lastHeartbeat() {
    return this.state.lastHeartbeat;
  }

  /** Records `changes` to the job's record (creating it) and saves before returning. */
  async update(jobId: bigint, changes: Partial<Omit<JobRecord, "jobId" | "updatedAt">>): Promise<JobRecord> {
    const key = jobId.toString();
    const record = this.state.jobs[key] ?? { jobId: key, stage: "claiming", updatedAt: "" };
    Object.assign(record, changes, { updatedAt: new Date().toISOString() });
    this.state.jobs[key] = record;
    await this.save();
    return record;
  }

  /** Forgets a job we never got a slot in. */
  async forget(jobId: bigint): Promise<void> {
    delete this.state.jobs[jobId.toString()];
    await this.save();
  }

  async heartbeat(block: bigint): Promise<void> {
    this.state.lastHeartbeat = { at: new Date().toISOString(), block: block.toString() };
    await this.save();
  }

  private async save(): Promise<void> {
    await writeFileAtomically(this.path, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}

import { readFile } from "node:fs/promises";

import type { Address, Hash, Hex } from "viem";

import { writeFileAtomically } from "../files.js";

/** A `complete` transaction signed and about to be (or already) broadcast: kept until its receipt is seen. */
export interface SubmittedCompletion {
  readonly transaction: Hash;
  /** The signed transaction itself, so that a restarted relayer can broadcast it again rather than sign another. */
  readonly raw: Hex;
}

/** One direction of the bridge. */
export interface LaneRecord {
  readonly sourceGateway: Address;
  readonly destinationGateway: Address;
  /** The source gateway's deployment block: a lane of a redeployed gateway is another lane. */
  readonly sourceStartBlock: string;
  /** Every transfer sent up to this source block is completed on the destination. */
  scannedThrough: string;
  /** By digest: completions signed and not yet seen mined. */
  submitted: Record<Hash, SubmittedCompletion>;
}

interface RelayJournalFile {
  readonly version: 1;
  readonly relayer: Address;
  lanes: Record<string, LaneRecord>;
}

export interface LaneIdentity {
  readonly sourceChainId: bigint;
  readonly destinationChainId: bigint;
  readonly sourceGateway: Address;
  readonly destinationGateway: Address;
  readonly sourceStartBlock: bigint;
}

/**
 * The relayer's journal: how far each lane has been carried, and each completion signed before it was sent. One
 * JSON file, rewritten atomically after every change, so that after a crash the relayer resumes where it was:
 * it neither skips a transfer (`scannedThrough` only passes a transfer once it is completed) nor sends a second
 * completion for one (a signed completion is re-broadcast, not re-signed).
 */
export class RelayJournal {
  private constructor(
    readonly path: string,
    private readonly state: RelayJournalFile,
  ) {}

  static async open(path: string, relayer: Address): Promise<RelayJournal> {
    let state: RelayJournalFile;
    try {
      state = JSON.parse(await readFile(path, "utf8")) as RelayJournalFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new Error(`the relay journal ${path} cannot be read: ${(error as Error).message.split("\n")[0]}`);
      }
      const journal = new RelayJournal(path, { version: 1, relayer, lanes: {} });
      await journal.save();
      return journal;
    }
    if (state.version !== 1 || state.relayer?.toLowerCase() !== relayer.toLowerCase()) {
      throw new Error(
        `the relay journal ${path} belongs to relayer ${state.relayer}, not ${relayer}: use another --journal`,
      );
    }
    return new RelayJournal(path, state);
  }

  /** The lane's record, started at the source gateway's deployment when new; refuses one of other gateways. */
  async lane(identity: LaneIdentity): Promise<LaneRecord> {
    const key = `${identity.sourceChainId}->${identity.destinationChainId}`;
    const existing = this.state.lanes[key];
    if (existing !== undefined) {
      const same =
        existing.sourceGateway.toLowerCase() === identity.sourceGateway.toLowerCase() &&
        existing.destinationGateway.toLowerCase() === identity.destinationGateway.toLowerCase() &&
        existing.sourceStartBlock === identity.sourceStartBlock.toString();
      if (!same) {
        throw new Error(
          `the relay journal ${this.path} follows other gateways from chain ${identity.sourceChainId} to chain ` +
            `${identity.destinationChainId} (was a chain redeployed?): use another --journal`,
        );
      }
      return existing;
    }
    const record: LaneRecord = {
      sourceGateway: identity.sourceGateway,
      destinationGateway: identity.destinationGateway,
      sourceStartBlock: identity.sourceStartBlock.toString(),
      scannedThrough: (identity.sourceStartBlock - 1n).toString(),
      submitted: {},
    };
    this.state.lanes[key] = record;
    await this.save();
    return record;
  }

  async save(): Promise<void> {
    await writeFileAtomically(this.path, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}

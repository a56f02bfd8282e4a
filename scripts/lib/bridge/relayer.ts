import { type Hash, type TransactionReceipt, encodeFunctionData, getAddress, keccak256 } from "viem";
import { describeError } from "@starminer/sdk";

import { requireAccount } from "../client.js";
import { sleep } from "../sleep.js";
import { type BridgeSide, type SentTransfer, sentTransfers, transferTypedData } from "./gateway.js";
import { type LaneRecord, RelayJournal } from "./journal.js";
import { gatherSignatures } from "./quorum.js";

export interface RelayerOptions {
  /** The two chains the relayer carries transfers between, both ways; each with the relayer's account. */
  readonly sides: readonly [BridgeSide, BridgeSide];
  /** The validators' signing services. */
  readonly validatorUrls: readonly string[];
  readonly journalPath: string;
  /** How deep a transfer's block must be before it is relayed (1: as soon as it is mined). */
  readonly confirmations: bigint;
  /** Pause between two rounds, in ms. */
  readonly pollMs: number;
  /** The most blocks read in one log query. */
  readonly maxBlockRange?: bigint;
  /** How long a validator has to answer, in ms. */
  readonly validatorTimeoutMs?: number;
  readonly log: (event: RelayEvent) => void;
}

export interface RelayEvent {
  readonly kind: "started" | "completed" | "already-completed" | "cancelled" | "error" | "stopped";
  readonly message: string;
  readonly digest?: Hash;
}

interface Lane {
  readonly source: BridgeSide;
  readonly destination: BridgeSide;
  readonly record: LaneRecord;
}

/**
 * Carries every transfer sent on one chain to the other, both ways: it reads TransferSent events, asks the
 * validators for their signatures, keeps a threshold of valid ones from current validators in ascending signer
 * order, and submits `complete` on the destination.
 *
 * A crash loses nothing and repeats nothing: a lane's progress only passes a transfer once the destination has
 * completed it; a completion is signed and journalled before it is broadcast, and after a restart the journalled
 * transaction is broadcast again and awaited instead of a new one being made. The gateway's once-per-digest rule
 * is the last line: a second completion would be refused on chain.
 */
export class BridgeRelayer {
  private completedCount = 0;

  private constructor(
    private readonly options: RelayerOptions,
    private readonly journal: RelayJournal,
    private readonly lanes: readonly Lane[],
  ) {}

  static async start(options: RelayerOptions): Promise<BridgeRelayer> {
    const [a, b] = options.sides;
    if (a.chainId === b.chainId) throw new Error(`both --chain URLs reach chain ${a.chainId}: give two chains`);
    if (options.validatorUrls.length === 0) throw new Error("the relayer needs the validators' URLs (--validator)");
    const relayer = requireAccount(a).address;
    const directions = [
      [a, b],
      [b, a],
    ] as const;
    for (const [source, destination] of directions) {
      const counterpart = await source.gateway.read.counterpartOf([destination.chainId]);
      if (getAddress(counterpart) !== getAddress(destination.gateway.address)) {
        throw new Error(
          `the gateway on chain ${source.chainId} is not paired with ${destination.gateway.address} on chain ` +
            `${destination.chainId} (its counterpart there is ${counterpart})`,
        );
      }
    }
    const journal = await RelayJournal.open(options.journalPath, relayer);
    const lanes: Lane[] = [];
    for (const [source, destination] of directions) {
      const record = await journal.lane({
        sourceChainId: source.chainId,
        destinationChainId: destination.chainId,
        sourceGateway: source.gateway.address,
        destinationGateway: destination.gateway.address,
        sourceStartBlock: source.startBlock,
      });
      lanes.push({ source, destination, record });
    }
    options.log({
      kind: "started",
      message: `relaying between chains ${a.chainId} and ${b.chainId} as ${relayer} with ${options.validatorUrls.length} validator(s)`,
    });
    return new BridgeRelayer(options, journal, lanes);
  }

  /** How many transfers this relayer completed itself. */
  completed(): number {
    return this.completedCount;
  }

  /** Runs rounds until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.round(signal);
      await sleep(this.options.pollMs, signal);
    }
  }

  /** Carries each lane as far as it can go now. A transfer that cannot be completed yet holds its lane back. */
  async round(signal: AbortSignal = new AbortController().signal): Promise<void> {
    for (const lane of this.lanes) {
      try {
        await this.advance(lane, signal);
      } catch (error) {
        this.options.log({
          kind: "error",
          message: `chain ${lane.source.chainId} → ${lane.destination.chainId}: ${describeError(error)}`,
        });
      }
    }
  }

  private async advance(lane: Lane, signal: AbortSignal): Promise<void> {
    const { source, destination, record } = lane;
    const range = this.options.maxBlockRange ?? 2_000n;
    const head = await source.publicClient.getBlockNumber({ cacheTime: 0 });
    const safe = head - (this.options.confirmations - 1n);
    let from = BigInt(record.scannedThrough) + 1n;
    while (from <= safe && !signal.aborted) {
      const to = from + range - 1n < safe ? from + range - 1n : safe;
      for (const sent of await sentTransfers(source, destination.chainId, from, to)) {
        try {
          await this.deliver(lane, sent, signal);
        } catch (error) {
          // Hold the lane just before this transfer's block: the next round starts again with it.
          record.scannedThrough = (sent.blockNumber - 1n).toString();
          await this.journal.save();
          throw new Error(`transfer ${sent.transfer.nonce} (${sent.digest}) waits: ${describeError(error)}`);
        }
        if (signal.aborted) return;
      }
      record.scannedThrough = to.toString();
      await this.journal.save();
      from = to + 1n;
    }
  }

  private async deliver(lane: Lane, sent: SentTransfer, signal: AbortSignal): Promise<void> {
    const { destination, record } = lane;
    const { digest } = sent;
    const pending = record.submitted[digest];
    if (pending !== undefined) {
      // Signed before a crash (or a failed wait): broadcast that same transaction again and see it through.
      // A node that already has it answers "already known" or "nonce too low"; what matters is whether it is known.
      await destination.publicClient.sendRawTransaction({ serializedTransaction: pending.raw }).catch(() => {});
      const known = await destination.publicClient
        .getTransaction({ hash: pending.transaction })
        .then(() => true)
        .catch(() => false);
      const receipt = known ? await this.receipt(destination, pending.transaction, signal) : undefined;
      delete record.submitted[digest];
      await this.journal.save();
      if (receipt?.status === "success") {
        this.reportCompleted(lane, sent, pending.transaction);
        return;
      }
      // It reverted, or its nonce went to another transaction: start again from the chain's state.
    }
    if (await destination.gateway.read.isCompleted([digest])) {
      // Completed by another relayer, or cancelled (it will be refunded on its source): either way, done here.
      const cancelled = await destination.gateway.read.isCancelled([digest]);
      this.options.log({
        kind: cancelled ? "cancelled" : "already-completed",
        digest,
        message:
          `transfer ${sent.transfer.nonce} from chain ${sent.transfer.sourceChainId} was ` +
          (cancelled ? "cancelled on its destination: its sender can claim a refund" : "already completed"),
      });
      return;
    }

    const signatures = await this.gatherSignatures(lane, sent);
    const account = requireAccount(destination);
    const call = {
      address: destination.gateway.address,
      abi: destination.gateway.abi,
      functionName: "complete",
      args: [sent.transfer, signatures],
      account,
    } as const;
    await destination.publicClient.simulateContract(call);
    const gas = await destination.publicClient.estimateContractGas(call);
    const request = await destination.walletClient.prepareTransactionRequest({
      account,
      chain: destination.chain,
      to: destination.gateway.address,
      data: encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args }),
      gas: (gas * 6n) / 5n,
    });
    const raw = await destination.walletClient.signTransaction(request as never);
    const transaction = keccak256(raw);
    record.submitted[digest] = { transaction, raw };
    await this.journal.save();

    await destination.publicClient.sendRawTransaction({ serializedTransaction: raw });
    const receipt = await this.receipt(destination, transaction, signal);
    delete record.submitted[digest];
    await this.journal.save();
    if (receipt.status !== "success") throw new Error(`the completion ${transaction} reverted`);
    this.reportCompleted(lane, sent, transaction);
  }

  private reportCompleted(lane: Lane, sent: SentTransfer, transaction: Hash) {
    this.completedCount++;
    this.options.log({
      kind: "completed",
      digest: sent.digest,
      message:
        `transfer ${sent.transfer.nonce}: ${sent.transfer.amount} wei from ${sent.transfer.sender} on chain ` +
        `${lane.source.chainId} to ${sent.transfer.recipient} on chain ${lane.destination.chainId} (${transaction})`,
    });
  }

  /** Waits for `transaction`'s receipt, polling, until `signal` aborts (then it throws: the journal keeps it). */
  private async receipt(side: BridgeSide, transaction: Hash, signal: AbortSignal): Promise<TransactionReceipt> {
    for (;;) {
      const receipt = await side.publicClient.getTransactionReceipt({ hash: transaction }).catch(() => undefined);
      if (receipt !== undefined) return receipt;
      if (signal.aborted) throw new Error(`stopped while ${transaction} was pending; it stays in the journal`);
      await sleep(Math.min(this.options.pollMs, 500), signal);
    }
  }

  /** A threshold of checked signatures of `sent` from current validators of the destination. */
  private gatherSignatures(lane: Lane, sent: SentTransfer): Promise<`0x${string}`[]> {
    const { destination } = lane;
    return gatherSignatures({
      verifier: destination,
      validatorUrls: this.options.validatorUrls,
      path: `/v1/transfers/${sent.transfer.sourceChainId}/${sent.transfer.nonce}/signature`,
      typedData: transferTypedData(sent.transfer, destination.gateway.address),
      digest: sent.digest,
      ...(this.options.validatorTimeoutMs === undefined ? {} : { timeoutMs: this.options.validatorTimeoutMs }),
    });
  }
}

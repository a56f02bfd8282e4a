/**
 * How many rounds a claim may take to deliver, at worst: claimed, computed and committed or submitted in one, and a
 * commitment revealed in a later one once the reveal window opens. A job whose window is shorter than this many
 * rounds (in chain time) is not claimed: a provider that cannot deliver in time would be slashed for it.
 */
export const ROUNDS_TO_DELIVER = 3n;

/** A daemon's last round: its chain time (from its start to the next round's) and how many jobs it worked on. */
export interface LastRound {
  readonly seconds: bigint;
  readonly load: number;
}

/**
 * The chain time a round working on `load` jobs is expected to take. A round's time grows with the jobs in it (each
 * one computed, committed or submitted in turn), so it is estimated from the last round's in proportion, counting a
 * round's own overhead (its reads, the pause between rounds) as one job more: `seconds × (load + 1) / (last load + 1)`.
 */
export function estimatedRoundSeconds(last: LastRound, load: number): bigint {
  return (last.seconds * BigInt(load + 1)) / BigInt(last.load + 1);
}

/**
 * Whether rounds working on `load` jobs would still leave time to act within every one of `windows` (the shortest
 * window of each job that would be in hand): {@link ROUNDS_TO_DELIVER} such rounds fit in each. A daemon that claimed
 * its whole room at once when the market filled up made its next rounds too slow for the windows of the jobs it had
 * just claimed, or of a commitment it had yet to reveal, and was slashed for the slots it then missed.
 */
export function fitsWindows(last: LastRound, load: number, windows: readonly bigint[]): boolean {
  const round = estimatedRoundSeconds(last, load);
  return windows.every((window) => round * ROUNDS_TO_DELIVER <= window);
}

/** What a job in hand costs a round: a proof to make, or anything else (a computation, a reveal, a key request). */
export type WorkKind = "proof" | "other";

/** How much of each new sample a kind's running mean takes. */
const SAMPLE_SHARE = 0.25;
/** The most a proved job counts for in a round's load, however slow its proofs have been. */
export const MAX_PROOF_WEIGHT = 32;

/**
 * How many jobs' worth of a round a job of each kind is, learned from the daemon's own deliveries. A round's time is
 * estimated in proportion to its load; counting every job as one, a round that proved two dense layers (each
 * queued behind other proofs, many times a computation's time) took 781 s of chain time where the estimate allowed
 * a fraction of that, and the TEE jobs claimed beside the proofs missed their 600 s window. A proved job now counts
 * as the ratio of the mean time its deliveries took (witness, proof and transaction) to the mean time of the other
 * deliveries (computation and transaction), rounded up, from 1 to {@link MAX_PROOF_WEIGHT}; every other job, and a
 * proved one before both kinds were timed, counts as one. Counting an untimed proof as one is only safe for one such
 * job: the daemon holds one job to prove at a time until a proof has been timed ({@link timed}).
 */
export class WorkWeights {
  private readonly meanMs = new Map<WorkKind, number>();

  /** Records that delivering a job of `kind` took `ms` of wall time. */
  record(kind: WorkKind, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const mean = this.meanMs.get(kind);
    this.meanMs.set(kind, mean === undefined ? ms : mean + (ms - mean) * SAMPLE_SHARE);
  }

  /** Whether a delivery of `kind` has been timed yet. */
  timed(kind: WorkKind): boolean {
    return this.meanMs.has(kind);
  }

  /** How many jobs' worth of a round a job of `kind` is. */
  weightOf(kind: WorkKind): number {
    if (kind === "other") return 1;
    const proof = this.meanMs.get("proof");
    const other = this.meanMs.get("other");
    if (proof === undefined || other === undefined || other <= 0) return 1;
    return Math.min(MAX_PROOF_WEIGHT, Math.max(1, Math.ceil(proof / other)));
  }
}

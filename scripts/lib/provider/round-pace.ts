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

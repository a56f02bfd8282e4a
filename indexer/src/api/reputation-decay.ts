/**
 * The reputation ledger's decay, as `Reputation.sol` computes it in its views: each score's distance from neutral
 * halves every `decayHalfLife` seconds and falls linearly in between, and is gone after 13 half-lives.
 */
const NEUTRAL = 5_000n;
const BPS = 10_000n;
const FULL_DECAY_HALVINGS = 13n;

/** The ledger's governed parameters that reading a score depends on. */
export interface DecayParameters {
  readonly decayHalfLife: bigint;
  readonly reliabilityWeightBps: bigint;
  readonly accuracyWeightBps: bigint;
  readonly speedWeightBps: bigint;
}

export interface Scores {
  readonly reliability: number;
  readonly accuracy: number;
  readonly speed: number;
  readonly composite: number;
}

function decay(score: bigint, elapsed: bigint, halfLife: bigint): bigint {
  const halvings = elapsed / halfLife;
  if (halvings >= FULL_DECAY_HALVINGS) return NEUTRAL;
  const above = score >= NEUTRAL;
  let distance = above ? score - NEUTRAL : NEUTRAL - score;
  distance >>= halvings;
  distance -= (distance * (elapsed % halfLife)) / (2n * halfLife);
  return above ? NEUTRAL + distance : NEUTRAL - distance;
}

/**
 * Scores written at `writtenAt`, read at `now` (both unix seconds): what `scoresOf` and `compositeOf` return in a
 * block with that timestamp. A provider never scored (`writtenAt` null) is neutral.
 */
export function decayedScores(
  stored: { reliability: number; accuracy: number; speed: number },
  writtenAt: bigint | null,
  now: bigint,
  parameters: DecayParameters,
): Scores {
  const [reliability, accuracy, speed] =
    writtenAt === null
      ? [NEUTRAL, NEUTRAL, NEUTRAL]
      : [stored.reliability, stored.accuracy, stored.speed].map((score) =>
          decay(BigInt(score), now > writtenAt ? now - writtenAt : 0n, parameters.decayHalfLife),
        );
  const composite =
    (reliability! * parameters.reliabilityWeightBps +
      accuracy! * parameters.accuracyWeightBps +
      speed! * parameters.speedWeightBps) /
    BPS;
  return {
    reliability: Number(reliability),
    accuracy: Number(accuracy),
    speed: Number(speed),
    composite: Number(composite),
  };
}

import type { Hex } from "viem";

/**
 * The matcher: ranks providers for a job by hardware fit, reputation, price, zone distance, current load and
 * history, and returns the best few (three by default, for redundancy). It is a pure function over indexer data, so
 * requesters use it to choose a zone and tier and providers to choose jobs, both from the same figures.
 */

/** What a job needs (a subset of the job spec). */
export interface JobRequirements {
  readonly zone: Hex;
  /** Whether the job may be served from a neighbouring zone. */
  readonly spilloverAllowed: boolean;
  readonly minVramMiB: number;
  readonly minComputeCapability: number;
  readonly teeRequired: boolean;
  readonly provenHardware: boolean;
  /** The composite reputation a provider needs (the tier's floor, or the optimistic floor). */
  readonly reputationFloor: number;
  /** The registry bit of the runtime a manifest job names (`RUNTIME_BITS`); absent for a dense-layer spec job. */
  readonly runtime?: number;
}

/** A provider as the indexer knows it. */
export interface Candidate {
  readonly address: Hex;
  readonly active: boolean;
  readonly zone: Hex;
  readonly vramMiB: number;
  readonly computeCapability: number;
  readonly tflopsCenti: number;
  readonly attested: boolean;
  readonly capabilityVerified: boolean;
  /** The runtimes it advertises in the registry, one bit each (`RUNTIME_BITS`); 0 when it advertised none. */
  readonly runtimes: number;
  /** Composite reputation in basis points; null before its first outcome. */
  readonly composite: number | null;
  readonly staked: bigint;
  /** Stake locked as collateral in jobs under way: the provider's current load. */
  readonly locked: bigint;
  readonly slotsClaimed: number;
  readonly slotsDelivered: number;
  readonly slotsMissed: number;
  readonly slashCount: number;
}

/** The market around the job: the GPU-hour price per zone (for the job's tier) and which zones neighbour. */
export interface MarketView {
  readonly priceByZone: ReadonlyMap<Hex, bigint>;
  /** Neighbour penalty in basis points, keyed `<zoneA>-<zoneB>` in both orders. */
  readonly neighbourPenaltyBps: ReadonlyMap<string, number>;
}

/** How much each factor weighs in a score out of 1. */
export const WEIGHTS = {
  reputation: 0.3,
  history: 0.2,
  hardware: 0.15,
  price: 0.15,
  distance: 0.1,
  load: 0.1,
} as const;

export type Factor = keyof typeof WEIGHTS;

export interface RankedProvider {
  readonly address: Hex;
  readonly score: number;
  readonly factors: Readonly<Record<Factor, number>>;
}

export type Exclusion =
  | "inactive"
  | "wrong zone"
  | "too little VRAM"
  | "compute capability too low"
  | "no TEE attestation"
  | "hardware not proven"
  | "reputation below floor"
  | "runtime not served";

export interface Ranking {
  /** The best providers, best first. */
  readonly ranked: RankedProvider[];
  /** How many providers each rule left out. */
  readonly excluded: Readonly<Partial<Record<Exclusion, number>>>;
}

const BPS = 10_000;
/** A GPU with this much more VRAM than asked for scores nothing for fit (it is wasted on the job). */
const VRAM_HEADROOM_FOR_NO_FIT = 4;
/** Slashes beyond this count take all the history score. */
const SLASHES_FOR_NO_HISTORY = 5;

const neighbourKey = (a: Hex, b: Hex) => `${a.toLowerCase()}-${b.toLowerCase()}`;

/** A `MarketView` from prices and neighbour pairs; each pair is recorded in both orders. */
export function marketView(prices: Iterable<[Hex, bigint]>, neighbours: Iterable<[Hex, Hex, number]>): MarketView {
  const neighbourPenaltyBps = new Map<string, number>();
  for (const [a, b, penalty] of neighbours) {
    neighbourPenaltyBps.set(neighbourKey(a, b), penalty);
    neighbourPenaltyBps.set(neighbourKey(b, a), penalty);
  }
  return {
    priceByZone: new Map([...prices].map(([zone, price]) => [zone.toLowerCase() as Hex, price])),
    neighbourPenaltyBps,
  };
}

/** Why `candidate` cannot take the job, or undefined when it can. */
function exclusion(job: JobRequirements, candidate: Candidate, zoneScore: number | undefined): Exclusion | undefined {
  if (!candidate.active) return "inactive";
  if (zoneScore === undefined) return "wrong zone";
  if (candidate.vramMiB < job.minVramMiB) return "too little VRAM";
  if (candidate.computeCapability < job.minComputeCapability) return "compute capability too low";
  if (job.teeRequired && !candidate.attested) return "no TEE attestation";
  if (job.provenHardware && !candidate.capabilityVerified) return "hardware not proven";
  if ((candidate.composite ?? 0) < job.reputationFloor) return "reputation below floor";
  if (job.runtime !== undefined && (candidate.runtimes & job.runtime) === 0) return "runtime not served";
  return undefined;
}

/** 1 in the job's zone; 1 minus the penalty in a neighbour when spillover is allowed; undefined elsewhere. */
function zoneScore(job: JobRequirements, market: MarketView, zone: Hex): number | undefined {
  if (zone.toLowerCase() === job.zone.toLowerCase()) return 1;
  if (!job.spilloverAllowed) return undefined;
  const penalty = market.neighbourPenaltyBps.get(neighbourKey(job.zone, zone));
  return penalty === undefined ? undefined : Math.max(0, 1 - penalty / BPS);
}

/**
 * Ranks `candidates` for `job`: providers that cannot take it are left out (and counted by reason); the rest are
 * scored in [0, 1] as the weighted sum of six factors, each in [0, 1]:
 * - reputation: composite reputation / 10 000;
 * - history: delivered / (claimed + 1), halved progressively by slashes;
 * - hardware: how closely the GPU fits (VRAM headroom wasted) and its speed relative to the fastest candidate;
 * - price: the cheapest candidate zone's price over this zone's;
 * - distance: 1 in the job's zone, 1 minus the neighbour penalty in a neighbouring zone;
 * - load: the share of stake not locked in jobs under way.
 * Ties are broken by address, so the ranking is deterministic.
 */
export function rankProviders(
  job: JobRequirements,
  candidates: readonly Candidate[],
  market: MarketView,
  top = 3,
): Ranking {
  const excluded: Partial<Record<Exclusion, number>> = {};
  const eligible: { candidate: Candidate; zone: number }[] = [];
  for (const candidate of candidates) {
    const zone = zoneScore(job, market, candidate.zone);
    const reason = exclusion(job, candidate, zone);
    if (reason === undefined) eligible.push({ candidate, zone: zone! });
    else excluded[reason] = (excluded[reason] ?? 0) + 1;
  }
  let fastest = 1;
  let cheapest: bigint | undefined;
  for (const { candidate } of eligible) {
    fastest = Math.max(fastest, candidate.tflopsCenti);
    const price = market.priceByZone.get(candidate.zone.toLowerCase() as Hex);
    if (price !== undefined && price > 0n && (cheapest === undefined || price < cheapest)) cheapest = price;
  }

  const scored = eligible.map(({ candidate, zone }): RankedProvider => {
    const headroom = job.minVramMiB === 0 ? 0 : candidate.vramMiB / job.minVramMiB - 1;
    const fit = Math.max(0, 1 - headroom / VRAM_HEADROOM_FOR_NO_FIT);
    const price = market.priceByZone.get(candidate.zone.toLowerCase() as Hex);
    const factors: Record<Factor, number> = {
      reputation: (candidate.composite ?? 0) / BPS,
      history:
        (candidate.slotsDelivered / (candidate.slotsClaimed + 1)) *
        (1 - Math.min(candidate.slashCount, SLASHES_FOR_NO_HISTORY) / SLASHES_FOR_NO_HISTORY),
      hardware: (fit + candidate.tflopsCenti / fastest) / 2,
      price: price === undefined || cheapest === undefined ? 0 : Number((cheapest * 1_000_000n) / price) / 1_000_000,
      distance: zone,
      load: candidate.staked === 0n ? 0 : 1 - Number((candidate.locked * 1_000_000n) / candidate.staked) / 1_000_000,
    };
    const score = (Object.keys(WEIGHTS) as Factor[]).reduce(
      (sum, factor) => sum + WEIGHTS[factor] * factors[factor],
      0,
    );
    return { address: candidate.address, score, factors };
  });
  scored.sort((a, b) => b.score - a.score || (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
  return { ranked: scored.slice(0, top), excluded };
}

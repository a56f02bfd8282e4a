import type { Address, Hex } from "viem";

import { type StarMinerDeployment, parseDeployment } from "../deployment.js";
import type {
  AuditRow,
  BridgeTransferRow,
  DisputeRow,
  DisputeVoteRow,
  GovernanceActionRow,
  JobRow,
  PayoutRow,
  PricePointRow,
  ProposalRow,
  ProposalVoteRow,
  ProtocolEventRow,
  ReputationUpdateRow,
  ResultRow,
  SlashingRow,
  SlotRow,
  TimelockOperationRow,
} from "./rows.js";

/** The indexer answered with an error status or could not be reached; `status` is 0 when nothing answered. */
export class IndexerError extends Error {
  override readonly name = "IndexerError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A page of a listing and the cursor of the next one (`null` on the last page). */
export interface Page {
  readonly nextCursor: string | null;
}

/** Paging of a listing: at most `limit` items (1-1000), newest first unless `order` is `asc`, after `cursor`. */
export interface PageOptions {
  readonly limit?: number;
  readonly order?: "asc" | "desc";
  readonly cursor?: string;
}

/** A (zone, tier)'s current price as the indexer derives it from the pricing engine's events. */
export interface CurrentPrice {
  readonly zone: Hex;
  readonly zoneLabel: string;
  readonly enabled: boolean;
  readonly tier: number;
  readonly tierName: string;
  /** Wei of AGPU per GPU-hour; null before the engine has any price. */
  readonly pricePerGpuHour: string | null;
  readonly basePrice: string | null;
  /** `Epoch`: a base price the engine wrote; `Initial`: the engine's starting price (no epoch update yet). */
  readonly basis: "Epoch" | "Initial";
  readonly epoch: string | null;
  readonly utilisationBps: number | null;
  readonly updatedAt: string | null;
}

/** One cell of the market heatmap: a (zone, tier)'s price, utilisation and flow of jobs. */
export interface HeatmapCell {
  readonly zone: Hex;
  readonly zoneLabel: string;
  readonly tier: number;
  readonly tierName: string;
  readonly pricePerGpuHour: string | null;
  readonly engineUtilisationBps: number | null;
  readonly utilisationBps: number;
  readonly activeJobs: number;
  readonly openSlots: number;
  readonly busySlots: number;
  readonly jobsSubmitted: number;
  readonly jobsSettled: number;
  readonly jobsRefunded: number;
  readonly jobsCancelled: number;
  readonly gpuHoursSubmitted: string;
  readonly escrowSubmitted: string;
  readonly paidToProviders: string;
}

/** A job with everything that happened to it, in chain order. */
export interface JobTrail {
  readonly job: JobRow;
  readonly slots: readonly SlotRow[];
  readonly results: readonly ResultRow[];
  readonly payouts: readonly PayoutRow[];
  readonly audits: readonly AuditRow[];
  readonly dispute: (DisputeRow & { readonly votes: readonly DisputeVoteRow[] }) | null;
  readonly events: readonly ProtocolEventRow[];
}

/** A provider's reputation scores, in basis points, and their weighted composite. */
export interface ReputationScores {
  readonly reliability: number;
  readonly accuracy: number;
  readonly speed: number;
  readonly composite: number;
}

/** A provider's reputation now (decayed to the indexed head), as last written, its record and history. */
export interface ProviderReputation extends Page {
  readonly provider: Address;
  readonly registered: boolean;
  readonly active: boolean;
  readonly zone: Hex | null;
  readonly reputation: {
    readonly current: (ReputationScores & { readonly asOfBlock: string; readonly asOfTimestamp: string }) | null;
    readonly stored: {
      readonly reliability: number | null;
      readonly accuracy: number | null;
      readonly speed: number | null;
      readonly composite: number | null;
      readonly writtenAt: string | null;
    };
    readonly updates: number;
  };
  readonly record: {
    readonly slotsClaimed: number;
    readonly slotsDelivered: number;
    readonly slotsMissed: number;
    readonly earned: string;
    readonly staked: string;
    readonly locked: string;
    readonly slashed: string;
    readonly slashCount: number;
  };
  readonly history: readonly ReputationUpdateRow[];
  readonly slashes: readonly SlashingRow[];
}

/** A proposal as the indexer tells it, with the phase of its vote as of the indexed head. */
export type IndexedProposal = ProposalRow & {
  readonly phase: ProposalRow["status"] | "Pending" | "Active" | "VotingClosed";
};

/** The indexer's deployment: the home chain's and, when followed, the bridge's remote chain's. */
export type IndexedDeployment = StarMinerDeployment & { readonly remote: StarMinerDeployment | null };

/**
 * Typed reads of a StarMiner indexer: its REST routes under `/api` and GraphQL at `/graphql`. Amounts and other
 * integers beyond 2^53 come as decimal strings (`BigInt(row.escrow)`). Works in Node and in the browser; give a
 * `fetch` to route requests elsewhere.
 */
export interface IndexerClient {
  readonly url: string;
  /** Runs a GraphQL query; `DataT` is the shape of its `data`. Throws on errors with no data. */
  graphql<DataT>(query: string, variables?: Record<string, unknown>): Promise<DataT>;
  /** Where the protocol the indexer follows is deployed. */
  deployment(): Promise<IndexedDeployment>;
  /** A job, its slots, results, payouts, audits, dispute and every event tied to it. */
  jobTrail(jobId: bigint): Promise<JobTrail>;
  /** The current price of every (zone, tier). */
  prices(): Promise<readonly CurrentPrice[]>;
  /** A (zone, tier)'s current price and a page of its history (zone by label or id, tier by name or index). */
  priceHistory(
    zone: string,
    tier: string | number,
    options?: PageOptions & { from?: bigint; to?: bigint; source?: PricePointRow["source"] },
  ): Promise<{ current: CurrentPrice; history: readonly PricePointRow[] } & Page>;
  /** Every (zone, tier) cell of the market: price, utilisation, jobs. */
  heatmap(): Promise<readonly HeatmapCell[]>;
  /** A provider's reputation, record, history and slashes. */
  providerReputation(provider: Address, options?: PageOptions): Promise<ProviderReputation>;
  /** Every protocol event that names an account, newest first. */
  accountTrail(account: Address, options?: PageOptions): Promise<{ events: readonly ProtocolEventRow[] } & Page>;
  /** Governance proposals, newest first. */
  proposals(options?: PageOptions): Promise<{ proposals: readonly IndexedProposal[] } & Page>;
  /** A proposal with its votes, its Timelock operation and the actions it executed. */
  proposal(proposalId: bigint): Promise<{
    proposal: IndexedProposal;
    votes: readonly ProposalVoteRow[];
    timelockOperation: TimelockOperationRow | null;
    executedActions: readonly GovernanceActionRow[];
  }>;
  /** Bridge transfers seen on either chain, newest first. */
  bridgeTransfers(options?: PageOptions): Promise<{ transfers: readonly BridgeTransferRow[] } & Page>;
  /** One bridge transfer by its digest, with its events on both chains. */
  bridgeTransfer(digest: Hex): Promise<{ transfer: BridgeTransferRow; events: readonly ProtocolEventRow[] }>;
}

/** A client of the indexer at `url` (e.g. `http://127.0.0.1:42069`). */
export function createIndexerClient(url: string, options: { fetch?: typeof fetch } = {}): IndexerClient {
  const base = url.replace(/\/+$/, "");
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const request = async <T>(path: string, init?: RequestInit): Promise<T> => {
    let response: Response;
    try {
      response = await fetcher(`${base}${path}`, init);
    } catch {
      throw new IndexerError(`cannot reach the indexer at ${base}: is it running?`, 0);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new IndexerError(`the indexer answered ${response.status} with no JSON to ${path}`, response.status);
    }
    // A GraphQL refusal is a 400 with `errors`, reported by `graphql`; any other failure is reported here.
    const graphqlRefusal = path === "/graphql" && Array.isArray((body as { errors?: unknown }).errors);
    if (!response.ok && !graphqlRefusal) {
      const message = (body as { error?: string }).error ?? `status ${response.status}`;
      throw new IndexerError(`the indexer refused ${path}: ${message}`, response.status);
    }
    return body as T;
  };
  const get = <T>(path: string, query: Record<string, string | number | bigint | undefined> = {}) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const suffix = search.size === 0 ? "" : `?${search}`;
    return request<T>(`${path}${suffix}`);
  };
  const paging = (options: PageOptions = {}) => ({
    limit: options.limit,
    order: options.order,
    cursor: options.cursor,
  });
  return {
    url: base,
    async graphql<DataT>(query: string, variables: Record<string, unknown> = {}) {
      const body = await request<{ data?: DataT | null; errors?: { message: string }[] }>("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      if (body.data === undefined || body.data === null) {
        throw new IndexerError(`the indexer refused the query: ${body.errors?.[0]?.message ?? "no data"}`, 400);
      }
      return body.data;
    },
    async deployment() {
      const raw = await get<{ remote: unknown }>("/api/deployment");
      const home = parseDeployment(raw, "the indexer's deployment");
      const remote = raw.remote === null ? null : parseDeployment(raw.remote, "the indexer's remote deployment");
      return { ...home, remote };
    },
    jobTrail: (jobId) => get(`/api/jobs/${jobId}/trail`),
    prices: async () => (await get<{ prices: CurrentPrice[] }>("/api/prices")).prices,
    priceHistory: (zone, tier, options = {}) =>
      get(`/api/prices/${encodeURIComponent(zone)}/${encodeURIComponent(String(tier))}`, {
        ...paging(options),
        from: options.from,
        to: options.to,
        source: options.source,
      }),
    heatmap: async () => (await get<{ cells: HeatmapCell[] }>("/api/market/heatmap")).cells,
    providerReputation: (provider, options) => get(`/api/providers/${provider}/reputation`, paging(options)),
    accountTrail: (account, options) => get(`/api/nodes/${account}/trail`, paging(options)),
    proposals: (options) => get("/api/governance/proposals", paging(options)),
    proposal: (proposalId) => get(`/api/governance/proposals/${proposalId}`),
    bridgeTransfers: (options) => get("/api/bridge/transfers", paging(options)),
    bridgeTransfer: (digest) => get(`/api/bridge/transfers/${digest}`),
  };
}

/** The deployment the indexer at `url` follows: all a dApp needs to find the protocol. */
export async function fetchDeployment(url: string, options: { fetch?: typeof fetch } = {}): Promise<IndexedDeployment> {
  return createIndexerClient(url, options).deployment();
}

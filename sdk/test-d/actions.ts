/**
 * Type tests: each `@ts-expect-error` line is a mistake the SDK's types must refuse to compile. `tsc -p sdk` (part
 * of `npm test`) fails if any of them compiles, so the types cannot silently loosen.
 */
import type { Address, Hex } from "viem";

import {
  type GatewayClient,
  type JobManifest,
  type StarMinerClient,
  castVote,
  claimSlot,
  contractAddress,
  createIndexerClient,
  denseLayerJobSpec,
  protocolContract,
  quoteJob,
  fetchJobOutput,
  submitJob,
  submitManifestJob,
  submitResult,
  writeAndWait,
  jobMarketAbi,
  VoteType,
  type DenseLayerJob,
  type HeatmapCell,
} from "../src/index.js";

declare const client: StarMinerClient;
declare const workload: DenseLayerJob;
declare const result: Hex;
declare const gateway: GatewayClient;
declare const manifest: JobManifest;

export async function wrongArguments(): Promise<void> {
  const spec = denseLayerJobSpec(workload, { gpuHours: 2 });
  await submitJob(client, spec);
  // @ts-expect-error a job id is a bigint, not a number
  await claimSlot(client, 1);
  // @ts-expect-error a spec's tier is a number, not a name
  await submitJob(client, { ...spec, tier: "standard" });
  // @ts-expect-error a result is 0x-hex, not a string
  await submitResult(client, { jobId: 1n, slot: 0, result: "42" });
  // @ts-expect-error submitResult needs the slot
  await submitResult(client, { jobId: 1n, result });
  // @ts-expect-error a quote needs the zone
  await quoteJob(client, { tier: 1, gpuHours: 1, redundancy: 1, spilloverAllowed: false });
  // @ts-expect-error a vote is For, Against or Abstain (0, 1, 2), not "yes"
  await castVote(client, { proposalId: 1n, support: "yes" });
  await castVote(client, { proposalId: 1n, support: VoteType.For });
}

export async function wrongContractCalls(): Promise<void> {
  const market = { address: contractAddress(client.deployment, "JobMarket"), abi: jobMarketAbi };
  await writeAndWait(client, market, "claimSlot", [1n]);
  // @ts-expect-error the market has no function "claim"
  await writeAndWait(client, market, "claim", [1n]);
  // @ts-expect-error claimSlot takes a uint256
  await writeAndWait(client, market, "claimSlot", ["1"]);
  // @ts-expect-error there is no contract "JobMarkt" in a deployment
  contractAddress(client.deployment, "JobMarkt");
  const lens = protocolContract(client, "JobMarketLens");
  await lens.read.openJobs(["0x00", 1, 1n, 10n]);
  // @ts-expect-error jobsWithSlots takes job ids, not addresses
  await lens.read.jobsWithSlots([["0x0000000000000000000000000000000000000000" as Address]]);
}

export async function wrongManifestJobs(): Promise<void> {
  const files = { get: async () => new Uint8Array() };
  await submitManifestJob(client, { manifest, files, gateway, encrypt: "all" });
  // @ts-expect-error encrypt is "none", "inputs" or "all"
  await submitManifestJob(client, { manifest, files, gateway, encrypt: "everything" });
  // @ts-expect-error a manifest is parsed (parseJobManifest), not a path
  await submitManifestJob(client, { manifest: "digits.job.json", files, gateway });
  const parameters = { gateway, manifest, jobId: 1n, result, providers: [], requester: "0x01" as Address };
  await fetchJobOutput(client, parameters);
  // @ts-expect-error the requester's key is hex, not bytes
  await fetchJobOutput(client, { ...parameters, requesterKey: new Uint8Array(32) });
}

export async function typedIndexerRows(): Promise<void> {
  const indexer = createIndexerClient("http://127.0.0.1:42069");
  const cells: readonly HeatmapCell[] = await indexer.heatmap();
  const trail = await indexer.jobTrail(1n);
  const status: "Open" | "Verified" | "Disputed" | "Settled" | "Refunded" | "Cancelled" = trail.job.status;
  // @ts-expect-error amounts are decimal strings (integers beyond 2^53), not numbers
  const escrow: number = trail.job.escrow;
  // @ts-expect-error a job id is a bigint
  await indexer.jobTrail(1);
  void [cells, status, escrow];
}

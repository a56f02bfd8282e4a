/**
 * A dApp runs its own program on its own data, sealed: it reads a job manifest (a WebAssembly or ONNX job naming
 * its files by CID), seals the data under a fresh job key, publishes it to a content gateway and submits the job;
 * answers the claimer's key request on chain; then opens the output the provider sealed back to it and checks it
 * against the result the market accepted.
 *
 *   STARMINER_PRIVATE_KEY=0x… STARMINER_GATEWAY_URL=http://127.0.0.1:8080 \
 *     node --import tsx sdk/examples/run-sealed-job.ts examples/workloads/monte-carlo.job.json
 */
import { readFile, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";

import { type Hex, createPublicClient, createWalletClient, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import * as starminer from "@starminer/sdk";

const key = process.env.STARMINER_PRIVATE_KEY as Hex;
const account = privateKeyToAccount(key);
const transport = http(process.env.STARMINER_RPC_URL ?? "http://127.0.0.1:8545");
const client = starminer.createStarMinerClient({
  deployment: await starminer.fetchDeployment(process.env.STARMINER_INDEXER_URL ?? "http://127.0.0.1:42069"),
  publicClient: createPublicClient({ transport }),
  walletClient: createWalletClient({ account, transport }),
});
const gateway = new starminer.GatewayClient(process.env.STARMINER_GATEWAY_URL ?? "http://127.0.0.1:8080");

// The manifest names its files by CID; they sit beside it.
const manifestPath = process.argv[2]!;
const manifest = starminer.parseJobManifest(JSON.parse(await readFile(manifestPath, "utf8")));
const files = new Map<string, Uint8Array>();
for (const entry of await readdir(dirname(manifestPath), { withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const bytes = await readFile(join(dirname(manifestPath), entry.name));
  files.set(starminer.artifactCid(bytes), bytes);
}

const { jobId, prepared } = await starminer.submitManifestJob(client, {
  manifest,
  files: { get: async (ref) => files.get(ref.cid) },
  gateway,
  encrypt: "inputs",
  // A CPU program: any provider's machine may run it.
  spec: { gpuHours: 1, minVramMiB: 0, minComputeCapability: 0, maxTotal: parseEther("1000") },
});

// Until every slot has delivered, hand the key to each claimer that asks for it on chain.
const releases: starminer.KeyRelease[] = [];
while ((await starminer.getJob(client, jobId)).job.status === starminer.JobStatus.Open) {
  releases.push(...(await starminer.releaseJobKeys(client, { gateway, jobId, jobKey: prepared.jobKey! })));
  await new Promise((done) => setTimeout(done, 500));
}

const { result, view } = await starminer.waitForResult(client, jobId, { timeout: 120_000 });
const output = await starminer.fetchJobOutput(client, {
  gateway,
  manifest: prepared.manifest,
  jobId,
  result,
  providers: view.slots.map((slot) => slot.provider),
  requester: account.address,
  requesterKey: key,
});
if (output === undefined) throw new Error(`no copy of job ${jobId}'s output opens and matches its result`);

console.log(
  JSON.stringify({
    jobId: `${jobId}`,
    result,
    releasedTo: releases.map((release) => release.to),
    outputs: starminer.decodeOutputs(output).map((o) => o.name),
  }),
);

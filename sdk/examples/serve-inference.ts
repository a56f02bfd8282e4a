/**
 * A GPU provider serves dense-layer jobs: it watches the market for open jobs whose commitments are the model and
 * input it holds (a workload file: how artifacts reach providers is the job's manifest's business), claims a slot,
 * computes and delivers the result. Stops after `--jobs <n>` deliveries (default 1). The account must be a
 * registered provider with stake, and eligible for the jobs (zone, hardware, reputation).
 *
 *   STARMINER_PRIVATE_KEY=0x… node --import tsx sdk/examples/serve-inference.ts examples/jobs/dense-layer.workload.json
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { type Hex, createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import * as starminer from "@starminer/sdk";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { jobs: { type: "string", default: "1" } },
});
const transport = http(process.env.STARMINER_RPC_URL ?? "http://127.0.0.1:8545");
const deployment = await starminer.fetchDeployment(process.env.STARMINER_INDEXER_URL ?? "http://127.0.0.1:42069");
const client = starminer.createStarMinerClient({
  deployment,
  publicClient: createPublicClient({ transport }),
  walletClient: createWalletClient({
    account: privateKeyToAccount(process.env.STARMINER_PRIVATE_KEY as Hex),
    transport,
  }),
});

const workload = starminer.parseDenseLayerJob(JSON.parse(await readFile(positionals[0]!, "utf8")));
const { specHash } = starminer.jobCommitments(workload);
const { zone, tier } = starminer.JOB_SPEC_DEFAULTS;
let delivered = 0;
while (delivered < Number(values.jobs)) {
  for (const jobId of await starminer.openJobs(client, { zone, tier })) {
    if ((await starminer.readJobCommitments(client, jobId)).specHash !== specHash) continue;
    const { slot } = await starminer.claimSlot(client, jobId);
    const { result } = starminer.runDenseLayer(workload);
    await starminer.submitResult(client, { jobId, slot, result });
    console.log(JSON.stringify({ jobId: `${jobId}`, slot, result }));
    delivered += 1;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/**
 * A dApp pays for an inference: it finds the protocol through the indexer, submits a dense-layer job with its model
 * and input (a workload file), waits for a provider's result and checks it by recomputing.
 *
 *   STARMINER_PRIVATE_KEY=0x… node --import tsx sdk/examples/pay-for-inference.ts examples/jobs/dense-layer.workload.json
 */
import { readFile } from "node:fs/promises";

import { type Hex, createPublicClient, createWalletClient, formatEther, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import * as starminer from "@starminer/sdk";

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

const inference = starminer.parseDenseLayerJob(JSON.parse(await readFile(process.argv[2]!, "utf8")));
const spec = starminer.denseLayerJobSpec(inference, { gpuHours: 1, maxTotal: parseEther("1000") });
const quote = await starminer.quoteJob(client, spec);
const { jobId, escrow } = await starminer.submitJob(client, spec);
const { result } = await starminer.waitForResult(client, jobId, { timeout: 120_000 });

console.log(
  JSON.stringify({
    jobId: `${jobId}`,
    quoted: formatEther(quote.total),
    escrow: formatEther(escrow),
    result,
    verified: starminer.verifyDenseLayerResult(inference, result),
  }),
);

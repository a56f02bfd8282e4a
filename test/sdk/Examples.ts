import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { expect } from "chai";
import { type Hex, formatEther } from "viem";
import {
  createIndexerClient,
  fetchArtifacts,
  parseDenseLayerJob,
  parseJobManifest,
  runDenseLayer,
} from "@starminer/sdk";

import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { filesByCid } from "../../scripts/lib/workloads/artifact-store.js";
import { allRuntimes, executeJob } from "../../scripts/lib/workloads/execute.js";
import { startGateway } from "../../scripts/lib/workloads/gateway.js";
import { CLI } from "../support/cli.js";
import { type RunningIndexer, startIndexerOf, waitUntilSynced } from "../support/indexer.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { raiseReputation } from "../support/market.js";
import { Background, ROOT, TYPESCRIPT, freePort, runNode } from "../support/processes.js";

const WORKLOAD_FILE = join(ROOT, "examples", "jobs", "dense-layer.workload.json");
const MONTE_CARLO = join(ROOT, "examples", "workloads", "monte-carlo.job.json");

/**
 * The SDK's examples (`sdk/examples/`), run as a dApp developer runs them: against a local node with the protocol
 * deployed and an indexer serving it, each finding the contracts through the indexer alone.
 */
describe("the SDK's examples, against a local node and its indexer", function () {
  this.timeout(180_000);
  let live: LiveMarket;
  let indexer: RunningIndexer;

  before(async function () {
    live = await startLiveMarket("sdk-examples");
    await raiseReputation(live.market, live.market.providers[0]!.address);
    indexer = await startIndexerOf(live);
  });

  after(async function () {
    await indexer?.stop();
    await live?.close();
  });

  const env = (account: string) => ({
    STARMINER_RPC_URL: live.rpcUrl,
    STARMINER_INDEXER_URL: indexer.url,
    STARMINER_PRIVATE_KEY: devKeyOf(account),
  });

  it("a dApp pays for an inference and checks the answer while a provider serves it", async function () {
    const provider = Background.start(
      [...TYPESCRIPT, "sdk/examples/serve-inference.ts", WORKLOAD_FILE, "--jobs", "1"],
      env(live.market.providers[0]!.address),
    );
    try {
      const dapp = await runNode(
        [...TYPESCRIPT, "sdk/examples/pay-for-inference.ts", WORKLOAD_FILE],
        env(live.market.accounts.alice.address),
      );
      expect(dapp.code, `${dapp.stderr}\nprovider:\n${provider.lines.join("\n")}`).to.equal(0);
      const paid = JSON.parse(dapp.stdout.trim()) as Record<string, string | boolean>;
      const workload = parseDenseLayerJob(JSON.parse(await readFile(WORKLOAD_FILE, "utf8")));
      expect(paid).to.include({ result: runDenseLayer(workload).result, verified: true });
      expect(paid.escrow).to.equal(paid.quoted);

      const served = JSON.parse(await provider.waitForLine(/"jobId"/)) as Record<string, string | number>;
      expect(served).to.deep.equal({ jobId: paid.jobId, slot: 0, result: paid.result });
      const job = await live.market.jobMarket.jobOf(BigInt(paid.jobId as string));
      expect(formatEther(job.escrow)).to.equal(paid.escrow);
    } finally {
      await provider.stop();
    }
  });

  it("a reader reports prices, the heatmap and a job's trail from the indexer alone", async function () {
    await waitUntilSynced(indexer.url, live.rpcUrl);
    const report = await runNode([...TYPESCRIPT, "sdk/examples/market-report.ts", "1"], {
      STARMINER_INDEXER_URL: indexer.url,
    });
    expect(report.code, report.stderr).to.equal(0);
    const { cells, prices, job } = JSON.parse(report.stdout.trim()) as {
      cells: number;
      prices: Record<string, string>;
      job: { status: string; events: string[] };
    };
    const heatmap = await createIndexerClient(indexer.url).heatmap();
    expect(cells).to.equal(heatmap.length).and.to.be.greaterThan(0);
    expect(Object.keys(prices)).to.include("eu-west/Standard");
    expect(job.status).to.equal("Verified");
    expect(job.events).to.include.members(["JobMarket.JobSubmitted", "JobMarket.SlotClaimed", "JobMarket.JobVerified"]);
  });

  it("the indexer client reads every route, typed, and says what is wrong", async function () {
    const client = createIndexerClient(indexer.url);
    const deployment = await client.deployment();
    expect(deployment.chainId).to.equal(31337);
    expect(deployment.contracts.JobMarket?.address).to.equal(await live.market.jobMarket.getAddress());
    expect(deployment.remote).to.equal(null);

    const trail = await client.jobTrail(1n);
    expect(trail.job.id).to.equal("1");
    expect(trail.slots.map((slot) => slot.provider)).to.deep.equal([live.market.providers[0]!.address.toLowerCase()]);
    const history = await client.priceHistory("eu-west", "standard", { limit: 5 });
    expect(history.current.zoneLabel).to.equal("eu-west");
    expect(history.history.length).to.be.at.most(5);
    const reputation = await client.providerReputation(live.market.providers[0]!.address as `0x${string}`);
    expect(reputation.record.slotsDelivered).to.equal(1);
    expect((await client.proposals()).proposals).to.deep.equal([]);
    expect((await client.bridgeTransfers()).transfers).to.deep.equal([]);
    const data = await client.graphql<{ job: { status: string } }>("query($id: BigInt!) { job(id: $id) { status } }", {
      id: "1",
    });
    expect(data.job.status).to.equal("Verified");

    const unknown = await client.jobTrail(999n).then(
      () => expect.fail("job 999 was found"),
      (error: unknown) => error as Error & { status: number },
    );
    expect(unknown.status).to.equal(404);
    expect(unknown.message).to.equal("the indexer refused /api/jobs/999/trail: no job 999 has been submitted");
    const badQuery = await client.graphql("{ nothing }").then(
      () => expect.fail("a bad query answered"),
      (error: Error) => error,
    );
    expect(badQuery.message).to.match(/^the indexer refused the query: /);
    const down = createIndexerClient(`http://127.0.0.1:${await freePort()}`);
    const unreachable = await down.heatmap().then(
      () => expect.fail("a closed port answered"),
      (error: Error & { status: number }) => error,
    );
    expect([unreachable.status, unreachable.message]).to.deep.equal([
      0,
      `cannot reach the indexer at ${down.url}: is it running?`,
    ]);
  });

  it("a dApp runs its own WebAssembly program on sealed data while a provider serves it, and opens the output", async function () {
    const gateway = await startGateway({ directory: join(live.workDir, "gateway"), uploads: "open" });
    const provider = live.market.providers[0]!;
    const daemon = Background.start(
      [CLI, "provider", "run", "--journal", join(live.workDir, "sealed-journal.json"), "--poll-ms", "200"],
      {
        STARMINER_RPC_URL: live.rpcUrl,
        STARMINER_MANIFEST_DIR: live.manifestDir,
        STARMINER_CONTENT_DIR: join(live.workDir, "content"),
        STARMINER_HOME: join(live.workDir, "provider-home"),
        STARMINER_GATEWAY_URL: gateway.url,
        STARMINER_PRIVATE_KEY: devKeyOf(provider.address),
      },
    );
    try {
      await daemon.waitForLine(/started\s+provider/);
      const dapp = await runNode([...TYPESCRIPT, "sdk/examples/run-sealed-job.ts", MONTE_CARLO], {
        ...env(live.market.accounts.alice.address),
        STARMINER_GATEWAY_URL: gateway.url,
      });
      expect(dapp.code, `${dapp.stderr}\nprovider:\n${daemon.lines.join("\n")}`).to.equal(0);
      const ran = JSON.parse(dapp.stdout.trim()) as {
        jobId: string;
        result: Hex;
        releasedTo: string[];
        outputs: string[];
      };
      expect(ran.releasedTo, "the key went to the claimer, on chain").to.deep.equal([provider.address]);
      expect((await live.market.jobMarket.keyExchangeOf(BigInt(ran.jobId), 0)).released).to.equal(true);
      expect(ran.outputs).to.deep.equal(["stdout", "out/histogram.csv"]);
      const manifest = parseJobManifest(JSON.parse(await readFile(MONTE_CARLO, "utf8")));
      const expected = await executeJob(
        manifest,
        await fetchArtifacts(manifest, await filesByCid(dirname(MONTE_CARLO))),
        allRuntimes(),
      );
      expect(ran.result, "the program's own result, computed here from the plaintext").to.equal(expected.result);
    } finally {
      await daemon.stop();
      await gateway.close();
    }
  });
});

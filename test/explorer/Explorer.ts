import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { createPublicClient, createWalletClient, formatEther, http, parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  amaxGovernorAbi,
  createIndexerClient,
  createStarMinerClient,
  delegateVotes,
  deploymentContracts,
  encodeActions,
  jobSpec,
  parseDeployment,
  propose,
  zoneId,
} from "@starminer/sdk";
import {
  EXPLORER_ROOT,
  type RunningExplorer,
  buildExplorerIfStale,
  startExplorerServer,
} from "../../scripts/lib/explorer/server.js";
import { energyFeedId } from "../../scripts/lib/feeds.js";
import { launchChromium } from "../support/browser.js";
import { type RunningIndexer, startIndexerOf, waitUntilSynced } from "../support/indexer.js";
import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { submit } from "../support/market.js";
import { registerFreshOracles, setFeedOracles } from "../support/oracles.js";
import { freePort, waitFor } from "../support/processes.js";
import { type ScenarioOutcome, advance, driveEveryTerminalState } from "../support/scenario.js";

/** Where the run leaves a screenshot of each main page. */
const SCREENSHOTS = join(EXPLORER_ROOT, "screenshots");

/**
 * The explorer in a real headless Chromium, against a local node whose market went through every way a job ends,
 * the indexer following it and the explorer's server relaying both: each page shows the chain's data, follows it
 * live, says clearly what is wrong, and can be used by keyboard.
 */
describe("the explorer, in Chromium against a local chain and its indexer", function () {
  this.timeout(240_000);
  let live: LiveMarket;
  let outcome: ScenarioOutcome;
  let indexer: RunningIndexer;
  let explorer: RunningExplorer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    buildExplorerIfStale();
    live = await startLiveMarket("explorer");
    outcome = await driveEveryTerminalState(live.connection, live.market);
    indexer = await startIndexerOf(live);
    await waitUntilSynced(indexer.url, live.rpcUrl);
    explorer = await startExplorerServer({ indexerUrl: indexer.url, rpcUrl: live.rpcUrl, port: await freePort() });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  after(async function () {
    await browser?.close();
    await explorer?.close();
    await indexer?.stop();
    await live?.close();
  });

  const open = async (route: string) => {
    await page.goto(`${explorer.url}/#/${route}`);
    await page.locator("main h1").waitFor();
  };
  const noAlert = async () => expect(await page.getByRole("alert").allTextContents()).to.deep.equal([]);
  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const rows = (caption: RegExp) =>
    page.locator("table", { has: page.locator("caption", { hasText: caption }) }).locator("tbody tr");

  it("the market: a heatmap of every zone and tier, and the price history charted", async function () {
    const client = createIndexerClient(indexer.url);
    await open("market");
    await rows(/^Zones × tiers/)
      .first()
      .waitFor();
    const zones = new Set((await client.heatmap()).map((cell) => cell.zoneLabel));
    expect(await rows(/^Zones × tiers/).count()).to.equal(zones.size);
    const { current, history } = await client.priceHistory("eu-west", "standard", { limit: 1000 });
    const shown = await page.getByTestId("current-price").textContent();
    expect(shown).to.equal(`${Number(formatEther(BigInt(current.pricePerGpuHour!))).toLocaleString("en")} AGPU`);
    await page.locator("figure.chart canvas").first().waitFor();
    await page.getByText(`${history.length} price points`, { exact: false }).waitFor();
    await noAlert();
    await shoot("market");
  });

  it("jobs: the list, its filters in the URL, and a job's lifecycle, payouts and full audit trail", async function () {
    const client = createIndexerClient(indexer.url);
    await open("jobs");
    await rows(/^Jobs, newest first/)
      .first()
      .waitFor();
    expect(await rows(/^Jobs, newest first/).count()).to.equal(outcome.expected.size);
    await page.getByLabel("Status").selectOption("Settled");
    await page.waitForURL(/status=Settled/);
    await waitFor("the settled jobs", async () => {
      // An empty list (the page reloading) is not yet the filtered one.
      const shown = await rows(/^Jobs, newest first/).allTextContents();
      return shown.length > 0 && shown.every((row) => row.includes("Settled"));
    });
    const settled = [...outcome.expected.values()].filter((status) => status === 4).length;
    expect(await rows(/^Jobs, newest first/).count()).to.equal(settled);
    await shoot("jobs");

    const first = rows(/^Jobs, newest first/)
      .first()
      .locator("a")
      .first();
    const jobId = (await first.textContent())!.replace("#", "");
    await first.click();
    await page.waitForURL(new RegExp(`#/jobs/${jobId}$`));
    const trail = await client.jobTrail(BigInt(jobId));
    await page.getByText(`Audit trail: ${trail.events.length} events in chain order`).waitFor();
    expect(await rows(/^Audit trail/).count()).to.equal(trail.events.length);
    expect(await rows(/^Payouts/).count()).to.equal(trail.payouts.length);
    expect(await page.locator(".timeline li").first().textContent()).to.match(/^Submitted /);
    await noAlert();
    await shoot("job");
  });

  it("follows the chain live: a job submitted now appears with its audit trail, a new price point on the chart", async function () {
    const client = createIndexerClient(indexer.url);
    await open("market");
    const before = (await client.priceHistory("eu-west", "standard", { limit: 1000 })).history.length;
    await page.getByText(`${before} price points`, { exact: false }).waitFor();
    await open("jobs");
    const block = await live.connection.ethers.provider.getBlock("latest");
    const jobId = await submit(live.market, jobSpec(block!.timestamp));
    // No reload: the page reads the indexer again as it follows the chain.
    await page.getByRole("link", { name: `#${jobId}` }).waitFor({ timeout: 60_000 });
    await page.getByRole("link", { name: `#${jobId}` }).click();
    await page.getByText("JobMarket.JobSubmitted").waitFor();
    await page.getByRole("link", { name: "Market" }).click();
    await page.getByText(`${before + 1} price points`, { exact: false }).waitFor({ timeout: 60_000 });
  });

  it("providers: the leaderboard, and a slashed provider's hardware, reputation history and slashes", async function () {
    const client = createIndexerClient(indexer.url);
    await open("providers");
    await rows(/^Leaderboard/)
      .first()
      .waitFor();
    expect(await rows(/^Leaderboard/).count()).to.equal(live.market.providers.length);
    await shoot("providers");
    const dissenter = outcome.dissenter.toLowerCase();
    await page.getByRole("link", { name: `${dissenter.slice(0, 6)}…${dissenter.slice(-4)}` }).click();
    await page.getByText("Reputation history").waitFor();
    const reputation = await client.providerReputation(outcome.dissenter as `0x${string}`);
    await rows(/^Slashes/)
      .first()
      .waitFor();
    expect(await rows(/^Slashes/).count())
      .to.equal(reputation.slashes.length)
      .and.to.be.greaterThan(0);
    await page.locator("figure.chart canvas").first().waitFor();
    expect(await page.locator(".facts").textContent()).to.include("NVIDIA H100 80GB");
    await noAlert();
    await shoot("provider");
  });

  it("validators, disputes, oracles, governance, the bridge and an account, each from the chain's data", async function () {
    await open("validators");
    await rows(/validators$/)
      .first()
      .waitFor();
    expect(await rows(/validators$/).count()).to.equal(live.market.validators.length);
    await shoot("validators");

    await open("disputes");
    await rows(/^Disputes/)
      .first()
      .waitFor();
    const verdicts = await rows(/^Disputes/).allTextContents();
    expect(verdicts.some((row) => row.includes("Upheld"))).to.equal(true);
    expect(verdicts.some((row) => row.includes("Rejected"))).to.equal(true);
    await shoot("disputes");

    // An oracle round for the oracles page: the feed's set of three all report (its quorum), and the round closes.
    const { oracleHub } = live.market;
    const feed = energyFeedId(zoneId("eu-west"));
    const oracles = await registerFreshOracles(live.connection, live.market, 3);
    await setFeedOracles(live.market, feed, oracles, 3);
    for (const [i, oracle] of oracles.entries()) await oracleHub.connect(oracle).report(feed, parseEther(`${20 + i}`));
    const { answer, roundId } = await oracleHub.feed(feed);
    await waitUntilSynced(indexer.url, live.rpcUrl);
    await open("oracles");
    const round = rows(/^Rounds, newest first/).first();
    await round.waitFor();
    const cells = await round.locator("td").allTextContents();
    expect(cells.slice(0, 5), "feed, round, status, reports, answer").to.deep.equal([
      "energy price in eu-west, AGPU per kWh",
      `${roundId - 1n}`,
      "Finalized",
      "3",
      `${formatEther(answer)} AGPU/kWh`,
    ]);
    await shoot("oracles");

    for (const [route, heading] of [
      ["oracles", "Oracles"],
      ["governance", "Governance"],
      ["bridge", "Bridge"],
    ] as const) {
      await open(route);
      expect(await page.locator("main h1").textContent()).to.equal(heading);
      await page.locator("main :is(table, p.muted:not([role]), [role=alert])").first().waitFor();
      await noAlert();
    }
    await page.getByText("No transfer has crossed the bridge").waitFor();

    const alice = live.market.accounts.alice.address;
    await open(`account/${alice}`);
    const balance = await live.market.agpu.balanceOf(alice);
    await page.getByTestId("agpu-balance").waitFor();
    const [whole, fraction = ""] = formatEther(balance).split(".");
    const trimmed = fraction.slice(0, 4).replace(/0+$/, "");
    expect(await page.getByTestId("agpu-balance").textContent()).to.equal(
      `${BigInt(whole!).toLocaleString("en")}${trimmed === "" ? "" : `.${trimmed}`} AGPU`,
    );
    await rows(/^Jobs it submitted/)
      .first()
      .waitFor();
    await noAlert();
    await shoot("account");
  });

  it("says clearly what is wrong: an unknown job, a bad address, an unknown page, an indexer that is down", async function () {
    await open("jobs/9999");
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).to.equal("no job 9999 has been submitted");
    await open("account/0x1234");
    expect(await page.getByRole("alert").textContent()).to.match(/is not an address/);
    await open("nowhere");
    expect(await page.getByRole("alert").textContent()).to.match(/There is no page "nowhere"/);

    // Port 1: nothing listens there, so the indexer is refused at once. A port just found free could be handed out
    // again (as this server's own port, or an outgoing connection's), and the relay would then talk to itself.
    const orphan = await startExplorerServer({
      indexerUrl: "http://127.0.0.1:1",
      rpcUrl: live.rpcUrl,
      port: await freePort(),
    });
    try {
      await page.goto(`${orphan.url}/#/jobs`);
      await page.getByRole("alert").waitFor();
      expect(await page.getByRole("alert").textContent()).to.match(/^The indexer cannot be reached/);
      await page.getByTestId("live-status").getByText("indexer unreachable").waitFor();
    } finally {
      await orphan.close();
    }
  });

  it("accessibility: landmarks, labelled controls and tables, and keyboard navigation", async function () {
    for (const route of ["market", "jobs", "providers", "validators", "disputes", "governance", "account"]) {
      await open(route);
      await page.locator("main :is(table, p.muted, form)").first().waitFor();
      expect(await page.getByRole("banner").count(), route).to.equal(1);
      expect(await page.getByRole("navigation", { name: "Sections" }).count(), route).to.equal(1);
      expect(await page.getByRole("main").count(), route).to.equal(1);
      expect(await page.getByRole("contentinfo").count(), route).to.equal(1);
      // Evaluated in the page (as source text: this file is type-checked without the DOM's types).
      const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll("input, select, button")]
        .filter((control) => control.labels.length === 0 && !control.getAttribute("aria-label") && !control.textContent)
        .map((control) => control.outerHTML)`);
      expect(unlabelled, route).to.deep.equal([]);
      const uncaptioned = await page.evaluate<number>(
        `[...document.querySelectorAll("table:not([role=presentation])")].filter((table) => !table.caption).length`,
      );
      expect(uncaptioned, route).to.equal(0);
      const current = page.getByRole("navigation").locator('[aria-current="page"]');
      expect(await current.count(), route).to.equal(1);
    }

    // From the top of a page: Tab reaches the skip link first, then the sections; Enter follows one.
    await open("market");
    await page.locator("body").focus();
    await page.keyboard.press("Tab");
    const focused = () => page.evaluate<string | undefined>("document.activeElement?.textContent");
    expect(await focused()).to.equal("Skip to content");
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      if ((await focused()) === "Providers") break;
    }
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/providers$/);
    await page.locator("main h1", { hasText: "Providers" }).waitFor();
  });
  it("votes on an active proposal through an injected browser wallet, loaded only when asked for", async function () {
    const deployer = live.market.accounts.deployer.address as Address;
    const transport = http(live.rpcUrl);
    const holder = createStarMinerClient({
      deployment: parseDeployment(live.market.manifest),
      publicClient: createPublicClient({ transport, pollingInterval: 50 }),
      walletClient: createWalletClient({ account: privateKeyToAccount(devKeyOf(deployer)), transport }),
    });
    await delegateVotes(holder, deployer);
    const actions = encodeActions(deploymentContracts(holder.deployment), [
      {
        contract: "JobMarket",
        function: "setFeeSplit",
        args: { split: { providerBps: 8500, gasSubsidyBps: 0, treasuryBps: 1000, modelCreatorBps: 500 } },
      },
    ]);
    const { proposalId, voteStart } = await propose(holder, { actions, description: "Fee split 85/0/10/5" });
    const now = (await holder.publicClient.getBlock()).timestamp;
    await advance(live.connection, Number(voteStart - now) + 1);
    await waitUntilSynced(indexer.url, live.rpcUrl);

    // Without a wallet the page reads, and says what voting would take.
    await open(`governance/${proposalId}`);
    await page.getByText("Voting takes a browser wallet").waitFor();

    // A wallet injected as EIP-1193 (window.ethereum), signing with the node's unlocked development account.
    const context = await browser.newContext();
    await context.exposeBinding("starminerRpc", async (_source, body: string) => {
      const response = await fetch(live.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return response.text();
    });
    await context.addInitScript(`window.ethereum = {
      async request({ method, params }) {
        if (method === "eth_requestAccounts") return [${JSON.stringify(deployer)}];
        const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] });
        const answer = JSON.parse(await window.starminerRpc(body));
        if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
        return answer.result;
      },
    };`);
    const withWallet = await context.newPage();
    try {
      const requested: string[] = [];
      withWallet.on("request", (request) => requested.push(request.url()));
      await withWallet.goto(`${explorer.url}/#/governance/${proposalId}`);
      await withWallet.getByRole("button", { name: "Connect wallet" }).waitFor();
      expect(
        requested.filter((url) => url.includes("wallet-actions")),
        "loaded before asked for",
      ).to.deep.equal([]);
      await withWallet.getByRole("button", { name: "Connect wallet" }).click();
      await withWallet.getByText(`Connected as ${deployer.slice(0, 6).toLowerCase()}`, { exact: false }).waitFor();
      expect(
        requested.some((url) => url.includes("wallet-actions")),
        "loaded when asked for",
      ).to.equal(true);
      await withWallet.getByRole("button", { name: "Vote for" }).click();
      await withWallet.getByRole("status").filter({ hasText: "Your vote (for) is in" }).waitFor();
      const voted = await holder.publicClient.readContract({
        address: holder.deployment.contracts.AMAXGovernor!.address,
        abi: amaxGovernorAbi,
        functionName: "hasVoted",
        args: [proposalId, deployer],
      });
      expect(voted).to.equal(true);
      // The page follows the indexer: the vote appears in its table without a reload.
      await withWallet
        .locator("table", { has: withWallet.locator("caption", { hasText: /^Votes/ }) })
        .locator("tbody tr")
        .first()
        .waitFor({ timeout: 60_000 });
      await withWallet.screenshot({ path: join(SCREENSHOTS, "proposal.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

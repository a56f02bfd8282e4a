import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { formatEther } from "viem";

import { EU_WEST, JobStatus, type Market, PROVIDER_STAKE, claimCommitReveal, result } from "../support/market.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { as, cliRunner, json, writeSpec } from "../support/cli.js";
import type { Run } from "../support/processes.js";
import type { Connection } from "../support/protocol.js";

describe("starminer CLI (end to end on a local node)", function () {
  this.timeout(300_000);

  let live: LiveMarket;
  let rpcUrl: string;
  let workDir: string;
  let manifestDir: string;
  let connection: Connection;
  let market: Market;

  const starminer = cliRunner(() => ({ STARMINER_RPC_URL: rpcUrl, STARMINER_MANIFEST_DIR: manifestDir }));
  const specFile = (name: string, spec: Record<string, unknown>) => writeSpec(workDir, name, spec);

  before(async () => {
    live = await startLiveMarket("cli-test");
    ({ rpcUrl, workDir, manifestDir, connection, market } = live);
  });

  after(async () => {
    await live?.close();
  });

  it("quotes a price as the pricing engine does, for people and as JSON", async () => {
    const quote = await market.pricingEngine.quote(EU_WEST, 2, 10, 3, false);
    const human = await starminer([
      "price",
      "quote",
      "--zone",
      "eu-west",
      "--tier",
      "priority",
      "--hours",
      "10",
      "--redundancy",
      "3",
    ]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(new RegExp(`total\\s+${formatEther(quote.total)} AGPU`));
    const machine = json<{ total: string; zone: string; tier: string }>(
      await starminer([
        "--json",
        "price",
        "quote",
        "--zone",
        "eu-west",
        "--tier",
        "2",
        "--hours",
        "10",
        "--redundancy",
        "3",
      ]),
    );
    expect(machine).to.include({ total: quote.total.toString(), zone: "eu-west", tier: "priority" });
  });

  it("registers and stakes a provider who then completes a job a requester submitted, fetched with `job result`", async () => {
    const { agpu, staking, nodeRegistry, jobMarket, accounts } = market;
    const [newcomer] = (await connection.ethers.getSigners()).slice(19);
    await agpu.connect(accounts.deployer).transfer(newcomer!.address, PROVIDER_STAKE);
    const registered = await starminer(
      [
        "provider",
        "register",
        "--zone",
        "eu-west",
        "--gpu",
        "H100",
        "--vram",
        "81920",
        "--compute-capability",
        "90",
        "--tflops",
        "98900",
        "--endpoint",
        "https://newcomer.example",
      ],
      as(newcomer!.address),
    );
    expect(registered.code, registered.stderr).to.equal(0);
    expect((await nodeRegistry.getNode(newcomer!.address)).metadata.gpuModel).to.equal("H100");
    const staked = await starminer(["--json", "provider", "stake", formatEther(PROVIDER_STAKE)], as(newcomer!.address));
    expect(json<{ staked: string }>(staked).staked).to.equal(PROVIDER_STAKE.toString());
    expect(await staking.stakeOf(newcomer!.address)).to.equal(PROVIDER_STAKE);

    const spec = await specFile("consensus.json", {
      zone: "eu-west",
      gpuHours: 2,
      mode: "consensus",
      redundancy: 3,
      maxTotal: "100",
    });
    const submitted = json<{ jobId: string; escrow: string }>(
      await starminer(["--json", "job", "submit", "--spec", spec], as(accounts.alice.address)),
    );
    const jobId = BigInt(submitted.jobId);
    expect((await jobMarket.jobOf(jobId)).escrow.toString()).to.equal(submitted.escrow);

    const answer = result("cli");
    const claimants = [newcomer!, market.providers[0]!, market.providers[1]!];
    await claimCommitReveal(market, jobId, claimants, [answer, answer, answer]);
    const status = json<{ status: string; slots: { status: string }[] }>(
      await starminer(["--json", "job", "status", String(jobId)]),
    );
    expect(status.status).to.equal("Verified");
    expect(status.slots.map((slot) => slot.status)).to.deep.equal(["Revealed", "Revealed", "Revealed"]);
    const fetched = json<{ result: string }>(await starminer(["--json", "job", "result", String(jobId)]));
    expect(fetched.result).to.equal(answer);

    const disputed = await starminer(["--json", "job", "dispute", String(jobId)], as(accounts.alice.address));
    expect(json<{ status: string }>(disputed).status).to.equal("Disputed");
    expect(Number((await jobMarket.jobOf(jobId)).status)).to.equal(JobStatus.Disputed);
  });

  it("cancels an unclaimed job and refunds it", async () => {
    const { agpu, jobMarket, accounts } = market;
    const spec = await specFile("cancel.json", { zone: "eu-west", gpuHours: 1, maxTotal: "50" });
    const { jobId } = json<{ jobId: string }>(
      await starminer(["--json", "job", "submit", "--spec", spec], as(accounts.bob.address)),
    );
    const before = await agpu.balanceOf(accounts.bob.address);
    const cancelled = await starminer(["job", "cancel", jobId], as(accounts.bob.address));
    expect(cancelled.code, cancelled.stderr).to.equal(0);
    expect(Number((await jobMarket.jobOf(BigInt(jobId))).status)).to.equal(JobStatus.Cancelled);
    expect((await agpu.balanceOf(accounts.bob.address)) - before).to.be.greaterThan(0n);
  });

  describe("bad input: a one-line error, a non-zero exit, and nothing sent on-chain", () => {
    const cases: [string, () => Promise<Run>, number, RegExp][] = [];
    const add = (what: string, run: () => Promise<Run>, code: number, message: RegExp) =>
      cases.push([what, run, code, message]);

    add("no key for a transaction", () => starminer(["job", "cancel", "1"]), 1, /set STARMINER_PRIVATE_KEY/);
    add(
      "a malformed key",
      () => starminer(["job", "cancel", "1"], { STARMINER_PRIVATE_KEY: "0x1234" }),
      1,
      /the private key must be 32 bytes of hex/,
    );
    add(
      "the wrong key (another requester's job)",
      () => starminer(["job", "cancel", "2"], as(market.accounts.carol.address)),
      1,
      /the contract refused: MarketNotRequester\(2, 0x/,
    );
    add("an unknown job", () => starminer(["job", "status", "424242"]), 1, /^starminer: job 424242 does not exist$/);
    add(
      "a job id that is not one",
      () => starminer(["job", "status", "twelve"]),
      2,
      /a job id is a positive whole number/,
    );
    add(
      "a spec file that is not JSON",
      async () => {
        const path = join(workDir, "broken.json");
        await writeFile(path, "{ zone: eu-west");
        return starminer(["job", "submit", "--spec", path], as(market.accounts.alice.address));
      },
      2,
      /is not valid JSON/,
    );
    add(
      "a spec file with a bad field",
      async () =>
        starminer(
          [
            "job",
            "submit",
            "--spec",
            await specFile("bad.json", { zone: "eu-west", gpuHours: 1, maxTotal: "5", tier: "gold" }),
          ],
          as(market.accounts.alice.address),
        ),
      2,
      /"tier" must be one of economy, standard, priority/,
    );
    add(
      "a price above the spec's limit",
      async () =>
        starminer(
          ["job", "submit", "--spec", await specFile("cheap.json", { zone: "eu-west", gpuHours: 5, maxTotal: "0.5" })],
          as(market.accounts.alice.address),
        ),
      1,
      /above the spec's maxTotal of 0.5 AGPU/,
    );
    add(
      "the chain's node down",
      () => starminer(["job", "status", "1"], { STARMINER_RPC_URL: "http://127.0.0.1:9" }),
      1,
      /cannot reach the chain at http:\/\/127.0.0.1:9/,
    );
    add("an unknown command", () => starminer(["job", "steal", "1"]), 2, /"job" takes one of: submit, list, status/);

    for (const [what, run, code, message] of cases) {
      it(what, async () => {
        const blockBefore = await connection.ethers.provider.getBlockNumber();
        const outcome = await run();
        expect(outcome.code, outcome.stderr).to.equal(code);
        const lines = outcome.stderr.trim().split("\n");
        expect(lines, outcome.stderr).to.have.length(1);
        expect(lines[0]).to.match(message);
        expect(await connection.ethers.provider.getBlockNumber(), "blocks mined").to.equal(blockBefore);
      });
    }
  });

  it("takes its settings from a config file, the environment winning", async () => {
    const config = join(workDir, "config.json");
    await writeFile(config, JSON.stringify({ rpcUrl: "http://127.0.0.1:9", manifestDir }));
    const fromFile = await starminer(["--config", config, "job", "status", "1"], { STARMINER_RPC_URL: "" });
    expect(fromFile.code).to.equal(1);
    expect(fromFile.stderr).to.match(/cannot reach the chain at http:\/\/127.0.0.1:9/);
    const overridden = await starminer(["--config", config, "--json", "job", "status", "1"]);
    expect(json<{ jobId: string }>(overridden).jobId).to.equal("1");
  });
});

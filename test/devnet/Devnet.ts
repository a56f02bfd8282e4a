import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { portIsFree } from "../../scripts/lib/ports.js";
import { graphql } from "../support/indexer.js";
import { ROOT, TYPESCRIPT, freePort, runNode, waitFor } from "../support/processes.js";

describe("npm start: the devnet", function () {
  this.timeout(600_000);

  let directory: string;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let port: number;
  let indexerPort: number;
  let explorerPort: number;
  const lines: string[] = [];

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-devnet-"));
    [port, indexerPort, explorerPort] = [await freePort(), await freePort(), await freePort()];
    child = spawn(
      process.execPath,
      [
        ...TYPESCRIPT,
        "scripts/devnet.ts",
        "--port",
        String(port),
        "--indexer-port",
        String(indexerPort),
        "--explorer-port",
        String(explorerPort),
        "--directory",
        directory,
        "--submit-every",
        "1500",
        "--progress-every",
        "1000",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    child.stderr!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    await waitFor("the devnet's GraphQL URL", async () => lines.some((line) => line.startsWith("GraphQL: ")), 300_000);
  });

  after(async () => {
    child.kill("SIGINT");
    await exited;
    // The indexer's database may still be closing its files when the devnet has just exited.
    await rm(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  });

  it("runs the market in every mode with the indexer serving, and catches the dishonest provider", async () => {
    const url = lines
      .find((line) => line.startsWith("GraphQL: "))!
      .split(/\s+/)[1]!
      .replace(/\/graphql$/, "");
    expect(url).to.equal(`http://127.0.0.1:${indexerPort}`);
    // The explorer is served beside it, reading the same indexer through its own origin.
    const explorer = lines.find((line) => line.startsWith("Explorer: "))?.split(/\s+/)[1];
    expect(explorer).to.equal(`http://127.0.0.1:${explorerPort}`);
    expect(await (await fetch(explorer!)).text()).to.match(/<title>StarMiner explorer<\/title>/);
    const deployment = (await (await fetch(`${explorer}/api/deployment`)).json()) as { chainId: number };
    expect(deployment.chainId).to.equal(31337);

    // The progress lines tally the chain's events: jobs end, and the dishonest provider is slashed.
    const progress = () => {
      const last = lines.filter((line) => /^\[\d+ s, chain/.test(line)).at(-1) ?? "";
      const count = (pattern: RegExp) => Number(pattern.exec(last)?.[1] ?? 0);
      return {
        settled: count(/(\d+) settled/),
        slashes: count(/slashes (\d+)/),
        manifestJobs: count(/\((\d+) ONNX or WASM\)/),
      };
    };
    await waitFor(
      "eight settled jobs and a slash",
      async () => progress().settled >= 8 && progress().slashes >= 1,
      300_000,
      1_000,
    );
    // Real workloads among the dense-layer jobs: ONNX models and the WASM program, from the devnet's gateway.
    expect(progress().manifestJobs).to.be.at.least(3);

    // The indexer serves the same market: settled jobs of every verification mode.
    await waitFor(
      "the indexer to show settled jobs of all four modes",
      async () => {
        const answer = await graphql<{ jobs: { items: { mode: string }[] } }>(
          url,
          `
            {
              jobs(where: { status: Settled }, limit: 500) {
                items {
                  mode
                }
              }
            }
          `,
        );
        const modes = new Set(answer.body.data?.jobs.items.map((job) => job.mode));
        return ["Consensus", "Optimistic", "TEE", "ZK"].every((mode) => modes.has(mode));
      },
      120_000,
      1_000,
    );
    expect((await fetch(`${url}/api/prices`)).status).to.equal(200);
  });

  it("prints the CLI's environment and free development keys, and its validators judge a dispute on a job from the CLI", async () => {
    const exported = Object.fromEntries(
      lines.flatMap((line) => {
        const match = /^ {2}export (STARMINER_[A-Z_]+)=(.*)$/.exec(line);
        return match === null ? [] : [[match[1]!, match[2]!]];
      }),
    );
    expect(exported).to.include({ STARMINER_RPC_URL: `http://127.0.0.1:${port}` });
    const [user] = lines.flatMap(
      (line) => /^ {2}0x[0-9a-fA-F]{40} {2}(0x[0-9a-f]{64}) {2}free for you/.exec(line)?.[1] ?? [],
    );
    expect(user, "a free account's key").to.match(/^0x[0-9a-f]{64}$/);
    const env = { ...exported, STARMINER_PRIVATE_KEY: user!, STARMINER_HOME: join(directory, "cli-home") };
    const starminer = (...args: string[]) => runNode([join(ROOT, "bin", "starminer.mjs"), ...args], env);

    // A job submitted by someone the simulation does not know, its workload in the devnet's content store.
    const spec = join(directory, "foreign.json");
    await writeFile(
      spec,
      JSON.stringify({
        zone: "eu-west",
        mode: "optimistic",
        gpuHours: 1,
        maxTotal: "100",
        workload: join(ROOT, "examples", "jobs", "dense-layer.workload.json"),
      }),
    );
    const submitted = await starminer("--field", "jobId", "job", "submit", "--spec", spec);
    expect(submitted.code, submitted.stderr).to.equal(0);
    const jobId = submitted.stdout.trim();
    const status = async () => (await starminer("--field", "status", "job", "status", jobId)).stdout.trim();
    await waitFor(`job ${jobId} to be verified`, async () => (await status()) === "Verified", 300_000, 1_000);
    // Its requester disputes the result; the devnet's validators, who never saw the job submitted, judge it.
    const disputed = await starminer("job", "dispute", jobId);
    expect(disputed.code, disputed.stderr).to.equal(0);
    const verdict = async () => (await starminer("--field", "verdict", "dispute", "status", jobId)).stdout.trim();
    await waitFor(
      `the dispute on job ${jobId} to be resolved`,
      async () => ["Upheld", "Rejected"].includes(await verdict()),
      400_000,
      2_000,
    );
  });

  it("runs the README's walkthrough: a sealed ONNX job submitted with --manifest, its output opened with job result", async () => {
    const exported = Object.fromEntries(
      lines.flatMap((line) => {
        const match = /^ {2}export (STARMINER_[A-Z_]+)=(.*)$/.exec(line);
        return match === null ? [] : [[match[1]!, match[2]!]];
      }),
    );
    expect(exported.STARMINER_GATEWAY_URL, "the devnet prints its gateway").to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [, user] = lines.flatMap(
      (line) => /^ {2}0x[0-9a-fA-F]{40} {2}(0x[0-9a-f]{64}) {2}free for you/.exec(line)?.[1] ?? [],
    );
    expect(user, "a second free account's key").to.match(/^0x[0-9a-f]{64}$/);
    const env = { ...exported, STARMINER_PRIVATE_KEY: user!, STARMINER_HOME: join(directory, "walkthrough-home") };
    const starminer = (...args: string[]) => runNode([join(ROOT, "bin", "starminer.mjs"), ...args], env);

    const submitted = await starminer(
      "--json",
      "job",
      "submit",
      "--spec",
      join(ROOT, "examples", "jobs", "manifest-job.json"),
      "--manifest",
      join(ROOT, "examples", "workloads", "digits-cnn.job.json"),
      "--timeout-seconds",
      "240",
    );
    expect(submitted.code, submitted.stderr).to.equal(0);
    const { jobId, encrypted } = JSON.parse(submitted.stdout.trim().split("\n").at(-1)!) as {
      jobId: string;
      encrypted: boolean;
    };
    // The command returns once every claimer (each given the key) has delivered.
    expect(encrypted).to.equal(true);
    expect((await starminer("--field", "status", "job", "status", jobId)).stdout.trim()).to.not.equal("Open");
    const output = join(directory, "scores.json");
    const result = await starminer("--json", "job", "result", jobId, "--output", output);
    expect(result.code, result.stderr).to.equal(0);
    const answer = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { runtime: string; output: unknown[] };
    expect(answer.runtime).to.equal("onnx");
    expect(answer.output, "the output, opened with the requester's key and checked").to.have.length(1);
    expect(JSON.parse(await readFile(output, "utf8"))).to.deep.include({ format: "starminer.output/1" });
  });

  it("stops on Ctrl-C, freeing its ports", async () => {
    child.kill("SIGINT");
    expect(await exited, lines.slice(-20).join("\n")).to.equal(0);
    expect(lines.some((line) => line.startsWith("devnet stopped after"))).to.equal(true);
    expect(await portIsFree(port), "the chain's port is free again").to.equal(true);
    expect(await portIsFree(indexerPort), "the indexer's port is free again").to.equal(true);
    expect(await portIsFree(explorerPort), "the explorer's port is free again").to.equal(true);
  });
});

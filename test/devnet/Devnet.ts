import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { portIsFree } from "../../scripts/lib/ports.js";
import { graphql } from "../support/indexer.js";
import { ROOT, TYPESCRIPT, freePort, waitFor } from "../support/processes.js";

describe("npm start: the devnet", function () {
  this.timeout(600_000);

  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-devnet-"));
  });

  after(async () => {
    // The indexer's database may still be closing its files when the devnet has just exited.
    await rm(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  });

  it("runs the market in every mode with the indexer serving, catches the dishonest provider, and stops on Ctrl-C", async () => {
    const [port, indexerPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        ...TYPESCRIPT,
        "scripts/devnet.ts",
        "--port",
        String(port),
        "--indexer-port",
        String(indexerPort),
        "--directory",
        directory,
        "--submit-every",
        "1500",
        "--progress-every",
        "1000",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const lines: string[] = [];
    child.stdout.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    child.stderr.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    try {
      await waitFor(
        "the devnet's GraphQL URL",
        async () => lines.some((line) => line.startsWith("GraphQL: ")),
        300_000,
      );
      const url = lines
        .find((line) => line.startsWith("GraphQL: "))!
        .split(/\s+/)[1]!
        .replace(/\/graphql$/, "");
      expect(url).to.equal(`http://127.0.0.1:${indexerPort}`);

      // The progress lines tally the chain's events: jobs end, and the dishonest provider is slashed.
      const progress = () => {
        const last = lines.filter((line) => /^\[\d+ s, chain/.test(line)).at(-1) ?? "";
        const count = (pattern: RegExp) => Number(pattern.exec(last)?.[1] ?? 0);
        return { settled: count(/(\d+) settled/), slashes: count(/slashes (\d+)/) };
      };
      await waitFor(
        "eight settled jobs and a slash",
        async () => progress().settled >= 8 && progress().slashes >= 1,
        300_000,
        1_000,
      );

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
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited, lines.slice(-20).join("\n")).to.equal(0);
    expect(lines.some((line) => line.startsWith("devnet stopped after"))).to.equal(true);
    expect(await portIsFree(port), "the chain's port is free again").to.equal(true);
    expect(await portIsFree(indexerPort), "the indexer's port is free again").to.equal(true);
  });
});

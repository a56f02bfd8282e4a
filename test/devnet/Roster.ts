import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { parseEther } from "viem";
import { NodeRole, writeAndWait } from "@starminer/sdk";

import { connectProtocol } from "../../scripts/lib/client.js";
import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { planRoster } from "../../scripts/lib/devnet/setup.js";
import { ROOT, TYPESCRIPT, freePort, stopProcess, waitFor } from "../support/processes.js";

/** The local node gives ether to the mnemonic's first 20 accounts; a devnet may have more actors than that. */
describe("npm start with more actors than the local node funds", function () {
  this.timeout(600_000);

  const counts = { providers: 16, dishonest: 1, validators: 3, requesters: 2 };
  let directory: string;
  let devnet: ChildProcess | undefined;
  let rpcUrl: string;
  const lines: string[] = [];

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-roster-"));
    const port = await freePort();
    rpcUrl = `http://127.0.0.1:${port}`;
    const args = ["--idle", "--no-indexer", "--port", String(port), "--directory", directory];
    for (const [name, count] of Object.entries(counts)) args.push(`--${name}`, String(count));
    devnet = spawn(process.execPath, [...TYPESCRIPT, "scripts/devnet.ts", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    devnet.stdout!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    devnet.stderr!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    await waitFor(
      "the devnet to be set up",
      async () => {
        if (devnet!.exitCode !== null) throw new Error(`the devnet exited:\n${lines.join("\n")}`);
        return lines.includes("Ctrl-C stops everything");
      },
      300_000,
    );
  });

  after(async () => {
    await stopProcess(devnet, "SIGINT");
    await rm(directory, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  });

  it("gives every actor gas, stake and funds, past the node's 20 accounts", async () => {
    const roster = planRoster(counts);
    const config = { rpcUrl, manifestDir: join(directory, "manifests"), indexerUrl: "", contentDir: directory };
    const chain = await connectProtocol(config);
    const gas = (address: `0x${string}`) => chain.publicClient.getBalance({ address });
    // The requesters and the free accounts are the mnemonic's accounts 20 and beyond.
    expect(roster.requesters[0]!.address).to.equal(devAccount(20).address);
    for (const account of [...roster.requesters, ...roster.users]) {
      expect(await gas(account.address), account.address).to.be.greaterThan(0n);
    }
    for (const user of roster.users) {
      expect(await chain.agpu.read.balanceOf([user.address])).to.equal(parseEther("100000"));
    }
    for (const requester of roster.requesters) {
      expect(await chain.agpu.read.balanceOf([requester.address])).to.equal(parseEther("200000"));
    }
    for (const provider of roster.providers) {
      expect(await chain.nodeRegistry.read.isEligible([provider.address, NodeRole.PROVIDER]), provider.name).to.equal(
        true,
      );
    }
    // The free accounts the devnet prints are the roster's, and they can send transactions.
    const last = roster.users.at(-1)!;
    expect(lines.some((line) => line.includes(last.privateKey))).to.equal(true);
    const user = await connectProtocol({ ...config, privateKey: last.privateKey });
    const { receipt } = await writeAndWait(user, user.agpu, "transfer", [roster.users[0]!.address, parseEther("1")]);
    expect(receipt.status).to.equal("success");
  });
});

import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { formatEther, getAddress } from "viem";
import { enumName } from "@starminer/sdk";

import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { JobStatus, type Market, Verdict, deliverVerifiedJob } from "../support/market.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { as, cliRunner, json, ok, writeSpec } from "../support/cli.js";
import { ROOT } from "../support/processes.js";
import type { Connection } from "../support/protocol.js";

describe("starminer CLI: every lifecycle step is a command", function () {
  this.timeout(300_000);

  let live: LiveMarket;
  let rpcUrl: string;
  let workDir: string;
  let manifestDir: string;
  let connection: Connection;
  let market: Market;

  const starminer = cliRunner(() => ({
    STARMINER_RPC_URL: rpcUrl,
    STARMINER_MANIFEST_DIR: manifestDir,
    STARMINER_HOME: join(workDir, "home"),
    STARMINER_CONTENT_DIR: join(workDir, "content"),
  }));
  const nonceOf = (address: string) => connection.ethers.provider.getTransactionCount(address);
  const now = async () => BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp);
  const specFile = (name: string, spec: Record<string, unknown>) => writeSpec(workDir, name, spec);

  before(async () => {
    live = await startLiveMarket("cli-lifecycle");
    ({ rpcUrl, workDir, manifestDir, connection, market } = live);
  });

  after(async () => {
    await live?.close();
  });

  describe("help and version, at once and without a chain", () => {
    it("prints the version of the package", async () => {
      const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
      for (const flag of ["--version", "-V"]) {
        expect(ok(await starminer([flag], { STARMINER_RPC_URL: "http://127.0.0.1:9" })).stdout.trim()).to.equal(
          `starminer ${version}`,
        );
      }
    });

    it("lists every group and command with what it does, and the global options", async () => {
      const { stdout } = ok(await starminer(["--help"]));
      for (const line of [
        /^job:$/m,
        /^ {2}finalize +settle a verified job/m,
        /^dispute:$/m,
        /^ {2}vote +as a drawn juror/m,
        /^token:$/m,
        /^ {2}--rpc-url <url>/m,
        /^ {2}--keystore <file>/m,
      ]) {
        expect(stdout).to.match(line);
      }
    });

    it("describes each command with its usage and the environment variables it reads", async () => {
      const { stdout } = ok(await starminer(["job", "submit", "--help"]));
      expect(stdout).to.match(/^usage: starminer job submit --spec <file.json> \[--manifest <job.json> /m);
      expect(stdout).to.match(/^ {2}STARMINER_PRIVATE_KEY /m);
      expect(stdout).to.match(/^ {2}STARMINER_CONTENT_DIR /m);
      expect(stdout).to.match(/^ {2}STARMINER_GATEWAY_URL /m);
      const status = ok(await starminer(["job", "status", "--help"])).stdout;
      expect(status, "a read does not ask for a key").not.to.match(/STARMINER_PRIVATE_KEY/);
    });

    it("answers a usage mistake with exit code 2 and a pointer to the command's help", async () => {
      const run = await starminer(["token", "transfer", "0x1234", "5"]);
      expect(run.code).to.equal(2);
      expect(run.stderr.trim()).to.match(/must be an address .*\(see starminer token transfer --help\)$/);
      const unknown = await starminer(["teleport"]);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.match(/unknown command group "teleport" \(one of: price, job, provider/);
    });
  });

  describe("tokens", () => {
    it("shows balances, transfers AGPU and AMAX, and reads allowances by contract name", async () => {
      const { alice, carol, deployer } = market.accounts;
      const before = await market.agpu.balanceOf(carol.address);
      const sent = json<{ amount: string; token: string }>(
        await starminer(["--json", "token", "transfer", carol.address, "12.5"], as(alice.address)),
      );
      expect(sent).to.include({ token: "AGPU", amount: 12_500_000_000_000_000_000n.toString() });
      expect((await market.agpu.balanceOf(carol.address)) - before).to.equal(12_500_000_000_000_000_000n);

      ok(await starminer(["token", "transfer", carol.address, "3", "--token", "amax"], as(deployer.address)));
      const balance = ok(await starminer(["token", "balance", carol.address])).stdout;
      expect(balance).to.match(
        new RegExp(`^AGPU +${formatEther(await market.agpu.balanceOf(carol.address))} AGPU$`, "m"),
      );
      expect(balance).to.match(/^AMAX +3 AMAX$/m);

      await market.agpu.connect(carol).approve(await market.jobMarket.getAddress(), 7n * 10n ** 18n);
      const allowance = ok(await starminer(["token", "allowance", "JobMarket"], as(carol.address))).stdout;
      expect(allowance).to.match(/^allowance +7 AGPU$/m);
    });

    it("refuses a transfer beyond the balance before sending anything", async () => {
      const { stranger, carol } = market.accounts;
      const nonce = await nonceOf(stranger.address);
      const run = await starminer(["token", "transfer", carol.address, "1"], as(stranger.address));
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/holds 0 AGPU, less than 1 AGPU$/m);
      expect(await nonceOf(stranger.address)).to.equal(nonce);
    });

    it("names a mistyped checksum rather than sending to it", async () => {
      const address = getAddress(market.accounts.carol.address);
      // Flip the case of the first letter: still an address, no longer its checksum.
      const index = address.slice(2).search(/[a-fA-F]/) + 2;
      const flipped = address.slice(0, index) + swapCase(address[index]!) + address.slice(index + 1);
      const run = await starminer(["token", "balance", flipped]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/has a wrong checksum .*is it mistyped\?/);
    });
  });

  describe("a provider's lifecycle", () => {
    it("updates its metadata, leaving the rest as registered", async () => {
      const provider = market.providers[3]!;
      const before = (await market.nodeRegistry.getNode(provider.address)).metadata;
      const updated = json<{ endpoint: string; zone: string }>(
        await starminer(
          ["--json", "provider", "update", "--endpoint", "https://moved.example:7443"],
          as(provider.address),
        ),
      );
      expect(updated).to.include({ endpoint: "https://moved.example:7443", zone: "eu-west" });
      const after = (await market.nodeRegistry.getNode(provider.address)).metadata;
      expect(after.endpoint).to.equal("https://moved.example:7443");
      expect(after.gpuModel).to.equal(before.gpuModel);
      expect(after.vramMiB).to.equal(before.vramMiB);
    });

    it("refuses a zone the registry has not enabled, listing the zones it has", async () => {
      const provider = market.providers[3]!;
      const nonce = await nonceOf(provider.address);
      const run = await starminer(["provider", "update", "--zone", "mars-north"], as(provider.address));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/--zone "mars-north" is not an enabled zone; the zones are: .*eu-west/);
      expect(await nonceOf(provider.address)).to.equal(nonce);
    });

    it("unbonds, is refused a withdrawal before the period is over, and withdraws once the clock has passed it", async () => {
      const provider = market.providers[3]!;
      ok(await starminer(["provider", "unbond", "100"], as(provider.address)));
      const status = json<{ unbonding: { amount: string }[]; staked: string }>(
        await starminer(["--json", "provider", "status", provider.address]),
      );
      expect(status.unbonding.map((u) => u.amount)).to.deep.equal([(100n * 10n ** 18n).toString()]);

      const nonce = await nonceOf(provider.address);
      const early = await starminer(["provider", "withdraw"], as(provider.address));
      expect(early.code).to.equal(1);
      // The release time is shown as a date, not as seconds since 1970.
      expect(early.stderr).to.match(/StakingNothingToWithdraw\(0x[0-9a-fA-F]{40}, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/);
      expect(await nonceOf(provider.address)).to.equal(nonce);

      const period = await market.staking.unbondingPeriod();
      ok(await starminer(["devnet", "warp", String(period + 1n)]));
      const balance = await market.agpu.balanceOf(provider.address);
      const withdrawn = json<{ withdrawn: string }>(
        await starminer(["--json", "provider", "withdraw"], as(provider.address)),
      );
      expect(withdrawn.withdrawn).to.equal((100n * 10n ** 18n).toString());
      expect((await market.agpu.balanceOf(provider.address)) - balance).to.equal(100n * 10n ** 18n);
    });
  });

  describe("a job's lifecycle, and anyone keeping the market moving", () => {
    it("lists a requester's jobs, newest first, by status", async () => {
      const { bob } = market.accounts;
      const spec = await specFile("listed.json", { zone: "eu-west", gpuHours: 1, maxTotal: "50" });
      const first = json<{ jobId: string }>(
        await starminer(["--json", "job", "submit", "--spec", spec], as(bob.address)),
      );
      const second = json<{ jobId: string }>(
        await starminer(["--json", "job", "submit", "--spec", spec], as(bob.address)),
      );
      ok(await starminer(["job", "cancel", first.jobId], as(bob.address)));
      const mine = json<{ jobId: string; status: string }[]>(
        await starminer(["--json", "job", "list", "--requester", "me", "--limit", "2"], as(bob.address)),
      );
      expect(mine.map((job) => [job.jobId, job.status])).to.deep.equal([
        [second.jobId, "Open"],
        [first.jobId, "Cancelled"],
      ]);
      const cancelled = json<{ jobId: string }[]>(
        await starminer(["--json", "job", "list", "--requester", bob.address, "--status", "cancelled"]),
      );
      expect(cancelled.map((job) => job.jobId))
        .to.include(first.jobId)
        .and.not.include(second.jobId);
    });

    it("names the enum member a contract refused with: cancelling a cancelled job", async () => {
      const { bob } = market.accounts;
      const [cancelled] = json<{ jobId: string }[]>(
        await starminer(["--json", "job", "list", "--requester", bob.address, "--status", "cancelled", "--limit", "1"]),
      );
      const nonce = await nonceOf(bob.address);
      const run = await starminer(["job", "cancel", cancelled!.jobId], as(bob.address));
      expect(run.code).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        `starminer: the contract refused: MarketJobNotInStatus(${cancelled!.jobId}, Cancelled)`,
      );
      expect(await nonceOf(bob.address)).to.equal(nonce);
    });

    it("approves exactly the job's price, not the spec's limit", async () => {
      const { carol } = market.accounts;
      await market.agpu.connect(carol).approve(await market.jobMarket.getAddress(), 0);
      const spec = await specFile("exact.json", { zone: "eu-west", gpuHours: 1, maxTotal: "5000" });
      const submitted = json<{ escrow: string }>(
        await starminer(["--json", "job", "submit", "--spec", spec], as(carol.address)),
      );
      // The approval was the price, and the escrow took all of it.
      expect(await market.agpu.allowance(carol.address, await market.jobMarket.getAddress())).to.equal(0n);
      expect(BigInt(submitted.escrow)).to.be.lessThan(5_000n * 10n ** 18n);
    });

    it("expires an overdue slot as anyone may, slashing the provider who missed it, and pays the bounty on claim", async () => {
      const { bob, carol } = market.accounts;
      const spec = await specFile("consensus.json", {
        zone: "eu-west",
        gpuHours: 1,
        mode: "consensus",
        redundancy: 3,
        deliveryWindow: 600,
        maxTotal: "100",
      });
      const { jobId } = json<{ jobId: string }>(
        await starminer(["--json", "job", "submit", "--spec", spec], as(bob.address)),
      );
      const late = market.providers[1]!;
      await market.jobMarket.connect(late).claimSlot(BigInt(jobId));
      const early = await starminer(["job", "expire", jobId], as(carol.address));
      expect(early.code).to.equal(1);
      expect(early.stderr).to.match(new RegExp(`no slot of job ${jobId} is overdue`));

      ok(await starminer(["devnet", "warp", "11m"]));
      const stake = await market.staking.stakeOf(late.address);
      const expired = json<{ expired: { slot: number; provider: string }[] }>(
        await starminer(["--json", "job", "expire", jobId], as(carol.address)),
      );
      expect(expired.expired.map((e) => [e.slot, e.provider])).to.deep.equal([[0, late.address]]);
      expect(await market.staking.stakeOf(late.address)).to.be.lessThan(stake);

      const owed = await market.staking.unpaidBountyOf(carol.address);
      expect(owed).to.be.greaterThan(0n);
      const balance = await market.agpu.balanceOf(carol.address);
      const claimed = json<{ claimed: string }>(await starminer(["--json", "node", "claim-bounty"], as(carol.address)));
      expect(claimed.claimed).to.equal(owed.toString());
      expect((await market.agpu.balanceOf(carol.address)) - balance).to.equal(owed);

      const again = await starminer(["node", "claim-bounty"], as(carol.address));
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/no bounty is owed to/);
    });

    it("finalizes a verified job once its challenge window is over, and refuses before", async () => {
      const { jobId } = await deliverVerifiedJob(market);
      const { carol } = market.accounts;
      const nonce = await nonceOf(carol.address);
      const early = await starminer(["job", "finalize", String(jobId)], as(carol.address));
      expect(early.code).to.equal(1);
      expect(early.stderr).to.match(/challenge window is open until \d{4}-/);
      expect(await nonceOf(carol.address)).to.equal(nonce);
      const { challengeEndsAt } = await market.jobMarket.jobOf(jobId);
      ok(await starminer(["devnet", "warp", String(challengeEndsAt - (await now()) + 1n)]));
      const settled = json<{ status: string }>(
        await starminer(["--json", "job", "finalize", String(jobId)], as(carol.address)),
      );
      expect(settled.status).to.equal("Settled");
    });
  });

  describe("a dispute, from the challenge to the ruling", () => {
    it("is drawn, voted in two steps by each juror, and resolved, all by commands", async () => {
      const { jobId } = await deliverVerifiedJob(market);
      const id = String(jobId);
      const { alice } = market.accounts;
      const nonce = await nonceOf(alice.address);
      const undrawn = await starminer(["dispute", "status", id]);
      expect(undrawn.code).to.equal(1);
      expect(undrawn.stderr).to.match(new RegExp(`job ${id} has no dispute`));
      expect(await nonceOf(alice.address)).to.equal(nonce);

      ok(await starminer(["job", "dispute", id], as(alice.address)));
      // The committee is drawn from the hash of a block after the dispute's: refused until it is mined.
      const { drawBlock } = await market.verificationHub.disputeOf(jobId);
      const pending = await starminer(["dispute", "resolve", id], as(alice.address));
      expect(pending.code).to.equal(1);
      expect(pending.stderr).to.match(new RegExp(`drawn from the hash of block ${drawBlock}`));
      while (BigInt(await connection.ethers.provider.getBlockNumber()) < drawBlock) {
        ok(await starminer(["devnet", "warp", "1"]));
      }
      const drawn = json<{ committee: string[] }>(
        await starminer(["--json", "dispute", "resolve", id], as(alice.address)),
      );
      expect(drawn.committee.length).to.be.greaterThan(0);

      const jurors = drawn.committee;
      for (const juror of jurors) {
        const committed = json<{ step: string }>(
          await starminer(["--json", "dispute", "vote", id, "reject"], as(juror)),
        );
        expect(committed.step).to.equal("committed");
      }
      // The salts stayed with each juror's home: the reveal needs only the same command again.
      expect(await readdir(join(workDir, "home", "votes"))).to.have.length(jurors.length);
      const mismatched = await starminer(["dispute", "vote", id, "uphold"], as(jurors[0]!));
      expect(mismatched.code).to.equal(1);
      expect(mismatched.stderr).to.match(/the vote committed was "reject"/);
      for (const juror of jurors) {
        const revealed = json<{ step: string }>(
          await starminer(["--json", "dispute", "vote", id, "reject"], as(juror)),
        );
        expect(revealed.step).to.equal("revealed");
      }

      const { appealEndsAt } = await market.verificationHub.disputeOf(jobId);
      ok(await starminer(["devnet", "warp", String(appealEndsAt - (await now()) + 1n)]));
      const resolved = json<{ verdict: string; jobStatus: string }>(
        await starminer(["--json", "dispute", "resolve", id], as(alice.address)),
      );
      expect(resolved.verdict).to.equal("Rejected");
      expect(Number((await market.verificationHub.disputeOf(jobId)).verdict)).to.equal(Verdict.Rejected);
      expect(resolved.jobStatus).to.equal(enumName(JobStatus, Number((await market.jobMarket.jobOf(jobId)).status)));
    });

    it("refuses to dispute a job that is not Verified, before approving the bond", async () => {
      const { bob, alice } = market.accounts;
      const spec = await specFile("open.json", { zone: "eu-west", gpuHours: 1, maxTotal: "50" });
      const { jobId } = json<{ jobId: string }>(
        await starminer(["--json", "job", "submit", "--spec", spec], as(bob.address)),
      );
      const nonce = await nonceOf(alice.address);
      const run = await starminer(["job", "dispute", jobId], as(alice.address));
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(new RegExp(`job ${jobId} is Open: only a Verified job's result can be disputed`));
      expect(await nonceOf(alice.address)).to.equal(nonce);
      expect(Number((await market.jobMarket.jobOf(BigInt(jobId))).status)).to.equal(JobStatus.Open);
    });
  });

  describe("simulate before send", () => {
    it("refuses a submission from a key that cannot pay, sending no approval", async () => {
      const { stranger } = market.accounts;
      const spec = await specFile("unfunded.json", { zone: "eu-west", gpuHours: 1, maxTotal: "50" });
      const nonce = await nonceOf(stranger.address);
      const run = await starminer(["job", "submit", "--spec", spec], as(stranger.address));
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/holds 0 AGPU, less than the job's price of [\d.]+ AGPU/);
      expect(await nonceOf(stranger.address)).to.equal(nonce);
    });

    it("detects a manifest whose contracts have no code (a reset chain), before sending", async () => {
      const stale = join(workDir, "stale-manifests");
      await mkdir(stale, { recursive: true });
      await cp(manifestDir, stale, { recursive: true });
      for (const file of await readdir(stale)) {
        const path = join(stale, file);
        const manifest = JSON.parse(await readFile(path, "utf8")) as { contracts: Record<string, { address: string }> };
        manifest.contracts.AMAX!.address = "0x00000000000000000000000000000000000a3a11";
        await writeFile(path, JSON.stringify(manifest));
      }
      const { deployer } = market.accounts;
      const nonce = await nonceOf(deployer.address);
      const run = await starminer(["gov", "delegate", "self"], {
        ...as(deployer.address),
        STARMINER_MANIFEST_DIR: stale,
      });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/names AMAX with no code on this chain .*redeploy, or point STARMINER_RPC_URL/);
      expect(await nonceOf(deployer.address)).to.equal(nonce);
    });
  });

  describe("keys and flags", () => {
    it("signs with an encrypted keystore, and refuses a wrong password", async () => {
      const { carol, bob, alice } = market.accounts;
      await market.agpu.connect(alice).transfer(carol.address, 10n ** 18n);
      const keystore = join(workDir, "carol.json");
      const password = { STARMINER_PASSWORD: "correct horse battery" };
      const imported = json<{ address: string }>(
        await starminer(["--json", "key", "import", "--out", keystore], { ...as(carol.address), ...password }),
      );
      expect(imported.address).to.equal(carol.address);
      expect(await readFile(keystore, "utf8")).not.to.contain(devKeyOf(carol.address).slice(2));
      const before = await market.agpu.balanceOf(bob.address);
      ok(await starminer(["--keystore", keystore, "token", "transfer", bob.address, "1"], password));
      expect((await market.agpu.balanceOf(bob.address)) - before).to.equal(10n ** 18n);

      const wrong = await starminer(["--keystore", keystore, "token", "transfer", bob.address, "1"], {
        STARMINER_PASSWORD: "wrong horse",
      });
      expect(wrong.code).to.equal(1);
      expect(wrong.stderr).to.match(/carol.json: wrong password for the keystore/);
      const fresh = json<{ address: string }>(
        await starminer(["--json", "key", "new", "--out", join(workDir, "fresh.json")], password),
      );
      const unlocked = json<{ address: string }>(
        await starminer(["--json", "--keystore", join(workDir, "fresh.json"), "token", "balance"], password),
      );
      expect(unlocked.address).to.equal(fresh.address);
      const overwrite = await starminer(["key", "new", "--out", keystore], password);
      expect(overwrite.code).to.equal(1);
      expect(overwrite.stderr).to.match(/exists already: a keystore is never overwritten/);
    });

    it("takes --rpc-url and --private-key over the environment", async () => {
      const { alice, carol } = market.accounts;
      const before = await market.agpu.balanceOf(carol.address);
      ok(
        await starminer(
          ["--rpc-url", rpcUrl, "--private-key", devKeyOf(alice.address), "token", "transfer", carol.address, "2"],
          { STARMINER_RPC_URL: "http://127.0.0.1:9", ...as(market.accounts.stranger.address) },
        ),
      );
      expect((await market.agpu.balanceOf(carol.address)) - before).to.equal(2n * 10n ** 18n);
    });
  });
});

function swapCase(character: string): string {
  return character === character.toUpperCase() ? character.toLowerCase() : character.toUpperCase();
}

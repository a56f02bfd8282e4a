import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { type Market } from "../support/market.js";
import { graphql, rest, startIndexer, waitUntilSynced } from "../support/indexer.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { ROOT, type Run, freePort, runNode } from "../support/processes.js";
import type { Connection, Signer } from "../support/protocol.js";
import { advance } from "../support/scenario.js";

const CLI = join(ROOT, "bin", "starminer.mjs");
const AMAX = 10n ** 18n;
const DAY = 86_400;

describe("starminer gov (end to end on a local node, with the indexer)", function () {
  this.timeout(600_000);

  let live: LiveMarket;
  let connection: Connection;
  let market: Market;

  const starminer = (signer: Signer, args: string[]) =>
    runNode([CLI, ...args], {
      STARMINER_RPC_URL: live.rpcUrl,
      STARMINER_MANIFEST_DIR: live.manifestDir,
      STARMINER_PRIVATE_KEY: devKeyOf(signer.address),
    });
  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
  };

  before(async () => {
    live = await startLiveMarket("gov-test");
    ({ connection, market } = live);
    const { amax, accounts } = market;
    await amax.connect(accounts.deployer).transfer(accounts.alice.address, 10_000_000n * AMAX);
    await amax.connect(accounts.deployer).transfer(accounts.bob.address, 3_000_000n * AMAX);
  });

  after(async () => {
    await live?.close();
  });

  it("proposes, votes (with a reason, and by signature), queues and executes a fee split change", async () => {
    const { alice, bob, carol } = market.accounts;
    for (const holder of [alice, bob]) {
      const delegated = json<{ delegatee: string }>(await starminer(holder, ["--json", "gov", "delegate", "self"]));
      expect(delegated.delegatee).to.equal(holder.address);
    }
    const actions = join(live.workDir, "fee-split.json");
    await writeFile(
      actions,
      JSON.stringify([
        {
          contract: "JobMarket",
          function: "setFeeSplit",
          args: { split: { providerBps: 8_500, gasSubsidyBps: 0, treasuryBps: 1_000, modelCreatorBps: 500 } },
        },
      ]),
    );
    const { proposalId } = json<{ proposalId: string }>(
      await starminer(alice, [
        "--json",
        "gov",
        "propose",
        "--actions",
        actions,
        "--description",
        "Fee split 85/0/10/5",
      ]),
    );

    const early = await starminer(alice, ["gov", "vote", proposalId, "for"]);
    expect(early.code).to.equal(1);
    expect(early.stderr).to.match(/is Pending: votes are taken while it is Active/);

    // A Pending proposal's status: its quorum is estimated, since the vote's timepoint is still in the future.
    const pending = await starminer(carol, ["gov", "status", proposalId]);
    expect(pending.code, pending.stderr).to.equal(0);
    expect(pending.stdout).to.match(/^state +Pending$/m);
    expect(pending.stdout).to.match(/^quorum +[\d.]+ AMAX \(estimated: the vote has not started\)$/m);
    // Listed newest first by a short id, which every gov command takes.
    const listed = json<{ id: string; proposalId: string; state: string; description: string }[]>(
      await starminer(carol, ["--json", "gov", "list"]),
    );
    expect(listed[0]).to.include({ proposalId, state: "Pending", description: "Fee split 85/0/10/5" });
    const shortId = listed[0]!.id;
    expect(shortId).to.match(/^0x[0-9a-f]{8}$/);
    expect(
      json<{ proposalId: string }>(await starminer(carol, ["--json", "gov", "status", shortId])).proposalId,
    ).to.equal(proposalId);
    const unknown = await starminer(carol, ["gov", "status", "0xffffffffff"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/no proposal's id starts with 0xffffffffff/);

    await advance(connection, DAY + 1);
    const cast = json<{ weight: string }>(
      await starminer(alice, ["--json", "gov", "vote", proposalId, "for", "--reason", "providers do the work"]),
    );
    expect(cast.weight).to.equal((10_000_000n * AMAX).toString());
    // Bob signs offline; Carol, who holds no AMAX, relays it and pays the gas.
    const signed = json<{ signature: string }>(
      await starminer(bob, ["--json", "gov", "vote", proposalId, "against", "--sign-only", "--reason", "too low"]),
    );
    const relayed = json<{ voter: string; weight: string }>(
      await starminer(carol, [
        "--json",
        "gov",
        "vote",
        proposalId,
        "against",
        "--reason",
        "too low",
        "--signature",
        signed.signature,
        "--voter",
        bob.address,
      ]),
    );
    expect(relayed).to.include({ voter: bob.address, weight: (3_000_000n * AMAX).toString() });

    await advance(connection, 5 * DAY + 1);
    const status = json<{ state: string; for: string; against: string }>(
      await starminer(carol, ["--json", "gov", "status", proposalId]),
    );
    expect(status).to.include({
      state: "Succeeded",
      for: (10_000_000n * AMAX).toString(),
      against: (3_000_000n * AMAX).toString(),
    });

    expect(json<{ state: string }>(await starminer(carol, ["--json", "gov", "queue", proposalId])).state).to.equal(
      "Queued",
    );
    const tooEarly = await starminer(carol, ["gov", "execute", proposalId]);
    expect(tooEarly.code).to.equal(1);
    expect(tooEarly.stderr).to.match(/TimelockUnexpectedOperationState/);
    expect((await market.jobMarket.feeSplit()).providerBps).to.not.equal(8_500n);

    await advance(connection, 2 * DAY + 1);
    expect(json<{ state: string }>(await starminer(carol, ["--json", "gov", "execute", proposalId])).state).to.equal(
      "Executed",
    );
    expect((await market.jobMarket.feeSplit()).providerBps).to.equal(8_500n);

    // The indexer shows the proposal, its votes and the executed action.
    const port = await freePort();
    const databaseDir = await mkdtemp(join(tmpdir(), "starminer-gov-indexer-"));
    const indexer = await startIndexer({
      rpcUrl: live.rpcUrl,
      manifestDir: live.manifestDir,
      port,
      schema: "starminer",
      database: { pgliteDir: databaseDir },
    });
    try {
      await waitUntilSynced(indexer.url, live.rpcUrl);
      const answer = await graphql<{
        proposal: {
          status: string;
          forVotes: string;
          againstVotes: string;
          voters: number;
          votes: { items: { voter: string; support: string; reason: string }[] };
          executedActions: { items: { contract: string; function: string }[] };
        };
      }>(
        indexer.url,
        `
          query ($id: BigInt!) {
            proposal(id: $id) {
              status
              forVotes
              againstVotes
              voters
              votes {
                items {
                  voter
                  support
                  reason
                }
              }
              executedActions {
                items {
                  contract
                  function
                }
              }
            }
          }
        `,
        { id: proposalId },
      );
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      const indexed = answer.body.data!.proposal;
      expect(indexed).to.include({
        status: "Executed",
        forVotes: (10_000_000n * AMAX).toString(),
        againstVotes: (3_000_000n * AMAX).toString(),
        voters: 2,
      });
      expect(indexed.votes.items.map((v) => [v.voter.toLowerCase(), v.support, v.reason])).to.have.deep.members([
        [alice.address.toLowerCase(), "For", "providers do the work"],
        [bob.address.toLowerCase(), "Against", "too low"],
      ]);
      expect(indexed.executedActions.items).to.deep.equal([{ contract: "JobMarket", function: "setFeeSplit" }]);

      // The same over REST: the proposal with its phase, votes, Timelock operation and executed calls.
      const detail = await rest<{
        proposal: { phase: string; voters: number };
        votes: { voter: string; support: string }[];
        timelockOperation: { executedAt: string | null } | null;
        executedActions: { function: string }[];
      }>(indexer.url, `/api/governance/proposals/${proposalId}`);
      expect(detail.status).to.equal(200);
      expect(detail.body.proposal).to.include({ phase: "Executed", voters: 2 });
      expect(detail.body.votes.map((vote) => vote.support)).to.have.members(["For", "Against"]);
      expect(detail.body.timelockOperation?.executedAt).to.not.equal(null);
      expect(detail.body.executedActions.map((action) => action.function)).to.deep.equal(["setFeeSplit"]);
      const listed = await rest<{ proposals: { id: string; phase: string }[]; nextCursor: string | null }>(
        indexer.url,
        `/api/governance/proposals?status=Executed&proposer=${alice.address}`,
      );
      expect(listed.body.proposals.map((row) => [row.id, row.phase])).to.deep.equal([[proposalId, "Executed"]]);
      expect(listed.body.nextCursor).to.equal(null);
    } finally {
      await indexer.stop("SIGINT");
      await rm(databaseDir, { recursive: true, force: true });
    }
  });

  it("refuses bad input with one line, a non-zero exit and nothing sent", async () => {
    const { alice } = market.accounts;
    const file = async (name: string, content: unknown) => {
      const path = join(live.workDir, name);
      await writeFile(path, JSON.stringify(content));
      return path;
    };
    const unknownContract = await file("unknown.json", [{ contract: "Casino", function: "spin", args: {} }]);
    const missingArgument = await file("missing.json", [{ contract: "Treasury", function: "spend", args: {} }]);
    const badType = await file("bad-type.json", [
      { contract: "JobMarket", function: "setFeeSplit", args: { split: { providerBps: "lots" } } },
    ]);
    const blockBefore = await connection.ethers.provider.getBlockNumber();
    const cases: [string[], number, RegExp][] = [
      [["gov", "propose", "--actions", unknownContract, "--description", "x"], 2, /no contract "Casino"/],
      [["gov", "propose", "--actions", missingArgument, "--description", "x"], 2, /Treasury\.spend needs "token"/],
      [
        ["gov", "propose", "--actions", badType, "--description", "x"],
        2,
        /"split\.providerBps" must be a whole number/,
      ],
      [["gov", "propose", "--actions", unknownContract], 2, /--description <text> is required/],
      [["gov", "vote", "1", "maybe"], 2, /for, against or abstain/],
      [["gov", "status", "12345"], 1, /proposal 12345 does not exist/],
      [["gov", "delegate", "nobody"], 2, /delegate to an address, or "self"/],
    ];
    for (const [args, code, message] of cases) {
      const run = await starminer(alice, args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).to.equal(code);
      expect(run.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(run.stderr, args.join(" ")).to.match(message);
    }
    expect(await connection.ethers.provider.getBlockNumber(), "blocks mined").to.equal(blockBefore);
  });
});

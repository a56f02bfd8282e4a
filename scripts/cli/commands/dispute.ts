import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { type Hex, bytesToHex, zeroAddress, zeroHash } from "viem";
import { JobStatus, enumName, writeAndWait } from "@starminer/sdk";

import { type ProtocolClient, requireAccount, starminerHome } from "../../lib/client.js";
import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseJobId } from "../parse.js";
import type { Command, CommandContext } from "./context.js";

const VERDICTS = ["Pending", "Upheld", "Rejected", "NoDecision"] as const;
const time = (seconds: number | bigint) => new Date(Number(seconds) * 1_000).toISOString();

/** The job's dispute, or a one-line error when the job was never disputed. */
async function disputeOf({ args, protocol }: CommandContext, extra = 0) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1 + extra) throw new UsageError(`expected ${1 + extra} argument(s)`);
  const jobId = parseJobId(positionals[0]);
  const client = await protocol();
  if (jobId > (await client.jobMarket.read.jobCount())) throw new Error(`job ${jobId} does not exist`);
  const dispute = await client.verificationHub.read.disputeOf([jobId]);
  if (dispute.challenger === zeroAddress) throw new Error(`job ${jobId} has no dispute`);
  return { jobId, client, dispute, positionals };
}

/** `dispute status <job id>`: the dispute's parties, committee, votes, phases and verdict. */
export const disputeStatus: Command = async (context) => {
  const { jobId, client, dispute } = await disputeOf(context);
  const { out } = context;
  const jurors = await client.verificationHub.read.jurorsOf([jobId]);
  const drawn = dispute.commitEndsAt !== 0;
  out.record({
    jobId,
    kind: dispute.audit ? "audit (an auditor's result)" : "requester's challenge",
    challenger: dispute.challenger,
    bond: out.json ? dispute.bond : agpu(dispute.bond),
    round: dispute.round,
    phase: drawn ? "drawn" : `waiting for the committee's draw (after block ${dispute.drawBlock})`,
    committee: out.json ? jurors : jurors.join(" ") || "not drawn",
    commits: `${dispute.commits} of ${dispute.jurors}`,
    uphold: dispute.upholdVotes,
    reject: dispute.rejectVotes,
    commitEndsAt: drawn ? time(dispute.commitEndsAt) : null,
    votingEndsAt: drawn ? time(dispute.votingEndsAt) : null,
    appealEndsAt: dispute.appealEndsAt === 0 ? null : time(dispute.appealEndsAt),
    verdict: VERDICTS[dispute.verdict] ?? dispute.verdict,
  });
};

/** Where a juror's vote and salt are kept until the reveal: one file per chain, hub, job, round and juror. */
function votePath(client: ProtocolClient, jobId: bigint, round: number, juror: string): string {
  const name = `${client.chain.id}-${client.verificationHub.address}-${jobId}-${round}-${juror}.json`.toLowerCase();
  return join(starminerHome(), "votes", name);
}

/**
 * `dispute vote <job id> uphold|reject`: a drawn juror's vote, in two steps of the same command. While the commit
 * phase runs, it commits to the vote with a fresh salt (written to STARMINER_HOME/votes before the commitment is
 * sent, so that it cannot be lost); once the reveal phase opens, it reveals the vote it committed to.
 */
export const disputeVote: Command = async (context) => {
  const { jobId, client, dispute, positionals } = await disputeOf(context, 1);
  const choice = positionals[1]?.toLowerCase();
  if (choice !== "uphold" && choice !== "reject") {
    throw new UsageError('the vote must be "uphold" (the challenge is right) or "reject"');
  }
  const uphold = choice === "uphold";
  const me = requireAccount(client).address;
  const hub = client.verificationHub;
  if (dispute.commitEndsAt === 0) {
    throw new Error(`job ${jobId}: the committee is not drawn yet: anyone may draw it with dispute resolve ${jobId}`);
  }
  const juror = await hub.read.jurorOf([jobId, me]);
  if (!juror.drawn || juror.round !== dispute.round) {
    throw new Error(`${me} is not on the committee of job ${jobId}'s dispute (round ${dispute.round})`);
  }
  const now = (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  const path = votePath(client, jobId, dispute.round, me);
  if (juror.commitment === zeroHash) {
    if (now > BigInt(dispute.commitEndsAt))
      throw new Error(`job ${jobId}: the commit phase ended at ${time(dispute.commitEndsAt)}`);
    const salt = bytesToHex(randomBytes(32));
    await mkdir(join(starminerHome(), "votes"), { recursive: true });
    await writeFile(path, `${JSON.stringify({ uphold, salt })}\n`, { mode: 0o600 });
    const commitment = await hub.read.voteCommitment([jobId, me, uphold, salt]);
    const { receipt } = await writeAndWait(client, hub, "commitVote", [jobId, commitment]);
    context.out.record({
      jobId,
      juror: me,
      step: "committed",
      vote: choice,
      revealFrom: time(dispute.commitEndsAt),
      next: `dispute vote ${jobId} ${choice} again once the reveal phase opens`,
      transaction: receipt.transactionHash,
    });
    return;
  }
  if (juror.revealed) throw new Error(`${me} has revealed its vote on job ${jobId} already`);
  const revealOpen = now > BigInt(dispute.commitEndsAt) || dispute.commits === dispute.jurors;
  if (!revealOpen)
    throw new Error(`job ${jobId}: committed; the reveal phase opens after ${time(dispute.commitEndsAt)}`);
  let saved: { uphold: boolean; salt: Hex };
  try {
    saved = JSON.parse(await readFile(path, "utf8")) as { uphold: boolean; salt: Hex };
  } catch {
    throw new Error(
      `the salt of this vote is not in ${path}: it was committed elsewhere, and only there can be revealed`,
    );
  }
  if (saved.uphold !== uphold) {
    throw new Error(`the vote committed was "${saved.uphold ? "uphold" : "reject"}": a reveal must match it`);
  }
  const { receipt } = await writeAndWait(client, hub, "revealVote", [jobId, uphold, saved.salt]);
  context.out.record({ jobId, juror: me, step: "revealed", vote: choice, transaction: receipt.transactionHash });
};

/**
 * `dispute resolve <job id>`: moves the dispute on as anyone may: draws its committee once its draw block has
 * passed, or resolves it once the votes are in and the appeal period is over. Refused (nothing sent) when neither
 * is possible yet.
 */
export const disputeResolve: Command = async (context) => {
  const { jobId, client, dispute } = await disputeOf(context);
  const hub = client.verificationHub;
  if (dispute.commitEndsAt === 0) {
    // The draw lands in the next block at the earliest, and reads the hash of a block before it.
    const latest = await client.publicClient.getBlockNumber({ cacheTime: 0 });
    if (latest < dispute.drawBlock) {
      throw new Error(
        `job ${jobId}'s committee is drawn from the hash of block ${dispute.drawBlock}, not mined yet (the latest ` +
          `is ${latest}): try again once it is`,
      );
    }
    const { receipt } = await writeAndWait(client, hub, "drawCommittee", [jobId]);
    const redrawn = await hub.read.disputeOf([jobId]);
    if (redrawn.commitEndsAt === 0) {
      // Nobody drew while the draw block's hash was readable (256 blocks): the draw moved to the next block.
      context.out.record({
        jobId,
        step: `draw rescheduled to block ${redrawn.drawBlock}: run this again once it is mined`,
        transaction: receipt.transactionHash,
      });
      return;
    }
    const jurors = await hub.read.jurorsOf([jobId]);
    context.out.record({
      jobId,
      step: "committee drawn",
      committee: context.out.json ? jurors : jurors.join(" "),
      transaction: receipt.transactionHash,
    });
    return;
  }
  const { receipt } = await writeAndWait(client, hub, "resolveDispute", [jobId]);
  const after = await hub.read.disputeOf([jobId]);
  const status = await client.jobMarket.read.jobOf([jobId]);
  context.out.record({
    jobId,
    step: "resolved",
    verdict: VERDICTS[after.verdict] ?? after.verdict,
    jobStatus: enumName(JobStatus, status.status),
    transaction: receipt.transactionHash,
  });
};

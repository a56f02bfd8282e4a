import { type Hex, encodeAbiParameters, keccak256, zeroHash } from "viem";
import { failureResult, writeAndWait } from "@starminer/sdk";

import type { ProtocolClient } from "./client.js";

/** What a juror step did for a dispute (nothing, when the dispute needs nothing from this account now). */
export type JurorAction = "drawn" | "committed" | "revealed" | "resolved" | "none";

/**
 * The salt a juror commits its vote with: derived from a secret only the juror holds, the job and the round, so
 * that a juror who restarts can still reveal what it committed, and nobody else can guess its vote from the
 * commitment.
 */
export function jurorSalt(secret: Hex, jobId: bigint, round = 0): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }, { type: "uint8" }], [secret, jobId, round]),
  );
}

/**
 * How an honest juror who recomputed the job (`correct`) votes: for an auditor's dispute, whether the auditor's
 * claimed result is the right one; for a requester's (no claimed result), whether the accepted result is wrong.
 * Two accepted failures are the requester's own doing, whatever the recomputation says: `key-withheld` (the market
 * accepts one only when the chain shows the key was asked for in time and never released), and `decryption-failed`
 * when the requester recorded a wrap that does not open (`misreleased`: see `misreleasedSlots`).
 */
export function upholds(
  dispute: { result: Hex },
  accepted: Hex | undefined,
  correct: Hex,
  misreleased = false,
): boolean {
  if (dispute.result !== zeroHash) return dispute.result === correct;
  if (accepted === KEY_WITHHELD_RESULT || (accepted === DECRYPTION_FAILED_RESULT && misreleased)) return false;
  return accepted !== correct;
}

const KEY_WITHHELD_RESULT = failureResult("key-withheld");
const DECRYPTION_FAILED_RESULT = failureResult("decryption-failed");

/**
 * Moves a dispute one step on as far as this account may: draws the committee once its draw block has passed
 * (`keeper`: this account keeps the dispute moving), commits this juror's vote (from `decide`, asked only then),
 * reveals it once the reveal phase opens, and resolves the dispute once its votes are in and the appeal period is
 * over (`keeper` again).
 */
export async function jurorStep(
  client: ProtocolClient,
  jobId: bigint,
  options: { secret: Hex; keeper: boolean; decide: () => Promise<boolean> },
): Promise<JurorAction> {
  const hub = client.verificationHub;
  const me = client.account!.address;
  const dispute = await hub.read.disputeOf([jobId]);
  const block = await client.publicClient.getBlock({ blockTag: "latest" });
  if (dispute.commitEndsAt === 0) {
    if (!options.keeper || block.number <= dispute.drawBlock) return "none";
    await writeAndWait(client, hub, "drawCommittee", [jobId]);
    return "drawn";
  }
  const now = block.timestamp;
  const record = await hub.read.jurorOf([jobId, me]);
  // Seated on this round's committee (a juror of an earlier round, before an appeal, has nothing more to do).
  const juror = { ...record, drawn: record.drawn && record.round === dispute.round };
  const salt = jurorSalt(options.secret, jobId, dispute.round);
  if (juror.drawn && juror.commitment === zeroHash && now <= BigInt(dispute.commitEndsAt)) {
    const uphold = await options.decide();
    await writeAndWait(client, hub, "commitVote", [jobId, await hub.read.voteCommitment([jobId, me, uphold, salt])]);
    return "committed";
  }
  const revealOpen = now > BigInt(dispute.commitEndsAt) || dispute.commits === dispute.jurors;
  if (juror.drawn && juror.commitment !== zeroHash && !juror.revealed && revealOpen) {
    if (now > BigInt(dispute.votingEndsAt)) return "none";
    for (const uphold of [true, false]) {
      if ((await hub.read.voteCommitment([jobId, me, uphold, salt])) !== juror.commitment) continue;
      await writeAndWait(client, hub, "revealVote", [jobId, uphold, salt]);
      return "revealed";
    }
    return "none";
  }
  const allRevealed = dispute.upholdVotes + dispute.rejectVotes === dispute.jurors;
  const votesIn = allRevealed || now > BigInt(dispute.votingEndsAt);
  if (!options.keeper || !votesIn) return "none";
  // Resolvable once the appeal period is over, or at once when the committee is as large as appeals go (the
  // largest committee is read only here, when it can matter).
  const appealable =
    now <= BigInt(dispute.appealEndsAt) &&
    BigInt(dispute.committeeSize * 2 + 1) <= (await hub.read.MAX_COMMITTEE_SIZE());
  if (appealable) return "none";
  await writeAndWait(client, hub, "resolveDispute", [jobId]);
  return "resolved";
}

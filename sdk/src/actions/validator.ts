import { type Hex, keccak256, toHex } from "viem";

import { verificationHubAbi } from "../abis/VerificationHub.js";
import type { StarMinerClient } from "../client.js";
import { contractAddress } from "../deployment.js";
import { accountOf, writeAndWait } from "../transactions.js";

const hub = (client: Pick<StarMinerClient, "deployment">) => ({
  address: contractAddress(client.deployment, "VerificationHub"),
  abi: verificationHubAbi,
});

/** Joins the pool committees are drawn from (a registered, staked validator). */
export async function joinPool(client: StarMinerClient) {
  return writeAndWait(client, hub(client), "joinPool", []);
}

/**
 * Commits a juror's vote on a disputed job, hidden until the reveal period. Returns the salt: keep it, the reveal
 * needs it.
 */
export async function commitVote(
  client: StarMinerClient,
  parameters: { jobId: bigint; uphold: boolean; salt?: Hex },
): Promise<{ salt: Hex; commitment: Hex }> {
  const salt = parameters.salt ?? keccak256(toHex(globalThis.crypto.getRandomValues(new Uint8Array(32))));
  const target = hub(client);
  const commitment = await client.publicClient.readContract({
    ...target,
    functionName: "voteCommitment",
    args: [parameters.jobId, accountOf(client).address, parameters.uphold, salt],
  });
  await writeAndWait(client, target, "commitVote", [parameters.jobId, commitment]);
  return { salt, commitment };
}

/** Reveals a committed vote. */
export async function revealVote(client: StarMinerClient, parameters: { jobId: bigint; uphold: boolean; salt: Hex }) {
  return writeAndWait(client, hub(client), "revealVote", [parameters.jobId, parameters.uphold, parameters.salt]);
}

/** Draws the committee of a disputed job once its draw block has passed (anyone may). */
export async function drawCommittee(client: StarMinerClient, jobId: bigint) {
  return writeAndWait(client, hub(client), "drawCommittee", [jobId]);
}

/** Resolves a dispute whose votes are in or whose periods have passed (anyone may). */
export async function resolveDispute(client: StarMinerClient, jobId: bigint) {
  return writeAndWait(client, hub(client), "resolveDispute", [jobId]);
}

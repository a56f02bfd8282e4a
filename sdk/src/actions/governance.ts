import { type Hex, keccak256, parseEventLogs, toHex } from "viem";

import { amaxAbi } from "../abis/AMAX.js";
import { amaxGovernorAbi } from "../abis/AMAXGovernor.js";
import type { StarMinerClient } from "../client.js";
import { StarMinerError } from "../client-error.js";
import { contractAddress } from "../deployment.js";
import type { EncodedAction } from "../governance-actions.js";
import { writeAndWait } from "../transactions.js";

/** A Governor proposal's states, as `IGovernor.ProposalState` numbers them. */
export const ProposalState = {
  Pending: 0,
  Active: 1,
  Canceled: 2,
  Defeated: 3,
  Succeeded: 4,
  Queued: 5,
  Expired: 6,
  Executed: 7,
} as const;

/** How a vote is cast (GovernorCountingSimple). */
export const VoteType = { Against: 0, For: 1, Abstain: 2 } as const;

const governor = (client: Pick<StarMinerClient, "deployment">) => ({
  address: contractAddress(client.deployment, "AMAXGovernor"),
  abi: amaxGovernorAbi,
});

/** A proposal as the Governor identifies it: its actions and its description (hashed). */
export interface Proposal {
  readonly actions: readonly EncodedAction[];
  readonly description: string;
}

const proposalArgs = ({ actions, description }: Proposal) =>
  [
    actions.map((a) => a.target),
    actions.map((a) => a.value),
    actions.map((a) => a.calldata),
    keccak256(toHex(description)),
  ] as const;

/** Delegates the client's AMAX votes (to itself by default): AMAX counts in votes only once delegated. */
export async function delegateVotes(client: StarMinerClient, delegatee: Hex) {
  const amax = { address: contractAddress(client.deployment, "AMAX"), abi: amaxAbi };
  return writeAndWait(client, amax, "delegate", [delegatee]);
}

/** Proposes `actions` (see {@link encodeActions}) with `description`; returns the proposal's id and voting period. */
export async function propose(client: StarMinerClient, proposal: Proposal) {
  const { actions, description } = proposal;
  if (actions.length === 0) throw new StarMinerError("a proposal needs at least one action");
  const { hash, receipt } = await writeAndWait(client, governor(client), "propose", [
    actions.map((a) => a.target),
    actions.map((a) => a.value),
    actions.map((a) => a.calldata),
    description,
  ]);
  const [created] = parseEventLogs({ abi: amaxGovernorAbi, eventName: "ProposalCreated", logs: receipt.logs });
  if (created === undefined) throw new StarMinerError(`transaction ${hash} created no proposal`);
  const { proposalId, voteStart, voteEnd } = created.args;
  return { proposalId, voteStart, voteEnd, hash, receipt };
}

/** Votes on an active proposal: `VoteType.For`, `Against` or `Abstain`, with an optional reason. */
export async function castVote(
  client: StarMinerClient,
  parameters: { proposalId: bigint; support: (typeof VoteType)[keyof typeof VoteType]; reason?: string },
) {
  const { proposalId, support, reason = "" } = parameters;
  return writeAndWait(client, governor(client), "castVoteWithReason", [proposalId, support, reason]);
}

/** Queues a succeeded proposal in the Timelock; it is executable after the Timelock's delay. */
export async function queueProposal(client: StarMinerClient, proposal: Proposal) {
  return writeAndWait(client, governor(client), "queue", proposalArgs(proposal));
}

/** Executes a queued proposal whose Timelock delay has passed. */
export async function executeProposal(client: StarMinerClient, proposal: Proposal) {
  return writeAndWait(client, governor(client), "execute", proposalArgs(proposal));
}

/** A proposal's state by name (`"Active"`, `"Queued"`, ...). */
export async function proposalState(
  client: Pick<StarMinerClient, "publicClient" | "deployment">,
  proposalId: bigint,
): Promise<keyof typeof ProposalState> {
  const state = await client.publicClient.readContract({
    ...governor(client),
    functionName: "state",
    args: [proposalId],
  });
  const name = (Object.keys(ProposalState) as (keyof typeof ProposalState)[]).find(
    (key) => ProposalState[key] === state,
  );
  if (name === undefined) throw new StarMinerError(`the Governor answered an unknown state ${state}`);
  return name;
}

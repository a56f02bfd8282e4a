import { governanceAction, proposal, proposalVote, timelockOperation } from "ponder:schema";
import {
  type Abi,
  type Address,
  type Hex,
  decodeFunctionData,
  encodeAbiParameters,
  keccak256,
  pad,
  toHex,
  zeroHash,
} from "viem";

import config, { homeAddress } from "../../ponder.config";
import type { Handlers } from "../lib/handler";

const SUPPORT = ["Against", "For", "Abstain"] as const;

/** The protocol contract at `target` and the function `calldata` calls on it, when it is one of ours. */
function describeCall(target: Address, calldata: Hex): { contract: string | null; function: string | null } {
  for (const [name, entry] of Object.entries(config.contracts)) {
    if (homeAddress(name as keyof typeof config.contracts)?.toLowerCase() !== target.toLowerCase()) continue;
    try {
      const { functionName } = decodeFunctionData({ abi: entry.abi as Abi, data: calldata });
      return { contract: name, function: functionName };
    } catch {
      return { contract: name, function: null };
    }
  }
  return { contract: null, function: null };
}

/**
 * The Timelock operation GovernorTimelockControl schedules for a proposal: a batch with no predecessor, salted with
 * the Governor's address XOR the description's hash.
 */
function operationIdOf(
  governor: Address,
  actions: { target: Address; value: string; calldata: Hex }[],
  descriptionHash: Hex,
) {
  const salt = toHex(BigInt(pad(governor, { dir: "right", size: 32 })) ^ BigInt(descriptionHash), { size: 32 });
  return keccak256(
    encodeAbiParameters(
      [{ type: "address[]" }, { type: "uint256[]" }, { type: "bytes[]" }, { type: "bytes32" }, { type: "bytes32" }],
      [
        actions.map((a) => a.target),
        actions.map((a) => BigInt(a.value)),
        actions.map((a) => a.calldata),
        zeroHash,
        salt,
      ],
    ),
  );
}

/** Proposals, votes, the Timelock's operations and the calls it executed. */
export const governanceHandlers: Handlers = {
  "AMAXGovernor:ProposalCreated": async ({ event, context }) => {
    const { proposalId, proposer, targets, values, calldatas, voteStart, voteEnd, description } = event.args;
    const actions = targets.map((target, i) => ({
      target,
      value: (values[i] ?? 0n).toString(),
      calldata: calldatas[i] ?? "0x",
      ...describeCall(target, calldatas[i] ?? "0x"),
    }));
    await context.db.insert(proposal).values({
      id: proposalId,
      proposer,
      description,
      actions,
      voteStart,
      voteEnd,
      status: "Proposed",
      forVotes: 0n,
      againstVotes: 0n,
      abstainVotes: 0n,
      voters: 0,
      proposedAt: event.block.timestamp,
      txHash: event.transaction.hash,
    });
  },
  "AMAXGovernor:VoteCast": async ({ event, context }) => {
    const { voter, proposalId, support, weight, reason } = event.args;
    const side = SUPPORT[support];
    if (side === undefined) throw new Error(`unknown vote type ${support}: the indexer is older than the Governor`);
    await context.db.insert(proposalVote).values({
      id: `${proposalId}-${voter}`,
      proposalId,
      voter,
      support: side,
      weight,
      reason,
      timestamp: event.block.timestamp,
      txHash: event.transaction.hash,
    });
    await context.db.update(proposal, { id: proposalId }).set((row) => ({
      forVotes: row.forVotes + (side === "For" ? weight : 0n),
      againstVotes: row.againstVotes + (side === "Against" ? weight : 0n),
      abstainVotes: row.abstainVotes + (side === "Abstain" ? weight : 0n),
      voters: row.voters + 1,
    }));
  },
  "AMAXGovernor:ProposalQueued": async ({ event, context }) => {
    const { proposalId, etaSeconds } = event.args;
    const row = await context.db.find(proposal, { id: proposalId });
    if (row === null) throw new Error(`proposal ${proposalId} was queued but never created`);
    await context.db
      .update(proposal, { id: proposalId })
      .set({ status: "Queued", eta: etaSeconds, queuedAt: event.block.timestamp });
    const actions = row.actions as { target: Address; value: string; calldata: Hex }[];
    const operationId = operationIdOf(event.log.address, actions, keccak256(toHex(row.description)));
    await context.db.update(timelockOperation, { id: operationId }).set({ proposalId });
  },
  "AMAXGovernor:ProposalExecuted": async ({ event, context }) => {
    await context.db
      .update(proposal, { id: event.args.proposalId })
      .set({ status: "Executed", executedAt: event.block.timestamp });
  },
  "AMAXGovernor:ProposalCanceled": async ({ event, context }) => {
    await context.db
      .update(proposal, { id: event.args.proposalId })
      .set({ status: "Canceled", canceledAt: event.block.timestamp });
  },
  "ProtocolTimelock:CallScheduled": async ({ event, context }) => {
    const { id, delay } = event.args;
    await context.db
      .insert(timelockOperation)
      .values({ id, calls: 1, scheduledAt: event.block.timestamp, readyAt: event.block.timestamp + delay })
      .onConflictDoUpdate((row) => ({ calls: row.calls + 1 }));
  },
  "ProtocolTimelock:CallExecuted": async ({ event, context }) => {
    const { id, index, target, value, data } = event.args;
    const operation = await context.db.find(timelockOperation, { id });
    await context.db.update(timelockOperation, { id }).set({ executedAt: event.block.timestamp });
    await context.db.insert(governanceAction).values({
      id: `${id}-${index}`,
      timelockOperationId: id,
      index: Number(index),
      target,
      value,
      calldata: data,
      ...describeCall(target, data),
      proposalId: operation?.proposalId ?? null,
      timestamp: event.block.timestamp,
      txHash: event.transaction.hash,
    });
  },
  "ProtocolTimelock:Cancelled": async ({ event, context }) => {
    await context.db.update(timelockOperation, { id: event.args.id }).set({ cancelledAt: event.block.timestamp });
  },
};

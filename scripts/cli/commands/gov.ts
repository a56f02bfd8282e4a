import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { type Address, type Hex, formatEther, isAddress, keccak256, parseEventLogs, toHex } from "viem";

import { encodeActions } from "../../lib/actions.js";
import { type ProtocolClient, requireAccount } from "../../lib/client.js";
import { ProposalState, VoteType } from "../../lib/governance.js";
import { enumName } from "../../lib/market.js";
import { send } from "../../lib/transactions.js";
import { UsageError } from "../errors.js";
import type { Command, CommandContext } from "./context.js";

const SUPPORT: Record<string, number> = { for: VoteType.For, against: VoteType.Against, abstain: VoteType.Abstain };

const time = (seconds: bigint | number) => new Date(Number(seconds) * 1_000).toISOString();
const amax = (wei: bigint) => `${formatEther(wei)} AMAX`;

function parseProposalId(value: string | undefined): bigint {
  if (value === undefined) throw new UsageError("a proposal id is required");
  if (!/^\d{1,78}$/.test(value)) throw new UsageError(`a proposal id is a whole number; got "${value}"`);
  return BigInt(value);
}

/** A proposal as it was created: its calls and description, from its ProposalCreated event. */
async function createdProposal(client: ProtocolClient, proposalId: bigint) {
  const events = await client.governor.getEvents.ProposalCreated({
    fromBlock: BigInt(client.manifest.contracts.AMAXGovernor?.startBlock ?? 0),
    toBlock: "latest",
  });
  const created = events.find((event) => event.args.proposalId === proposalId);
  if (created === undefined) throw new Error(`proposal ${proposalId} does not exist`);
  const { targets, values, calldatas, description, proposer, voteStart, voteEnd } = created.args;
  return {
    targets: targets!,
    values: values!,
    calldatas: calldatas!,
    description: description!,
    descriptionHash: keccak256(toHex(description!)),
    proposer: proposer!,
    voteStart: voteStart!,
    voteEnd: voteEnd!,
  };
}

/** `gov propose --actions <file.json> --description <text>`: proposes the actions; prints the proposal's id. */
export const govPropose: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({ args, options: { actions: { type: "string" }, description: { type: "string" } } });
  if (values.actions === undefined) throw new UsageError("--actions <file.json> is required");
  if (values.description === undefined || values.description.trim() === "") {
    throw new UsageError("--description <text> is required: it is what voters read");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(values.actions, "utf8"));
  } catch {
    throw new UsageError(`cannot read ${values.actions} as JSON`);
  }
  const client = await protocol();
  let actions;
  try {
    actions = encodeActions(client.manifest, raw);
  } catch (error) {
    throw new UsageError(`${values.actions}: ${(error as Error).message}`);
  }
  const { receipt } = await send(client, client.governor, "propose", [
    actions.map((a) => a.target),
    actions.map((a) => a.value),
    actions.map((a) => a.calldata),
    values.description,
  ]);
  const [created] = parseEventLogs({ abi: client.governor.abi, logs: receipt.logs, eventName: "ProposalCreated" });
  if (created === undefined) throw new Error("the proposal emitted no ProposalCreated event");
  out.record({
    proposalId: created.args.proposalId,
    actions: out.json ? actions.map((a) => a.label) : actions.map((a) => a.label).join(", "),
    voteStart: time(created.args.voteStart),
    voteEnd: time(created.args.voteEnd),
    transaction: receipt.transactionHash,
  });
};

/**
 * `gov vote <id> for|against|abstain [--reason <text>]`, and by signature: `--sign-only` prints the voter's
 * signature and sends nothing; `--signature <0x...> --voter <address>` relays someone's signed vote (any account
 * pays the gas; the vote is the signer's).
 */
export const govVote: Command = async ({ args, out, protocol }) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      reason: { type: "string", default: "" },
      "sign-only": { type: "boolean", default: false },
      signature: { type: "string" },
      voter: { type: "string" },
    },
  });
  const proposalId = parseProposalId(positionals[0]);
  const support = SUPPORT[(positionals[1] ?? "").toLowerCase()];
  if (support === undefined) throw new UsageError("the vote must be for, against or abstain");
  if ((values.signature === undefined) !== (values.voter === undefined)) {
    throw new UsageError("--signature and --voter go together");
  }
  if (values.voter !== undefined && !isAddress(values.voter)) throw new UsageError("--voter must be an address");
  if (values.signature !== undefined && !/^0x[0-9a-fA-F]{130}$/.test(values.signature)) {
    throw new UsageError("--signature must be a 65-byte signature in 0x-hex");
  }
  const client = await protocol();
  const state = await client.governor.read.state([proposalId]).catch(() => {
    throw new Error(`proposal ${proposalId} does not exist`);
  });
  if (state !== ProposalState.Active && !values["sign-only"]) {
    throw new Error(`proposal ${proposalId} is ${enumName(ProposalState, state)}: votes are taken while it is Active`);
  }

  if (values["sign-only"]) {
    const account = requireAccount(client);
    if (account.signTypedData === undefined) throw new Error("this account cannot sign typed data");
    const voter = account.address;
    const nonce = await client.governor.read.nonces([voter]);
    const domain = {
      name: await client.governor.read.name(),
      version: await client.governor.read.version(),
      chainId: client.chain.id,
      verifyingContract: client.governor.address,
    };
    const signature =
      values.reason === ""
        ? await account.signTypedData({
            domain,
            primaryType: "Ballot",
            types: {
              Ballot: [
                { name: "proposalId", type: "uint256" },
                { name: "support", type: "uint8" },
                { name: "voter", type: "address" },
                { name: "nonce", type: "uint256" },
              ],
            },
            message: { proposalId, support, voter, nonce },
          })
        : await account.signTypedData({
            domain,
            primaryType: "ExtendedBallot",
            types: {
              ExtendedBallot: [
                { name: "proposalId", type: "uint256" },
                { name: "support", type: "uint8" },
                { name: "voter", type: "address" },
                { name: "nonce", type: "uint256" },
                { name: "reason", type: "string" },
                { name: "params", type: "bytes" },
              ],
            },
            message: { proposalId, support, voter, nonce, reason: values.reason, params: "0x" },
          });
    out.record({ proposalId, voter, support: positionals[1]!.toLowerCase(), reason: values.reason, signature });
    return;
  }

  const { receipt } =
    values.signature === undefined
      ? await send(client, client.governor, "castVoteWithReason", [proposalId, support, values.reason])
      : values.reason === ""
        ? await send(client, client.governor, "castVoteBySig", [
            proposalId,
            support,
            values.voter as Address,
            values.signature as Hex,
          ])
        : await send(client, client.governor, "castVoteWithReasonAndParamsBySig", [
            proposalId,
            support,
            values.voter as Address,
            values.reason,
            "0x",
            values.signature as Hex,
          ]);
  const [cast] = parseEventLogs({ abi: client.governor.abi, logs: receipt.logs, eventName: "VoteCast" });
  out.record({
    proposalId,
    voter: cast?.args.voter ?? values.voter,
    support: positionals[1]!.toLowerCase(),
    weight: cast === undefined ? null : out.json ? cast.args.weight : amax(cast.args.weight),
    transaction: receipt.transactionHash,
  });
};

async function lifecycle(context: CommandContext, step: "queue" | "execute") {
  const { positionals } = parseArgs({ args: context.args, allowPositionals: true, options: {} });
  const proposalId = parseProposalId(positionals[0]);
  const client = await context.protocol();
  const p = await createdProposal(client, proposalId);
  const { receipt } = await send(client, client.governor, step, [p.targets, p.values, p.calldatas, p.descriptionHash]);
  const state = await client.governor.read.state([proposalId]);
  const eta = await client.governor.read.proposalEta([proposalId]);
  context.out.record({
    proposalId,
    state: enumName(ProposalState, state),
    ...(step === "queue" ? { executableFrom: time(eta) } : {}),
    transaction: receipt.transactionHash,
  });
}

/** `gov queue <id>`: queues a passed proposal in the Timelock. */
export const govQueue: Command = (context) => lifecycle(context, "queue");

/** `gov execute <id>`: executes a queued proposal once the Timelock's delay is over. */
export const govExecute: Command = (context) => lifecycle(context, "execute");

/** `gov status <id>`: the proposal's state, tallies against the quorum, timing and calls. */
export const govStatus: Command = async ({ args, out, protocol }) => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const proposalId = parseProposalId(positionals[0]);
  const client = await protocol();
  const p = await createdProposal(client, proposalId);
  const { governor } = client;
  const [against, forVotes, abstain] = await governor.read.proposalVotes([proposalId]);
  const quorum = await governor.read.quorum([p.voteStart]);
  const eta = await governor.read.proposalEta([proposalId]);
  const show = (wei: bigint) => (out.json ? wei : amax(wei));
  out.record({
    proposalId,
    state: enumName(ProposalState, await governor.read.state([proposalId])),
    description: p.description,
    proposer: p.proposer,
    for: show(forVotes),
    against: show(against),
    abstain: show(abstain),
    quorum: show(quorum),
    voteStart: time(p.voteStart),
    voteEnd: time(p.voteEnd),
    executableFrom: eta === 0n ? null : time(eta),
    calls: out.json ? p.targets.map((target, i) => ({ target, calldata: p.calldatas[i] })) : p.targets.length,
  });
};

/** `gov delegate <address|self>`: delegates the account's AMAX votes (to itself to vote with them). */
export const govDelegate: Command = async ({ args, out, protocol }) => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const to = positionals[0];
  if (to === undefined || (to !== "self" && !isAddress(to))) {
    throw new UsageError('delegate to an address, or "self" to vote with your own AMAX');
  }
  const client = await protocol();
  const account = requireAccount(client);
  const delegatee = to === "self" ? account.address : (to as Address);
  const { receipt } = await send(client, client.amax, "delegate", [delegatee]);
  out.record({
    delegator: account.address,
    delegatee,
    votes: out.json ? await client.amax.read.getVotes([delegatee]) : amax(await client.amax.read.getVotes([delegatee])),
    transaction: receipt.transactionHash,
  });
};

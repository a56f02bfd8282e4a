import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { type Address, type Hex, formatEther, keccak256, parseEventLogs, toHex } from "viem";
import { ProposalState, VoteType, encodeActions, enumName, writeAndWait } from "@starminer/sdk";

import { type ProtocolClient, requireAccount } from "../../lib/client.js";
import { UsageError } from "../errors.js";
import { parseAddress, parseInteger } from "../parse.js";
import type { Command, CommandContext } from "./context.js";

const SUPPORT: Record<string, number> = { for: VoteType.For, against: VoteType.Against, abstain: VoteType.Abstain };

const time = (seconds: bigint | number) => new Date(Number(seconds) * 1_000).toISOString();
const amax = (wei: bigint) => `${formatEther(wei)} AMAX`;

/** A proposal's short id, as `gov list` shows it: the first eight hex digits of its id. */
export const shortProposalId = (proposalId: bigint) => `0x${proposalId.toString(16).padStart(64, "0").slice(0, 8)}`;

/** Every proposal's ProposalCreated event, oldest first. */
async function proposalsCreated(client: ProtocolClient) {
  return client.governor.getEvents.ProposalCreated({
    fromBlock: BigInt(client.manifest.contracts.AMAXGovernor?.startBlock ?? 0),
    toBlock: "latest",
  });
}

/**
 * A proposal id as given: the whole id in decimal (as the Governor numbers it), or a hex prefix of at least six
 * digits (the short id `gov list` shows), which must name exactly one proposal.
 */
async function parseProposalId(client: () => Promise<ProtocolClient>, value: string | undefined): Promise<bigint> {
  if (value === undefined) throw new UsageError("a proposal id is required");
  if (/^\d{1,78}$/.test(value)) return BigInt(value);
  if (!/^0x[0-9a-fA-F]{6,64}$/.test(value)) {
    throw new UsageError(`a proposal id is its decimal id or a short id such as 0x1a2b3c4d; got "${value}"`);
  }
  const prefix = value.slice(2).toLowerCase();
  const matches = (await proposalsCreated(await client()))
    .map((event) => event.args.proposalId!)
    .filter((id) => id.toString(16).padStart(64, "0").startsWith(prefix));
  if (matches.length === 0) throw new Error(`no proposal's id starts with ${value}`);
  if (matches.length > 1) throw new UsageError(`${value} names ${matches.length} proposals: give more digits`);
  return matches[0]!;
}

/** A proposal as it was created: its calls and description, from its ProposalCreated event. */
async function createdProposal(client: ProtocolClient, proposalId: bigint) {
  const events = await proposalsCreated(client);
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
    actions = encodeActions(client.manifest.contracts, raw);
  } catch (error) {
    throw new UsageError(`${values.actions}: ${(error as Error).message}`);
  }
  const { receipt } = await writeAndWait(client, client.governor, "propose", [
    actions.map((a) => a.target),
    actions.map((a) => a.value),
    actions.map((a) => a.calldata),
    values.description,
  ]);
  const [created] = parseEventLogs({ abi: client.governor.abi, logs: receipt.logs, eventName: "ProposalCreated" });
  if (created === undefined) throw new Error("the proposal emitted no ProposalCreated event");
  out.record({
    proposalId: created.args.proposalId,
    shortId: shortProposalId(created.args.proposalId),
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
  const support = SUPPORT[(positionals[1] ?? "").toLowerCase()];
  if (support === undefined) throw new UsageError("the vote must be for, against or abstain");
  if ((values.signature === undefined) !== (values.voter === undefined)) {
    throw new UsageError("--signature and --voter go together");
  }
  if (values.voter !== undefined) parseAddress("--voter", values.voter);
  if (values.signature !== undefined && !/^0x[0-9a-fA-F]{130}$/.test(values.signature)) {
    throw new UsageError("--signature must be a 65-byte signature in 0x-hex");
  }
  const client = await protocol();
  const proposalId = await parseProposalId(protocol, positionals[0]);
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
      ? await writeAndWait(client, client.governor, "castVoteWithReason", [proposalId, support, values.reason])
      : values.reason === ""
        ? await writeAndWait(client, client.governor, "castVoteBySig", [
            proposalId,
            support,
            values.voter as Address,
            values.signature as Hex,
          ])
        : await writeAndWait(client, client.governor, "castVoteWithReasonAndParamsBySig", [
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
  const client = await context.protocol();
  const proposalId = await parseProposalId(context.protocol, positionals[0]);
  const p = await createdProposal(client, proposalId);
  const { receipt } = await writeAndWait(client, client.governor, step, [
    p.targets,
    p.values,
    p.calldatas,
    p.descriptionHash,
  ]);
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
  const client = await protocol();
  const proposalId = await parseProposalId(protocol, positionals[0]);
  const p = await createdProposal(client, proposalId);
  const { governor } = client;
  const [against, forVotes, abstain] = await governor.read.proposalVotes([proposalId]);
  // The quorum is fixed at the vote's start; before then (a Pending proposal) it can only be estimated from the
  // supply of the last past timepoint, which is what the Governor would read at the start if nothing changes.
  const clock = await governor.read.clock();
  const pending = BigInt(p.voteStart) >= BigInt(clock);
  const quorum = await governor.read.quorum([pending ? BigInt(clock) - 1n : BigInt(p.voteStart)]);
  const eta = await governor.read.proposalEta([proposalId]);
  const show = (wei: bigint) => (out.json ? wei : amax(wei));
  out.record({
    proposalId,
    shortId: shortProposalId(proposalId),
    state: enumName(ProposalState, await governor.read.state([proposalId])),
    description: p.description,
    proposer: p.proposer,
    for: show(forVotes),
    against: show(against),
    abstain: show(abstain),
    quorum: out.json ? quorum : `${amax(quorum)}${pending ? " (estimated: the vote has not started)" : ""}`,
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
  if (to === undefined || (to !== "self" && !to.startsWith("0x"))) {
    throw new UsageError('delegate to an address, or "self" to vote with your own AMAX');
  }
  const named = to === "self" ? undefined : parseAddress("the delegatee", to);
  const client = await protocol();
  const account = requireAccount(client);
  const delegatee = named ?? account.address;
  const { receipt } = await writeAndWait(client, client.amax, "delegate", [delegatee]);
  out.record({
    delegator: account.address,
    delegatee,
    votes: out.json ? await client.amax.read.getVotes([delegatee]) : amax(await client.amax.read.getVotes([delegatee])),
    transaction: receipt.transactionHash,
  });
};

/** `gov list [--limit <n>]`: proposals, newest first: short id, state, votes and description's first line. */
export const govList: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({ args, options: { limit: { type: "string", default: "20" } } });
  const limit = parseInteger("limit", values.limit, 1, 1_000);
  const client = await protocol();
  const created = (await proposalsCreated(client)).reverse().slice(0, limit);
  const rows = await Promise.all(
    created.map(async ({ args: proposal }) => {
      const id = proposal.proposalId!;
      const [state, [against, forVotes, abstain]] = await Promise.all([
        client.governor.read.state([id]),
        client.governor.read.proposalVotes([id]),
      ]);
      const show = (wei: bigint) => (out.json ? wei : formatEther(wei));
      return {
        id: shortProposalId(id),
        ...(out.json ? { proposalId: id } : {}),
        state: enumName(ProposalState, state),
        for: show(forVotes),
        against: show(against),
        abstain: show(abstain),
        voteEnd: time(proposal.voteEnd!),
        description: out.json ? proposal.description : proposal.description!.split("\n")[0]!.slice(0, 60),
      };
    }),
  );
  out.table(rows, ["id", "state", "for", "against", "abstain", "voteEnd", "description"]);
};

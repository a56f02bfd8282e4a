import { parseArgs } from "node:util";

import { type Address, erc20Abi, formatEther, parseEventLogs } from "viem";
import { writeAndWait } from "@starminer/sdk";

import { type ProtocolClient, requireAccount } from "../../lib/client.js";
import { UsageError } from "../errors.js";
import { parseAddress, parseAgpu } from "../parse.js";
import type { Command } from "./context.js";

type Symbol = "AGPU" | "AMAX";

function parseToken(value: string): Symbol {
  const symbol = value.toUpperCase();
  if (symbol !== "AGPU" && symbol !== "AMAX") throw new UsageError(`--token must be agpu or amax; got "${value}"`);
  return symbol;
}

const tokenOf = (client: ProtocolClient, symbol: Symbol) => (symbol === "AGPU" ? client.agpu : client.amax);
const units = (wei: bigint, symbol: string) => `${formatEther(wei)} ${symbol}`;

/** An address argument, `me` or nothing for the signing key's, or a contract of the deployment by its name. */
function addressOf(client: ProtocolClient, name: string, value: string | undefined): Address {
  if (value === undefined || value === "me") {
    if (client.account === undefined) {
      throw new UsageError(`${name}: give an address, or set a key (STARMINER_PRIVATE_KEY) to mean its own`);
    }
    return client.account.address;
  }
  const contract = client.manifest.contracts[value];
  if (contract !== undefined) return contract.address;
  if (!value.startsWith("0x")) {
    throw new UsageError(
      `${name}: "${value}" is neither an address nor a contract of the deployment ` +
        `(${Object.keys(client.manifest.contracts).join(", ")})`,
    );
  }
  return parseAddress(name, value);
}

/** `token balance [<address>]`: AGPU, AMAX (and its votes) and ETH. */
export const tokenBalance: Command = async ({ args, out, protocol }) => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError(`one address expected, got ${positionals.length} arguments`);
  const client = await protocol();
  const holder = addressOf(client, "the holder", positionals[0]);
  const [agpu, amax, votes, eth] = await Promise.all([
    client.agpu.read.balanceOf([holder]),
    client.amax.read.balanceOf([holder]),
    client.amax.read.getVotes([holder]),
    client.publicClient.getBalance({ address: holder }),
  ]);
  out.record(
    out.json
      ? { address: holder, agpu, amax, amaxVotes: votes, eth }
      : {
          address: holder,
          AGPU: units(agpu, "AGPU"),
          AMAX: units(amax, "AMAX"),
          "AMAX votes": units(votes, "AMAX"),
          ETH: units(eth, "ETH"),
        },
  );
};

/** `token allowance <spender> [--owner <address>] [--token agpu|amax]` */
export const tokenAllowance: Command = async ({ args, out, protocol }) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { owner: { type: "string" }, token: { type: "string", default: "agpu" } },
  });
  if (positionals.length !== 1) throw new UsageError("give the spender: an address or a contract name (JobMarket)");
  const symbol = parseToken(values.token);
  const client = await protocol();
  const spender = addressOf(client, "the spender", positionals[0]);
  const owner = addressOf(client, "--owner", values.owner);
  const allowance = await tokenOf(client, symbol).read.allowance([owner, spender]);
  out.record({ token: symbol, owner, spender, allowance: out.json ? allowance : units(allowance, symbol) });
};

/** `token transfer <to> <amount> [--token agpu|amax]`: refused before sending when the balance is short. */
export const tokenTransfer: Command = async ({ args, out, protocol }) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { token: { type: "string", default: "agpu" } },
  });
  if (positionals.length !== 2) throw new UsageError("give the recipient and the amount: transfer <to> <amount>");
  const symbol = parseToken(values.token);
  const to = parseAddress("the recipient", positionals[0]);
  const amount = parseAgpu("the amount", positionals[1]);
  const client = await protocol();
  const account = requireAccount(client);
  const token = tokenOf(client, symbol);
  const balance = await token.read.balanceOf([account.address]);
  if (balance < amount) {
    throw new Error(`${account.address} holds ${units(balance, symbol)}, less than ${units(amount, symbol)}`);
  }
  const { receipt } =
    symbol === "AGPU"
      ? await writeAndWait(client, client.agpu, "transfer", [to, amount])
      : await writeAndWait(client, client.amax, "transfer", [to, amount]);
  const [moved] = parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: "Transfer" });
  out.record({
    token: symbol,
    from: account.address,
    to,
    amount: out.json ? (moved?.args.value ?? amount) : units(moved?.args.value ?? amount, symbol),
    transaction: receipt.transactionHash,
  });
};

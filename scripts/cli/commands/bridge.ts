import { join } from "node:path";
import { parseArgs } from "node:util";

import { type Hash, getAddress, hashTypedData, isAddress, isHash, parseEventLogs, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { writeAndWait } from "@starminer/sdk";

import { type ClientConfig, requireAccount, starminerHome } from "../../lib/client.js";
import {
  type BridgeSide,
  GatewayMode,
  connectBridgeSide,
  refundTypedData,
  sentTransfer,
} from "../../lib/bridge/gateway.js";
import { gatherSignatures } from "../../lib/bridge/quorum.js";
import { BridgeRelayer, type RelayEvent } from "../../lib/bridge/relayer.js";
import { startValidatorService } from "../../lib/bridge/validator.js";
import { sleep } from "../../lib/sleep.js";
import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseAgpu, parseInteger } from "../parse.js";
import type { Command } from "./context.js";

const sideOf = (config: ClientConfig, rpcUrl = config.rpcUrl) =>
  connectBridgeSide(rpcUrl, {
    ...(config.privateKey === undefined ? {} : { privateKey: config.privateKey }),
    ...(config.manifestDir === undefined ? {} : { manifestDir: config.manifestDir }),
  });

/**
 * `bridge transfer <destinationChainId> <recipient> <AGPU> [--wait <destination RPC URL>] [--timeout-seconds <s>]`
 *
 * Sends AGPU from this chain's gateway: at home it is locked (after an approval), on a remote chain BridgedAGPU is
 * burnt. A destination the gateway is not paired with, a short balance or an amount over the period's outgoing
 * limit is refused before anything is sent. With `--wait`, it waits until the transfer is completed there.
 */
export const bridgeTransfer: Command = async ({ args, config, out }) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { wait: { type: "string" }, "timeout-seconds": { type: "string", default: "300" } },
  });
  const [destinationText, recipient, amountText] = positionals;
  const destinationChainId = BigInt(parseInteger("the destination chain id", destinationText, 1));
  if (recipient === undefined || !isAddress(recipient)) {
    throw new UsageError(`the recipient must be an address; got "${recipient ?? ""}"`);
  }
  const amount = parseAgpu("the amount", amountText);
  const timeoutMs = parseInteger("timeout-seconds", values["timeout-seconds"], 1, 86_400) * 1_000;

  const source = await sideOf(config);
  const account = requireAccount(source);
  if ((await source.gateway.read.counterpartOf([destinationChainId])) === zeroAddress) {
    throw new Error(`the gateway on chain ${source.chainId} is not paired with chain ${destinationChainId}`);
  }
  const balance = await source.token.read.balanceOf([account.address]);
  if (balance < amount) throw new Error(`${account.address} holds ${agpu(balance)}, less than ${agpu(amount)}`);
  const [outgoing] = await source.gateway.read.available();
  if (outgoing < amount) {
    throw new Error(
      `the gateway's outgoing limit allows ${agpu(outgoing)} more this period, less than ${agpu(amount)}`,
    );
  }
  if (source.mode === GatewayMode.Home) {
    const allowance = await source.token.read.allowance([account.address, source.gateway.address]);
    if (allowance < amount) {
      out.progress(`approving the gateway to lock ${agpu(amount)}`);
      await writeAndWait(source, source.token, "approve", [source.gateway.address, amount]);
    }
  }
  const { receipt } = await writeAndWait(source, source.gateway, "send", [
    destinationChainId,
    getAddress(recipient),
    amount,
  ]);
  const [sent] = parseEventLogs({ abi: source.gateway.abi, eventName: "TransferSent", logs: receipt.logs });
  if (sent === undefined) throw new Error(`transaction ${receipt.transactionHash} sent no transfer`);
  const record: Record<string, unknown> = {
    sourceChain: source.chainId,
    destinationChain: destinationChainId,
    nonce: sent.args.nonce,
    recipient: getAddress(recipient),
    amount: out.json ? amount : agpu(amount),
    digest: sent.args.digest,
    transaction: receipt.transactionHash,
  };
  if (values.wait !== undefined) {
    const destination = await sideOf(config, values.wait);
    if (destination.chainId !== destinationChainId) {
      throw new Error(`--wait reaches chain ${destination.chainId}, not the destination chain ${destinationChainId}`);
    }
    out.progress(`sent transfer ${sent.args.nonce}; waiting for it to be completed on chain ${destinationChainId}`);
    record.completedIn = await waitForCompletion(destination, sent.args.digest, timeoutMs);
  }
  out.record(record);
};

/** The transaction that completed `digest` on `destination`, once it has; a one-line error after `timeoutMs`. */
async function waitForCompletion(destination: BridgeSide, digest: Hash, timeoutMs: number): Promise<Hash> {
  const deadline = Date.now() + timeoutMs;
  const never = new AbortController().signal;
  for (;;) {
    const [completed] = await destination.publicClient.getContractEvents({
      address: destination.gateway.address,
      abi: destination.gateway.abi,
      eventName: "TransferCompleted",
      args: { digest },
      fromBlock: destination.startBlock,
    });
    if (completed !== undefined) return completed.transactionHash;
    if (Date.now() > deadline) {
      throw new Error(`transfer ${digest} is not completed on chain ${destination.chainId} yet: is a relayer running?`);
    }
    await sleep(500, never);
  }
}

/**
 * `bridge status [--digest <0x…>]`: this chain's gateway — mode, token, what it holds or has minted, validators,
 * threshold, limits left this period; with `--digest`, whether that transfer was completed or cancelled here, and
 * whether it was sent or refunded from here.
 */
export const bridgeStatus: Command = async ({ args, config, out }) => {
  const { values } = parseArgs({ args, options: { digest: { type: "string" } } });
  if (values.digest !== undefined && !isHash(values.digest)) {
    throw new UsageError(`--digest must be 32 bytes of hex; got "${values.digest}"`);
  }
  const side = await sideOf(config);
  const { gateway } = side;
  const [validators, threshold, limit, [outgoing, incoming], sentCount, totalLocked, supply] = await Promise.all([
    gateway.read.validators(),
    gateway.read.threshold(),
    gateway.read.rateLimit(),
    gateway.read.available(),
    gateway.read.sentCount(),
    gateway.read.totalLocked(),
    side.token.read.totalSupply(),
  ]);
  const amount = (wei: bigint) => (out.json ? wei : agpu(wei));
  out.record({
    chain: side.chainId,
    gateway: gateway.address,
    mode: side.mode === GatewayMode.Home ? "home (locks AGPU)" : "remote (mints bridged AGPU)",
    token: side.token.address,
    ...(side.mode === GatewayMode.Home ? { locked: amount(totalLocked) } : { minted: amount(supply) }),
    sent: sentCount,
    validators: validators.join(","),
    threshold,
    ratePeriodSeconds: limit.period,
    outgoingLeft: amount(outgoing),
    incomingLeft: amount(incoming),
    ...(values.digest === undefined ? {} : await digestStatus(side, values.digest as Hash)),
  });
};

/**
 * `bridge cancel <source chain id> <nonce> --source <source RPC URL>`, on the destination chain.
 *
 * Cancels a transfer that has not completed here, so that its sender can be refunded on the source chain: the
 * recipient may decline any transfer; anyone may cancel one larger than this gateway's per-period incoming limit,
 * which could never complete. The transfer is read from the source chain, as the validators will read it.
 */
export const bridgeCancel: Command = async ({ args, config, out }) => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { source: { type: "string" } } });
  const sourceChainId = BigInt(parseInteger("the source chain id", positionals[0], 1));
  const nonce = BigInt(parseInteger("the nonce", positionals[1], 0));
  if (values.source === undefined) throw new UsageError("give the source chain's RPC URL: --source <URL>");
  const destination = await sideOf(config);
  const account = requireAccount(destination);
  const source = await sideOf(config, values.source);
  if (source.chainId !== sourceChainId) {
    throw new Error(`--source reaches chain ${source.chainId}, not the source chain ${sourceChainId}`);
  }
  const sent = await sentTransfer(source, nonce);
  if (sent === undefined) throw new Error(`chain ${sourceChainId} has sent no transfer ${nonce}`);
  if (sent.transfer.destinationChainId !== destination.chainId) {
    throw new Error(`transfer ${nonce} goes to chain ${sent.transfer.destinationChainId}, not ${destination.chainId}`);
  }
  if (await destination.gateway.read.isCompleted([sent.digest])) {
    const cancelled = await destination.gateway.read.isCancelled([sent.digest]);
    throw new Error(`transfer ${nonce} was ${cancelled ? "cancelled" : "completed"} on chain ${destination.chainId}`);
  }
  const { maxIncoming } = await destination.gateway.read.rateLimit();
  if (getAddress(account.address) !== sent.transfer.recipient && sent.transfer.amount <= maxIncoming) {
    throw new Error(
      `only the recipient ${sent.transfer.recipient} may cancel transfer ${nonce}: it is within the incoming limit ` +
        `(${agpu(maxIncoming)}) and can still complete`,
    );
  }
  const { receipt } = await writeAndWait(destination, destination.gateway, "cancel", [sent.transfer]);
  out.record({
    sourceChain: sourceChainId,
    nonce,
    digest: sent.digest,
    cancelled: receipt.transactionHash,
    next: `starminer bridge refund ${nonce} --validator <URL>... on chain ${sourceChainId}`,
  });
};

/**
 * `bridge refund <nonce> --validator <URL>...`, on the source chain.
 *
 * Pays a transfer cancelled on its destination back to its sender (anyone may submit it), with a threshold of the
 * validators' signatures of its refund, each checked here before anything is sent.
 */
export const bridgeRefund: Command = async ({ args, config, out }) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { validator: { type: "string", multiple: true } },
  });
  const nonce = BigInt(parseInteger("the nonce", positionals[0], 0));
  const validatorUrls = values.validator ?? [];
  if (validatorUrls.length === 0) throw new UsageError("give the validators' signing services: --validator <URL>");
  for (const url of validatorUrls) {
    if (!URL.canParse(url)) throw new UsageError(`--validator must be a URL; got "${url}"`);
  }
  const source = await sideOf(config);
  requireAccount(source);
  const sent = await sentTransfer(source, nonce);
  if (sent === undefined) throw new Error(`chain ${source.chainId} has sent no transfer ${nonce}`);
  const [, refunded] = await source.gateway.read.sentStatus([sent.digest]);
  if (refunded) throw new Error(`transfer ${nonce} was refunded already`);
  const typedData = refundTypedData(sent.transfer, sent.digest);
  const signatures = await gatherSignatures({
    verifier: source,
    validatorUrls,
    path: `/v1/transfers/${source.chainId}/${nonce}/refund-signature`,
    typedData,
    digest: hashTypedData(typedData),
  });
  const { receipt } = await writeAndWait(source, source.gateway, "refund", [sent.transfer, signatures]);
  out.record({
    nonce,
    digest: sent.digest,
    sender: sent.transfer.sender,
    amount: out.json ? sent.transfer.amount : agpu(sent.transfer.amount),
    refunded: receipt.transactionHash,
  });
};

/** What this gateway knows of one transfer digest, arriving or leaving. */
async function digestStatus(side: BridgeSide, digest: Hash) {
  const [completed, cancelled, [sent, refunded]] = await Promise.all([
    side.gateway.read.isCompleted([digest]),
    side.gateway.read.isCancelled([digest]),
    side.gateway.read.sentStatus([digest]),
  ]);
  return { digest, completed: completed && !cancelled, cancelled, sentFromHere: sent, refunded };
}

/** Two different chains' RPC URLs from `--chain`. */
function twoChains(urls: string[] | undefined): [string, string] {
  if (urls === undefined || urls.length !== 2) throw new UsageError("give exactly two --chain <RPC URL>");
  return [urls[0]!, urls[1]!];
}

/**
 * `bridge relay --chain <RPC URL> --chain <RPC URL> --validator <URL>... [--journal <file>] [--confirmations <n>]
 * [--poll-ms <ms>] [--rounds <n>]`
 *
 * Carries transfers both ways between the two chains until Ctrl-C, paying for completions with the configured key.
 */
export const bridgeRelay: Command = async ({ args, config, out }) => {
  const { values } = parseArgs({
    args,
    options: {
      chain: { type: "string", multiple: true },
      validator: { type: "string", multiple: true },
      journal: { type: "string" },
      confirmations: { type: "string", default: "1" },
      "poll-ms": { type: "string", default: "2000" },
      rounds: { type: "string" },
    },
  });
  const urls = twoChains(values.chain);
  const validatorUrls = values.validator ?? [];
  if (validatorUrls.length === 0) throw new UsageError("give the validators' signing services: --validator <URL>");
  for (const url of validatorUrls) {
    if (!URL.canParse(url)) throw new UsageError(`--validator must be a URL; got "${url}"`);
  }
  const confirmations = BigInt(parseInteger("confirmations", values.confirmations, 1, 10_000));
  const pollMs = parseInteger("poll-ms", values["poll-ms"], 50, 3_600_000);
  const rounds = values.rounds === undefined ? undefined : parseInteger("rounds", values.rounds, 1);

  const sides = [await sideOf(config, urls[0]), await sideOf(config, urls[1])] as const;
  const account = requireAccount(sides[0]);
  const journalPath =
    values.journal ??
    join(
      starminerHome(),
      "journals",
      `relay-${sides[0].chainId}-${sides[1].chainId}-${sides[0].gateway.address}-${account.address}.json`,
    );
  const log = (event: RelayEvent) => {
    const line = { at: new Date().toISOString(), event: event.kind, digest: event.digest, message: event.message };
    if (out.json) console.log(JSON.stringify(line));
    else console.log(`${line.at.slice(11, 19)}  ${event.kind.padEnd(17)}  ${event.message}`);
  };
  const relayer = await BridgeRelayer.start({ sides, validatorUrls, journalPath, confirmations, pollMs, log });
  if (rounds !== undefined) {
    for (let i = 0; i < rounds; i++) await relayer.round();
    return;
  }
  await untilSignalled((signal) => relayer.run(signal));
  log({ kind: "stopped", message: `stopped; ${relayer.completed()} transfer(s) completed` });
};

/**
 * `bridge validator --chain <RPC URL> --chain <RPC URL> [--port <n>] [--host <addr>] [--confirmations <n>]`
 *
 * Serves this validator's signatures (the configured key) of transfers it has read on its own nodes, until Ctrl-C.
 */
export const bridgeValidator: Command = async ({ args, config, out }) => {
  const { values } = parseArgs({
    args,
    options: {
      chain: { type: "string", multiple: true },
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      confirmations: { type: "string", default: "1" },
    },
  });
  const urls = twoChains(values.chain);
  const port = parseInteger("port", values.port, 0, 65_535);
  const confirmations = BigInt(parseInteger("confirmations", values.confirmations, 1, 10_000));
  if (config.privateKey === undefined) {
    throw new Error("a validator signs with its key: set STARMINER_PRIVATE_KEY or privateKey in the config file");
  }
  const account = privateKeyToAccount(config.privateKey);
  const sides = [await sideOf(config, urls[0]), await sideOf(config, urls[1])];
  const service = await startValidatorService({
    account,
    sides,
    confirmations,
    port,
    host: values.host,
    log: (line) => out.progress(`${new Date().toISOString().slice(11, 19)}  ${line}`),
  });
  out.record({ validator: account.address, listening: service.url });
  await untilSignalled(async (signal) => new Promise<void>((done) => signal.addEventListener("abort", () => done())));
  await service.close();
};

/** Runs `work` until SIGINT or SIGTERM aborts its signal; the listeners stay until it has stopped. */
async function untilSignalled(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await work(stop.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

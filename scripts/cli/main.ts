/**
 * starminer — the StarMiner command line.
 *
 *   starminer [--json] [--config <file>] <group> <command> [arguments]
 *
 * The chain, the signing key, the indexer and the content store come from the environment (STARMINER_RPC_URL,
 * STARMINER_PRIVATE_KEY, STARMINER_MANIFEST_DIR, STARMINER_INDEXER_URL, STARMINER_CONTENT_DIR) or from a JSON config
 * file ({ rpcUrl, privateKey, manifestDir, indexerUrl, contentDir }); the environment wins. Errors are one line on stderr: exit code 2 for a usage mistake, 1 for
 * anything else. A transaction the contracts would refuse is simulated first and never sent.
 */
import { type ProtocolClient, connectProtocol, loadConfig } from "../lib/client.js";
import {
  bridgeCancel,
  bridgeRefund,
  bridgeRelay,
  bridgeStatus,
  bridgeTransfer,
  bridgeValidator,
} from "./commands/bridge.js";
import type { Command } from "./commands/context.js";
import { govDelegate, govExecute, govPropose, govQueue, govStatus, govVote } from "./commands/gov.js";
import { jobCancel, jobDispute, jobResult, jobStatus, jobSubmit, jobWatch } from "./commands/job.js";
import { match } from "./commands/match.js";
import { nodeList } from "./commands/node.js";
import { priceQuote } from "./commands/price.js";
import { providerRegister, providerStake, providerUnbond } from "./commands/provider.js";
import { providerRun } from "./commands/provider-run.js";
import { UsageError, describeError } from "./errors.js";
import { createOutput } from "./output.js";

const COMMANDS: Record<string, Record<string, { run: Command; usage: string }>> = {
  price: {
    quote: { run: priceQuote, usage: "--zone <label> [--tier <tier>] --hours <n> [--redundancy <n>] [--spillover]" },
  },
  job: {
    submit: { run: jobSubmit, usage: "--spec <file.json>" },
    status: { run: jobStatus, usage: "<id>" },
    watch: { run: jobWatch, usage: "<id> [--until verified|ended] [--interval-ms <ms>] [--timeout-seconds <s>]" },
    result: { run: jobResult, usage: "<id>" },
    cancel: { run: jobCancel, usage: "<id>" },
    dispute: { run: jobDispute, usage: "<id>" },
  },
  provider: {
    register: {
      run: providerRegister,
      usage:
        "--zone <label> --gpu <model> --vram <MiB> --compute-capability <x10> --tflops <x100> --endpoint <url> [--tee <type>]",
    },
    stake: { run: providerStake, usage: "<AGPU>" },
    unbond: { run: providerUnbond, usage: "<AGPU>" },
    run: {
      run: providerRun,
      usage:
        "[--journal <file>] [--gpu <model> --vram <MiB> --compute-capability <x10>] [--enclave-key-file <file>] " +
        "[--max-jobs <n>] [--poll-ms <ms>] [--heartbeat-seconds <s>] [--rounds <n>] [--fault wrong-result|miss]",
    },
  },
  node: {
    list: { run: nodeList, usage: "[--zone <label>] [--limit <n>]" },
  },
  match: {
    providers: { run: match, usage: "--spec <file.json> [--top <n>]" },
  },
  gov: {
    propose: { run: govPropose, usage: "--actions <file.json> --description <text>" },
    vote: {
      run: govVote,
      usage: "<id> for|against|abstain [--reason <text>] [--sign-only | --signature <0x...> --voter <address>]",
    },
    queue: { run: govQueue, usage: "<id>" },
    execute: { run: govExecute, usage: "<id>" },
    status: { run: govStatus, usage: "<id>" },
    delegate: { run: govDelegate, usage: "<address|self>" },
  },
  bridge: {
    transfer: {
      run: bridgeTransfer,
      usage: "<destination chain id> <recipient> <AGPU> [--wait <destination RPC URL>] [--timeout-seconds <s>]",
    },
    status: { run: bridgeStatus, usage: "[--digest <0x...>]" },
    cancel: { run: bridgeCancel, usage: "<source chain id> <nonce> --source <source RPC URL>" },
    refund: { run: bridgeRefund, usage: "<nonce> --validator <URL>..." },
    relay: {
      run: bridgeRelay,
      usage:
        "--chain <RPC URL> --chain <RPC URL> --validator <URL>... [--journal <file>] [--confirmations <n>] " +
        "[--poll-ms <ms>] [--rounds <n>]",
    },
    validator: {
      run: bridgeValidator,
      usage: "--chain <RPC URL> --chain <RPC URL> [--port <n>] [--host <address>] [--confirmations <n>]",
    },
  },
};

function help(): string {
  const lines = ["usage: starminer [--json] [--config <file>] <group> <command> [arguments]", ""];
  for (const [group, commands] of Object.entries(COMMANDS)) {
    for (const [name, { usage }] of Object.entries(commands)) lines.push(`  starminer ${group} ${name} ${usage}`);
  }
  return lines.join("\n");
}

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
async function main(argv: string[]): Promise<number> {
  let json = false;
  let configFile: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--json") json = true;
    else if (arg === "--config") configFile = argv[++i];
    else if (arg === "--help" || arg === "-h") {
      console.log(help());
      return 0;
    } else rest.push(arg);
  }
  try {
    const [group, name, ...args] = rest;
    if (group === undefined) throw new UsageError("no command given");
    const commands = COMMANDS[group];
    if (commands === undefined) throw new UsageError(`unknown command group "${group}"`);
    const command = name === undefined ? undefined : commands[name];
    if (command === undefined) {
      throw new UsageError(`"${group}" takes one of: ${Object.keys(commands).join(", ")}`);
    }
    const config = await loadConfig(configFile);
    let connected: Promise<ProtocolClient> | undefined;
    await command.run({
      args,
      config,
      out: createOutput(json),
      protocol: () => (connected ??= connectProtocol(config)),
    });
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`starminer: ${describeError(error)}${usage ? " (see starminer --help)" : ""}`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

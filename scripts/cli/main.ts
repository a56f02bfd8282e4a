/**
 * starminer — the StarMiner command line.
 *
 *   starminer [global options] <group> <command> [arguments]
 *   starminer <group> <command> --help
 *
 * The chain, the signing key, the indexer and the content store come from flags (--rpc-url, --private-key,
 * --keystore), the environment (STARMINER_RPC_URL, STARMINER_PRIVATE_KEY, STARMINER_KEYSTORE, ...) or a JSON config
 * file, in that order. Errors are one line on stderr: exit code 2 for a usage mistake, 1 for anything else. A
 * transaction the contracts would refuse is simulated first and never sent.
 */
import type { ProtocolClient } from "../lib/client.js";
import { UsageError } from "../lib/usage-error.js";
import { COMMANDS, type CommandEntry, ENVIRONMENT } from "./commands/index.js";
import { VERSION } from "./version.js";

const GLOBAL_OPTIONS = [
  ["--json", "one JSON document on stdout, for programs"],
  ["--field <name>", "print only this field of the result, bare: JOB=$(starminer --field jobId job submit ...)"],
  ["--rpc-url <url>", "the chain's JSON-RPC endpoint (STARMINER_RPC_URL; http://127.0.0.1:8545)"],
  ["--private-key <0x...>", "the signing key (STARMINER_PRIVATE_KEY); prefer --keystore"],
  ["--keystore <file>", "an encrypted JSON keystore to sign with (STARMINER_KEYSTORE; password STARMINER_PASSWORD)"],
  ["--config <file>", "a JSON config file (STARMINER_CONFIG): rpcUrl, privateKey, keystore, manifestDir, ..."],
  ["--help, -h", "this text; after a command, that command's"],
  ["--version, -V", "the version"],
] as const;

function overview(): string {
  const lines = ["usage: starminer [global options] <group> <command> [arguments]", ""];
  for (const [group, commands] of Object.entries(COMMANDS)) {
    lines.push(`${group}:`);
    const width = Math.max(...Object.keys(commands).map((name) => name.length));
    for (const [name, command] of Object.entries(commands)) lines.push(`  ${name.padEnd(width)}  ${command.summary}`);
  }
  lines.push("", "global options:");
  for (const [flag, what] of GLOBAL_OPTIONS) lines.push(`  ${flag.padEnd(24)}${what}`);
  lines.push("", "starminer <group> <command> --help describes a command, its arguments and the environment it reads.");
  return lines.join("\n");
}

function commandHelp(group: string, name: string, command: CommandEntry): string {
  const lines = [`usage: starminer ${group} ${name} ${command.usage}`.trimEnd(), "", command.summary];
  if (command.details !== undefined) lines.push("", ...command.details);
  const reads = command.reads.map((what) => ENVIRONMENT[what]);
  if (reads.length > 0) {
    lines.push("", "environment:");
    for (const [variable, what] of reads) lines.push(`  ${variable.padEnd(24)}${what}`);
  }
  return lines.join("\n");
}

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
async function main(argv: string[]): Promise<number> {
  let json = false;
  let help = false;
  let field: string | undefined;
  const flags: { configFile?: string; rpcUrl?: string; privateKey?: string; keystore?: string } = {};
  const rest: string[] = [];
  const value = (i: number, flag: string) => {
    const given = argv[i];
    if (given === undefined || given.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return given;
  };
  let symbols: Record<string, string> = {};
  try {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === "--json") json = true;
      else if (arg === "--config") flags.configFile = value(++i, arg);
      else if (arg === "--field") field = value(++i, arg);
      else if (arg === "--rpc-url") flags.rpcUrl = value(++i, arg);
      else if (arg === "--private-key") flags.privateKey = value(++i, arg);
      else if (arg === "--keystore") flags.keystore = value(++i, arg);
      else if (arg === "--help" || arg === "-h") help = true;
      else if (arg === "--version" || arg === "-V") {
        console.log(`starminer ${VERSION}`);
        return 0;
      } else rest.push(arg);
    }
    const [group, name, ...args] = rest;
    if (group === undefined) {
      if (help) {
        console.log(overview());
        return 0;
      }
      throw new UsageError("no command given");
    }
    const commands = COMMANDS[group];
    if (commands === undefined) {
      throw new UsageError(`unknown command group "${group}" (one of: ${Object.keys(COMMANDS).join(", ")})`);
    }
    const command = name === undefined ? undefined : commands[name];
    if (command === undefined) {
      if (help && name === undefined) {
        console.log(overview());
        return 0;
      }
      throw new UsageError(`"${group}" takes one of: ${Object.keys(commands).join(", ")}`);
    }
    if (help) {
      console.log(commandHelp(group, name!, command));
      return 0;
    }
    // Loaded only now: help and usage mistakes answer without loading viem.
    const [{ connectProtocol, loadConfig }, { createOutput }] = await Promise.all([
      import("../lib/client.js"),
      import("./output.js"),
    ]);
    const config = await loadConfig(flags.configFile, process.env, flags);
    let connected: Promise<ProtocolClient> | undefined;
    await command.run({
      args,
      config,
      out: createOutput(json, console.log, field),
      protocol: () =>
        (connected ??= connectProtocol(config).then((client) => {
          symbols = {
            [client.agpu.address.toLowerCase()]: "AGPU",
            [client.amax.address.toLowerCase()]: "AMAX",
          };
          return client;
        })),
    });
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    const where = rest.length >= 2 && COMMANDS[rest[0]!]?.[rest[1]!] !== undefined ? `${rest[0]} ${rest[1]} ` : "";
    const message = usage ? (error as Error).message : await describeFailure(error, symbols);
    console.error(`starminer: ${message}${usage ? ` (see starminer ${where}--help)` : ""}`);
    return usage ? 2 : 1;
  }
}

/**
 * The one line a failure prints: a contract's refusal by name (the SDK's `describeError`), and for an action that
 * needed an account, where the CLI takes its key from. Loaded only when something failed.
 */
async function describeFailure(error: unknown, symbols: Readonly<Record<string, string>>): Promise<string> {
  const { StarMinerAccountError, describeError } = await import("@starminer/sdk");
  if (error instanceof StarMinerAccountError) return (await import("../lib/client.js")).NO_KEY_MESSAGE;
  return describeError(error, symbols);
}

process.exitCode = await main(process.argv.slice(2));

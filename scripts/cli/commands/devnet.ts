import { parseArgs } from "node:util";

import { reachChain } from "../../lib/client.js";
import { UsageError } from "../errors.js";
import type { Command } from "./context.js";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** A duration: whole seconds, or a number with s, m, h or d. */
function parseDuration(value: string | undefined): number {
  const match = /^(\d+)([smhd]?)$/.exec(value ?? "");
  const seconds = match === null ? 0 : Number(match[1]) * UNITS[match[2] || "s"]!;
  if (seconds <= 0 || seconds > 10 * 365 * 86_400) {
    throw new UsageError(`give how far to move the clock: seconds, or e.g. 90m, 2h, 7d; got "${value ?? ""}"`);
  }
  return seconds;
}

/**
 * `devnet warp <duration>`: moves a local chain's clock forward and mines a block at the new time, so that windows
 * (challenge, unbonding, voting, the Timelock's delay) pass without waiting. Only development nodes (Hardhat, anvil)
 * have the methods; any other chain refuses, with nothing changed.
 */
export const devnetWarp: Command = async ({ args, config, out }) => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError("give one duration, e.g. devnet warp 2h");
  const seconds = parseDuration(positionals[0]);
  const { client } = await reachChain(config.rpcUrl);
  const before = await client.getBlock({ blockTag: "latest" });
  try {
    await client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await client.request({ method: "evm_mine" as never, params: [] as never });
  } catch {
    throw new Error(`the chain at ${config.rpcUrl} cannot warp its clock: only local development nodes can`);
  }
  const after = await client.getBlock({ blockTag: "latest" });
  const time = (value: bigint) => new Date(Number(value) * 1_000).toISOString();
  out.record({ from: time(before.timestamp), to: time(after.timestamp), block: after.number });
};

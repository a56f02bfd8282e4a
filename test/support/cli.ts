import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { ROOT, type Run, runNode } from "./processes.js";

/** The `starminer` command as users run it. */
export const CLI = join(ROOT, "bin", "starminer.mjs");

/** Runs `starminer <args>` with `environment()` (read at each call) and `env` added. */
export function cliRunner(environment: () => Record<string, string>) {
  return (args: string[], env: Record<string, string> = {}) => runNode([CLI, ...args], { ...environment(), ...env });
}

/** The environment that signs as the development account `address`. */
export const as = (address: string) => ({ STARMINER_PRIVATE_KEY: devKeyOf(address) });

/** The run, after checking that it succeeded (its stderr as the failure's message). */
export function ok(run: Run): Run {
  expect(run.code, run.stderr).to.equal(0);
  return run;
}

/** The last line of a successful `--json` run, parsed. */
export const json = <T>(run: Run): T => JSON.parse(ok(run).stdout.trim().split("\n").at(-1)!) as T;

/** Writes a job spec file into `directory`; returns its path. */
export async function writeSpec(directory: string, name: string, spec: Record<string, unknown>): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, JSON.stringify(spec));
  return path;
}

/**
 * Mutation testing: plants one small bug at a time in a contract (a comparison moved by one, `==` for `!=`, a
 * dropped `restricted`, `whenNotPaused` or status check, one fee share for another; see scripts/lib/mutation.ts),
 * runs the tests that specify that contract, and counts the bugs the tests catch ("killed") and those they miss
 * ("survived"). A mutant that does not compile is not counted.
 *
 *   npm run bench:mutation                                    every target below (hours on two cores)
 *   npm run bench:mutation -- --only Staking,BridgeGateway    some targets
 *   npm run bench:mutation -- --operators boundary,access     some operators
 *   npm run bench:mutation -- --resume                        skip the mutants the last report already has
 *   npm run bench:mutation -- --survivors                     redo only the survivors not listed as equivalent
 *   npm run bench:mutation -- --planted                       only the bugs in test/support/planted-bugs.ts
 *   npm run bench:mutation -- --shard 2/3                     every third mutant, from the second (one clone's share)
 *   npm run bench:mutation -- --merge a.json,b.json           take other clones' results in too
 *   npm run bench:mutation -- --merge a.json --report-only    run nothing: rewrite the report from the results
 *
 * Writes bench/results/mutation.json and mutation.md: the score per contract and every survivor. A survivor is
 * either a missing test (write it) or an equivalent mutant that no test can tell apart, listed with the reason in
 * bench/mutation-equivalents.json, keyed by `<file>: <the mutated line, trimmed>` (`<file>: deleted in <function>:
 * <the line>` for a deleted statement). The sources are restored after
 * each mutant and when the run is interrupted; the report is rewritten after each mutant.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";

import { writeFileAtomically } from "../scripts/lib/files.js";
import { type Mutant, type MutationOperator, applyMutant, mutantsOf } from "../scripts/lib/mutation.js";
import { PLANTED_BUGS } from "../test/support/planted-bugs.js";
import { HARDHAT_CLI, ROOT } from "../test/support/processes.js";

const RESULTS = join(ROOT, "bench", "results");
const MUTANT_TIMEOUT_MS = 15 * 60_000;

/** Each contract mutated, and the test files that specify it. */
const TARGETS: Record<string, readonly string[]> = {
  "contracts/staking/Staking.sol": [
    "test/staking/Staking.ts",
    "test/boundaries/StakingBoundaries.ts",
    "test/security/SlashingAndTime.ts",
  ],
  "contracts/bridge/BridgeGateway.sol": [
    "test/bridge/BridgeGateway.ts",
    "test/boundaries/BridgeBoundaries.ts",
    "test/security/BridgeRefunds.ts",
    "test/bridge/Bridge.invariant.t.sol",
  ],
  "contracts/treasury/Treasury.sol": ["test/treasury/Treasury.ts", "test/boundaries/TreasuryBoundaries.ts"],
  "contracts/token/AGPU.sol": ["test/token/AGPU.ts", "test/boundaries/AGPUBoundaries.ts"],
  "contracts/market/JobMarket.sol": [
    "test/market/JobMarket.ts",
    "test/boundaries/MarketBoundaries.ts",
    "test/security/SlashingAndTime.ts",
    "test/security/Disputes.ts",
    "test/security/ConsensusSplits.ts",
  ],
  "contracts/market/Claims.sol": ["test/market/JobMarket.ts", "test/boundaries/MarketBoundaries.ts"],
  "contracts/market/Settlement.sol": [
    "test/market/JobMarket.ts",
    "test/security/Disputes.ts",
    "test/security/ConsensusSplits.ts",
  ],
  "contracts/verification/VerificationHub.sol": [
    "test/verification/VerificationHub.ts",
    "test/boundaries/HubBoundaries.ts",
    "test/security/Disputes.ts",
    "test/verification/ZkJobs.ts",
  ],
  "contracts/verification/DisputeCourt.sol": [
    "test/verification/VerificationHub.ts",
    "test/boundaries/HubBoundaries.ts",
    "test/security/Disputes.ts",
  ],
  "contracts/oracle/OracleHub.sol": [
    "test/oracle/OracleHub.ts",
    "test/boundaries/OracleBoundaries.ts",
    "test/security/Oracles.ts",
  ],
  "contracts/pricing/PricingEngine.sol": ["test/pricing/PricingEngine.ts", "test/pricing/PricingEngine.t.sol"],
  "contracts/reputation/Reputation.sol": [
    "test/reputation/Reputation.ts",
    "test/boundaries/ReputationBoundaries.ts",
    "test/reputation/Reputation.t.sol",
  ],
  "contracts/registry/NodeRegistry.sol": ["test/registry/NodeRegistry.ts"],
  "contracts/verification/CapabilityRegistrar.sol": ["test/verification/CapabilityRegistrar.ts"],
};

/** The access-control test is what catches a dropped `restricted`, whatever the contract. */
const ACCESS_TESTS = ["test/access/AccessControl.ts"];

type Outcome = "killed" | "survived" | "invalid";

interface MutantResult extends Mutant {
  readonly file: string;
  readonly outcome: Outcome;
  readonly seconds: number;
  /** Why a survivor cannot be killed, from bench/mutation-equivalents.json. */
  readonly equivalent?: string;
}

function option(name: string): string[] | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : (process.argv[index + 1] ?? "").split(",").filter((v) => v !== "");
}

/**
 * Runs `tests` (those whose title matches `grep`, if given) against the sources as they are now: killed when any
 * test fails, invalid when nothing compiles.
 */
/** The test run in progress, stopped with the benchmark when it is interrupted. */
let running: ChildProcess | undefined;

/** Runs Hardhat with `args` in the project; resolves with its exit code and output. */
function hardhat(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = (running = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    }));
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), MUTANT_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/**
 * Compiles the contracts as they are now and runs `tests` (those whose title matches `grep`, if given) against
 * them: killed when any test fails, invalid when the contracts do not compile. Only the contracts are compiled:
 * the Solidity tests import the whole protocol through the IR pipeline, which would make every mutant cost minutes.
 */
async function runTests(tests: readonly string[], grep?: string): Promise<Outcome> {
  const build = await hardhat(["build", "--no-tests", "--quiet", "--no-typechain"]);
  // A mutant the compiler refuses is no bug a test could catch.
  if (build.code !== 0) return "invalid";
  const filter = grep === undefined ? [] : ["--grep", grep.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")];
  // TypeScript specifications first (they fail fastest), then Solidity tests and invariants.
  const mocha = tests.filter((file) => !file.endsWith(".t.sol"));
  const solidity = tests.filter((file) => file.endsWith(".t.sol"));
  if (mocha.length > 0) {
    const run = await hardhat(["test", "mocha", "--no-compile", "--bail", "--no-typechain", ...filter, ...mocha]);
    if (run.code !== 0) return "killed";
  }
  if (solidity.length > 0) {
    const run = await hardhat(["test", "solidity", "--no-typechain", ...filter, ...solidity]);
    if (run.code !== 0) return "killed";
  }
  return "survived";
}

/**
 * Runs `work` with `path` holding `mutated`, and puts the original back afterwards, also when the benchmark is
 * interrupted (the test run in progress is stopped first).
 */
async function withSource<T>(path: string, original: string, mutated: string, work: () => Promise<T>): Promise<T> {
  const restore = () => writeFile(path, original);
  const onSignal = async () => {
    running?.kill("SIGKILL");
    await restore();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await writeFile(path, mutated);
    return await work();
  } finally {
    await restore();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Plants each bug of test/support/planted-bugs.ts again and checks that its specification fails. */
async function runPlanted() {
  const lines: string[] = [];
  let caught = 0;
  for (const bug of PLANTED_BUGS) {
    const path = join(ROOT, bug.contract);
    const source = await readFile(path, "utf8");
    const index = source.split("\n").findIndex((line) => line.trim() === bug.line);
    if (index === -1) throw new Error(`${bug.contract} no longer has the line: ${bug.line}`);
    const original = source.split("\n")[index]!;
    const mutant: Mutant = {
      id: `${index + 1}:planted:0`,
      operator: "boundary",
      line: index + 1,
      original,
      mutated: original.replace(bug.line, bug.planted),
    };
    const outcome = await withSource(path, source, applyMutant(source, mutant), () =>
      runTests([bug.specification.file], bug.specification.title),
    );
    if (outcome === "killed") caught++;
    console.log(`${bug.contract}: \`${bug.planted}\` ${outcome}`);
    lines.push(`| \`${bug.contract}\` | \`${bug.planted}\` | ${bug.specification.title} | ${outcome} |`);
  }
  await writeFileAtomically(
    join(RESULTS, "planted-bugs.md"),
    [
      "# Planted bugs",
      "",
      "Written by `npm run bench:mutation -- --planted`: each bug of test/support/planted-bugs.ts planted alone, and only",
      "its specification run against it (a boundary specification, or an invariant of a Solidity test).",
      "",
      `${caught} of ${PLANTED_BUGS.length} caught.`,
      "",
      "| contract | planted | specification | outcome |",
      "| -------- | ------- | ------------- | ------- |",
      ...lines,
      "",
    ].join("\n"),
  );
  if (caught !== PLANTED_BUGS.length) throw new Error(`${PLANTED_BUGS.length - caught} planted bug(s) not caught`);
}

async function main() {
  if (process.argv.includes("--planted")) return runPlanted();
  const only = option("only");
  const resume = process.argv.includes("--resume");
  const survivors = process.argv.includes("--survivors");
  const reportOnly = process.argv.includes("--report-only");
  const operators = option("operators") as MutationOperator[] | undefined;
  const shard = parseShard(option("shard")?.[0]);
  const equivalents = JSON.parse(await readFile(join(ROOT, "bench", "mutation-equivalents.json"), "utf8")) as Record<
    string,
    string
  >;
  const targets = Object.entries(TARGETS).filter(
    ([file]) => only === undefined || only.includes(basename(file, ".sol")),
  );
  if (targets.length === 0) throw new Error(`no target matches --only ${only?.join(",")}`);

  const scope =
    `contracts: ${targets.map(([file]) => basename(file, ".sol")).join(", ")}; ` +
    `operators: ${operators?.join(", ") ?? "all"}`;
  // Earlier runs' results stay in the report for the mutants this run does not redo, as long as the mutated line
  // is still in the source as it was; a mutant redone replaces its earlier result.
  const results = await earlierResults(equivalents, [join(RESULTS, "mutation.json"), ...(option("merge") ?? [])]);
  const key = (r: { file: string; id: string }) => `${r.file}#${r.id}`;
  for (const [file, tests] of reportOnly ? [] : targets) {
    const path = join(ROOT, file);
    const source = await readFile(path, "utf8");
    const mutants = mutantsOf(source).filter(
      (m, index) =>
        index % shard.of === shard.index &&
        (operators === undefined || operators.includes(m.operator)) &&
        !(resume && results.has(key({ file, id: m.id }))) &&
        !(survivors && !isOpenSurvivor(results.get(key({ file, id: m.id })))),
    );
    for (const [index, mutant] of mutants.entries()) {
      const started = Date.now();
      const outcome = await withSource(path, source, applyMutant(source, mutant), () =>
        runTests(mutant.operator === "access" ? [...tests, ...ACCESS_TESTS] : tests),
      );
      const seconds = Math.round((Date.now() - started) / 1000);
      const equivalent =
        outcome === "survived" ? equivalents[equivalenceKey(file, source.split("\n"), mutant)] : undefined;
      results.set(key({ file, id: mutant.id }), {
        ...mutant,
        file,
        outcome,
        seconds,
        ...(equivalent === undefined ? {} : { equivalent }),
      });
      console.log(
        `${basename(file)} ${index + 1}/${mutants.length} line ${mutant.line} ${mutant.operator}: ${outcome}` +
          `${equivalent === undefined ? "" : " (equivalent)"} in ${seconds} s`,
      );
      // Written after every mutant: a long run that is stopped still leaves what it measured.
      await writeReport([...results.values()], scope);
    }
  }
  await writeReport(
    [...results.values()],
    reportOnly ? "no contract: the report was rewritten from merged results" : scope,
  );
  const counted = [...results.values()].filter((r) => r.outcome !== "invalid");
  const killed = counted.filter((r) => r.outcome === "killed").length;
  console.log(`mutation: ${killed} of ${counted.length} mutants killed; see bench/results/mutation.md`);
}

/**
 * How bench/mutation-equivalents.json names a mutant: its file and its mutated line, trimmed. A mutant that deletes a
 * statement (its line is empty) is named by the function it is in and the line it deleted,
 * `deleted in <function>: <line>`, since the same check often opens several functions.
 */
function equivalenceKey(file: string, lines: readonly string[], mutant: Pick<Mutant, "line" | "original" | "mutated">) {
  const mutated = mutant.mutated.trim();
  if (mutated !== "") return `${file}: ${mutated}`;
  let name = "";
  for (let i = mutant.line - 1; i >= 0 && name === ""; i--) name = /\bfunction\s+(\w+)/.exec(lines[i]!)?.[1] ?? "";
  return `${file}: deleted in ${name}: ${mutant.original.trim()}`;
}

/** A mutant the tests let through that is not listed as equivalent: a specification is missing. */
function isOpenSurvivor(result: MutantResult | undefined): boolean {
  return result?.outcome === "survived" && result.equivalent === undefined;
}

/** `--shard k/n`: the k-th of n interleaved shares of each contract's mutants (all of them without it). */
function parseShard(value: string | undefined): { index: number; of: number } {
  if (value === undefined) return { index: 0, of: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const [k, n] = match === null ? [0, 0] : [Number(match[1]), Number(match[2])];
  if (n < 1 || k < 1 || k > n) throw new Error(`--shard takes k/n with 1 <= k <= n, not ${value}`);
  return { index: k - 1, of: n };
}

/**
 * The results of the reports in `files` (bench/results/mutation.json, and others' given to `--merge`) whose mutated
 * line is still in the source, keyed by file and id; a later file's result for a mutant replaces an earlier one's.
 * bench/results/mutation.json may be missing; a file given to `--merge` may not.
 */
async function earlierResults(
  equivalents: Record<string, string>,
  files: string[],
): Promise<Map<string, MutantResult>> {
  const kept = new Map<string, MutantResult>();
  const earlier: MutantResult[] = [];
  for (const [index, file] of files.entries()) {
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (index === 0 && error.code === "ENOENT") return '{"results": []}';
      throw new Error(`cannot read the mutation report ${file}: ${error.message}`);
    });
    earlier.push(...((JSON.parse(text) as { results?: MutantResult[] }).results ?? []));
  }
  const sources = new Map<string, string[]>();
  for (const result of earlier) {
    if (!sources.has(result.file)) {
      sources.set(result.file, (await readFile(join(ROOT, result.file), "utf8").catch(() => "")).split("\n"));
    }
    if (sources.get(result.file)![result.line - 1] !== result.original) continue;
    // The list of equivalent mutants may have changed since.
    const { equivalent: _stale, ...rest } = result;
    const equivalent =
      rest.outcome === "survived" ? equivalents[equivalenceKey(rest.file, sources.get(rest.file)!, rest)] : undefined;
    kept.set(`${rest.file}#${rest.id}`, { ...rest, ...(equivalent === undefined ? {} : { equivalent }) });
  }
  return kept;
}

async function writeReport(results: MutantResult[], scope: string) {
  const counted = results.filter((r) => r.outcome !== "invalid");
  const killed = counted.filter((r) => r.outcome === "killed").length;
  const equivalent = counted.filter((r) => r.equivalent !== undefined).length;
  const score = (k: number, of: number) => (of === 0 ? "n/a" : `${((100 * k) / of).toFixed(1)}%`);
  const files = [...new Set(results.map((r) => r.file))];
  // How many mutants each contract has now, run or not: a contract only partly run says so.
  const totals = new Map<string, number>();
  for (const file of files) totals.set(file, mutantsOf(await readFile(join(ROOT, file), "utf8")).length);
  const rows = files.map((file) => {
    const mine = counted.filter((r) => r.file === file);
    const run = results.filter((r) => r.file === file).length;
    const k = mine.filter((r) => r.outcome === "killed").length;
    const e = mine.filter((r) => r.equivalent !== undefined).length;
    return (
      `| ${file} | ${run} of ${totals.get(file)} | ${mine.length} | ${k} | ${e} | ${mine.length - k - e} | ` +
      `${score(k, mine.length - e)} |`
    );
  });
  const survivors = counted
    .filter((r) => r.outcome === "survived")
    .map(
      (r) =>
        `- \`${r.file}:${r.line}\` ${r.operator}: ` +
        (r.mutated.trim() === "" ? `deleted \`${r.original.trim()}\`` : `\`${r.mutated.trim()}\``) +
        (r.equivalent === undefined ? " — **not caught**" : ` — equivalent: ${r.equivalent}`),
    );
  const summary = {
    generatedAt: new Date().toISOString(),
    mutants: counted.length,
    invalid: results.length - counted.length,
    killed,
    equivalent,
    score: counted.length - equivalent === 0 ? null : killed / (counted.length - equivalent),
  };
  await writeFileAtomically(
    join(RESULTS, "mutation.json"),
    `${JSON.stringify({ ...summary, scope, results }, null, 2)}\n`,
  );
  await writeFileAtomically(
    join(RESULTS, "mutation.md"),
    [
      "# Mutation testing",
      "",
      "Written by `npm run bench:mutation` (bench/mutation.ts): one planted bug at a time (see",
      "scripts/lib/mutation.ts for the operators), the contract's own tests run against it; a mutant is killed when a",
      "test fails. Mutants that do not compile are left out; equivalent mutants (no behaviour changes) are listed",
      "with the reason in bench/mutation-equivalents.json and left out of the score. `run` is how many of the",
      "contract's mutants have a result; `mutants` leaves out those that did not compile.",
      "",
      `Last run over ${scope}; the results of earlier runs are kept for the mutants it did not redo.`,
      "",
      `Generated ${summary.generatedAt}. Score: **${score(killed, counted.length - equivalent)}** (${killed} killed of ${counted.length - equivalent}; ${equivalent} equivalent, ${summary.invalid} not compiling).`,
      "",
      "| contract | run | mutants | killed | equivalent | survived | score |",
      "| -------- | --: | ------: | -----: | ---------: | -------: | ----: |",
      ...rows,
      "",
      "## Survivors",
      "",
      ...(survivors.length === 0 ? ["None."] : survivors),
      "",
    ].join("\n"),
  );
}

try {
  await main();
} catch (error) {
  console.error(`mutation: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}

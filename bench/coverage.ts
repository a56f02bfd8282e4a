/**
 * Coverage of the contracts by the whole test suite: lines and statements as Hardhat measures them, and two figures
 * Hardhat does not report, derived here from its statement counts:
 *
 * - **branches**: each `if` has two, taken when the first statement of its `then` part ran, and when its `else`
 *   part's first statement ran (or, without an `else`, when the `if` ran more often than its `then` part did).
 *   Hardhat's counts are of transactions, not executions (it records the set of statements a transaction hit), so
 *   the false side of an `if` without `else` inside a loop is seen only when a transaction ran the `if` and never
 *   its `then` part. Such branches count as not taken (the figure is a lower bound) and are listed apart;
 * - **revert paths**: each `revert` statement, hit or not.
 *
 * Conditional expressions (`a ? b : c`) and short-circuits inside a condition are not counted as branches: Hardhat's
 * instrumentation marks statements only.
 *
 *   npm run bench:coverage                  runs `hardhat test --coverage` (every runner), then reports
 *   npm run bench:coverage -- --report-only reports on the coverage/ directory of an earlier run
 *
 * Writes bench/results/coverage.json and coverage.md: per contract, lines, statements, branches and revert paths,
 * and every branch never taken and revert never hit.
 */
import { spawn } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";

import { addStatementCoverageInstrumentation } from "@nomicfoundation/edr";

import { writeFileAtomically } from "../scripts/lib/files.js";
import { HARDHAT_CLI, ROOT } from "../test/support/processes.js";

const RESULTS = join(ROOT, "bench", "results");
const COVERAGE = join(ROOT, "coverage");
const SOLC_VERSION = "0.8.28";
/** Test doubles are not the protocol's code, and interfaces have none. */
const EXCLUDED = [/^contracts\/mocks\//, /^contracts\/interfaces\//];
const LINE_TARGET = 95;
const BRANCH_TARGET = 90;

interface Statement {
  readonly start: number;
  readonly end: number;
  readonly hits: number;
  readonly text: string;
}

interface Miss {
  readonly line: number;
  readonly text: string;
  /** The false side of an `if` without `else` in a loop, which per-transaction counts cannot show as taken. */
  readonly inLoop?: boolean;
}

interface ContractCoverage {
  readonly file: string;
  readonly lines: { readonly hit: number; readonly found: number };
  readonly statements: { readonly hit: number; readonly found: number };
  readonly branches: { readonly hit: number; readonly found: number };
  readonly reverts: { readonly hit: number; readonly found: number };
  readonly untakenBranches: readonly Miss[];
  readonly unhitReverts: readonly Miss[];
}

async function runCoverage(): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, "test", "--coverage", "--no-typechain"], {
      cwd: ROOT,
      stdio: "inherit",
    });
    child.on("exit", done);
  });
}

async function filesUnder(directory: string, suffix: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name));
}

/** Every coverage tag's hit count, summed over the runners' data files. */
async function hitsByTag(): Promise<Map<string, number>> {
  const hits = new Map<string, number>();
  for (const file of await filesUnder(join(COVERAGE, "data"), ".json")) {
    const counts = JSON.parse(await readFile(file, "utf8")) as Record<string, number>;
    for (const [tag, count] of Object.entries(counts)) hits.set(tag, (hits.get(tag) ?? 0) + count);
  }
  if (hits.size === 0) throw new Error("no coverage data under coverage/data: run without --report-only first");
  return hits;
}

/** Lines found and hit per file, from coverage/lcov.info. */
async function linesByFile(): Promise<Map<string, { hit: number; found: number }>> {
  const lcov = await readFile(join(COVERAGE, "lcov.info"), "utf8");
  const lines = new Map<string, { hit: number; found: number }>();
  for (const record of lcov.split("end_of_record")) {
    const file = /^SF:(.+)$/m.exec(record)?.[1];
    if (file === undefined) continue;
    const found = Number(/^LF:(\d+)$/m.exec(record)?.[1] ?? 0);
    const hit = Number(/^LH:(\d+)$/m.exec(record)?.[1] ?? 0);
    lines.set(relative(ROOT, join(ROOT, file)), { hit, found });
  }
  return lines;
}

/** The statements Hardhat instruments in `source`, with their hit counts (the same tags its run used). */
function statementsOf(file: string, source: string, hits: Map<string, number>): Statement[] {
  const { metadata } = addStatementCoverageInstrumentation(source, `project/${file}`, SOLC_VERSION);
  return metadata
    .filter((m) => m.kind === "statement")
    .map((m) => ({
      start: m.startUtf16,
      end: m.endUtf16,
      hits: hits.get(Buffer.from(m.tag).toString("hex")) ?? 0,
      text: source.slice(m.startUtf16, m.endUtf16).trim(),
    }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The index just past the parenthesis that closes the one opening at or after `from`. */
function closingParenthesis(source: string, from: number): number {
  let depth = 0;
  for (let i = source.indexOf("(", from); i < source.length; i++) {
    if (source[i] === "(") depth++;
    else if (source[i] === ")" && --depth === 0) return i + 1;
  }
  return source.length;
}

/** The index just past the brace that closes the block opening at `open`. */
function closingBrace(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === "{") depth++;
    else if (source[i] === "}" && --depth === 0) return i + 1;
  }
  return source.length;
}

/** The 1-based line of `index` in `source`. */
function lineAt(source: string, index: number): number {
  return source.slice(0, index).split("\n").length;
}

function skipSpace(source: string, from: number): number {
  let i = from;
  while (i < source.length && /\s/.test(source[i]!)) i++;
  return i;
}

/** Each `if` statement's two branches: whether each was taken, and where it is. */
function branchesOf(source: string, statements: readonly Statement[]) {
  const branches: { line: number; text: string; taken: boolean; side: "then" | "else"; inLoop: boolean }[] = [];
  const loops = statements.filter((s) => /^(for|while|do)\b/.test(s.text));
  for (const statement of statements) {
    if (!/^if\s*\(/.test(statement.text)) continue;
    const ifAt = source.indexOf("if", statement.start);
    const inLoop = loops.some((loop) => loop.start < statement.start && statement.end <= loop.end);
    const conditionEnd = closingParenthesis(source, ifAt);
    const bodyStart = skipSpace(source, conditionEnd);
    const first = (from: number, to: number) => statements.find((s) => s.start >= from && s.start < to);
    const thenFirst = first(conditionEnd, statement.end);
    const thenEnd = source[bodyStart] === "{" ? closingBrace(source, bodyStart) : (thenFirst?.end ?? bodyStart);
    const afterThen = skipSpace(source, thenEnd);
    const hasElse = source.startsWith("else", afterThen) && afterThen < statement.end;
    const thenHits = thenFirst?.hits ?? 0;
    const elseFirst = hasElse ? first(afterThen + 4, statement.end) : undefined;
    const elseTaken = hasElse ? (elseFirst?.hits ?? 0) > 0 : statement.hits > thenHits;
    const where = { line: lineAt(source, ifAt), text: source.slice(ifAt, conditionEnd) };
    branches.push({ ...where, side: "then", taken: thenHits > 0, inLoop: false });
    branches.push({ ...where, side: "else", taken: elseTaken, inLoop: inLoop && !hasElse });
  }
  return branches;
}

async function coverageOf(
  file: string,
  hits: Map<string, number>,
  lines: Map<string, { hit: number; found: number }>,
): Promise<ContractCoverage> {
  const source = await readFile(join(ROOT, file), "utf8");
  const statements = statementsOf(file, source, hits);
  const branches = branchesOf(source, statements);
  const reverts = statements.filter((s) => /^revert\b/.test(s.text));
  const count = <T>(items: readonly T[], hit: (item: T) => boolean) => ({
    hit: items.filter(hit).length,
    found: items.length,
  });
  return {
    file,
    lines: lines.get(file) ?? { hit: 0, found: 0 },
    statements: count(statements, (s) => s.hits > 0),
    branches: count(branches, (b) => b.taken),
    reverts: count(reverts, (s) => s.hits > 0),
    untakenBranches: branches
      .filter((b) => !b.taken)
      .map((b) => ({
        line: b.line,
        text: `${b.text} (${b.side === "then" ? "true" : "false"})`,
        ...(b.inLoop ? { inLoop: true } : {}),
      })),
    unhitReverts: reverts.filter((s) => s.hits === 0).map((s) => ({ line: lineAt(source, s.start), text: s.text })),
  };
}

const percent = ({ hit, found }: { hit: number; found: number }) =>
  found === 0 ? "n/a" : `${((100 * hit) / found).toFixed(1)}%`;

function total(contracts: readonly ContractCoverage[], key: "lines" | "statements" | "branches" | "reverts") {
  return contracts.reduce((sum, c) => ({ hit: sum.hit + c[key].hit, found: sum.found + c[key].found }), {
    hit: 0,
    found: 0,
  });
}

async function main() {
  if (!process.argv.includes("--report-only")) {
    const code = await runCoverage();
    if (code !== 0) console.error(`coverage: the test run exited with ${code}; reporting what it measured`);
  }
  const hits = await hitsByTag();
  const lines = await linesByFile();
  const files = (await filesUnder(join(ROOT, "contracts"), ".sol"))
    .map((path) => relative(ROOT, path))
    .filter((file) => !EXCLUDED.some((pattern) => pattern.test(file)))
    .sort();
  const contracts = (await Promise.all(files.map((file) => coverageOf(file, hits, lines)))).filter(
    (c) => c.statements.found > 0,
  );
  const totals = {
    lines: total(contracts, "lines"),
    statements: total(contracts, "statements"),
    branches: total(contracts, "branches"),
    reverts: total(contracts, "reverts"),
  };
  const underLines = contracts.filter((c) => c.lines.found > 0 && (100 * c.lines.hit) / c.lines.found < LINE_TARGET);
  const generatedAt = new Date().toISOString();
  await writeFileAtomically(
    join(RESULTS, "coverage.json"),
    `${JSON.stringify({ generatedAt, totals, contracts }, null, 2)}\n`,
  );
  const misses = contracts.flatMap((c) => [
    ...c.unhitReverts.map((m) => `- \`${c.file}:${m.line}\` revert never hit: \`${m.text}\``),
    ...c.untakenBranches
      .filter((m) => m.inLoop !== true)
      .map((m) => `- \`${c.file}:${m.line}\` branch never taken: \`${m.text}\``),
  ]);
  const unseen = contracts.flatMap((c) =>
    c.untakenBranches.filter((m) => m.inLoop === true).map((m) => `- \`${c.file}:${m.line}\` \`${m.text}\``),
  );
  await writeFileAtomically(
    join(RESULTS, "coverage.md"),
    [
      "# Coverage",
      "",
      "Written by `npm run bench:coverage` (bench/coverage.ts) after `hardhat test --coverage` over every runner.",
      "Lines and statements are Hardhat's; branches (two per `if`) and revert paths (each `revert` statement) are",
      "derived from its statement counts. Conditional expressions and short-circuits are not counted as branches.",
      `Targets: every contract at ${LINE_TARGET}% of lines or more, branches at ${BRANCH_TARGET}% or more.`,
      "",
      `Generated ${generatedAt}. Lines **${percent(totals.lines)}**, statements **${percent(totals.statements)}**, ` +
        `branches **${percent(totals.branches)}** (${totals.branches.hit} of ${totals.branches.found}), ` +
        `revert paths **${percent(totals.reverts)}** (${totals.reverts.hit} of ${totals.reverts.found}).`,
      "",
      `Contracts under ${LINE_TARGET}% of lines: ${underLines.length === 0 ? "none" : underLines.map((c) => `\`${c.file}\``).join(", ")}.`,
      "",
      "| contract | lines | statements | branches | revert paths |",
      "| -------- | ----: | ---------: | -------: | -----------: |",
      ...contracts.map(
        (c) =>
          `| ${c.file} | ${percent(c.lines)} | ${percent(c.statements)} | ${percent(c.branches)} ` +
          `(${c.branches.hit}/${c.branches.found}) | ${c.reverts.hit}/${c.reverts.found} |`,
      ),
      "",
      "## Never hit",
      "",
      ...(misses.length === 0 ? ["Nothing."] : misses),
      "",
      "## False side not seen, inside a loop",
      "",
      "Hardhat counts the transactions that hit a statement, not how often it ran, so the false side of an `if`",
      "without `else` inside a loop shows only when a transaction ran the `if` and never its `then` part. These",
      "count as not taken above; a transaction may well have taken them on another pass of the loop.",
      "",
      ...(unseen.length === 0 ? ["Nothing."] : unseen),
      "",
    ].join("\n"),
  );
  console.log(
    `coverage: lines ${percent(totals.lines)}, statements ${percent(totals.statements)}, ` +
      `branches ${percent(totals.branches)}, revert paths ${totals.reverts.hit}/${totals.reverts.found}; ` +
      "see bench/results/coverage.md",
  );
}

try {
  await main();
} catch (error) {
  console.error(`coverage: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}

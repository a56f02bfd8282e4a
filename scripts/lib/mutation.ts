/**
 * Mutants of a Solidity source: small, plausible bugs of the kinds an attacker looks for first. Each mutant changes
 * one line of the source; a test suite "kills" it when some test fails with it applied.
 *
 * Operators:
 * - `boundary`: a comparison moved by one (`<` and `<=`, `>` and `>=` swapped): an off-by-one at a deadline or a limit;
 * - `negation`: `==` and `!=` swapped;
 * - `access`: the `restricted` modifier dropped from a function: anyone may call it;
 * - `pause`: the `whenNotPaused` modifier dropped;
 * - `status`: a `_requireStatus(...)` check deleted;
 * - `share`: one fee share read in place of another (`providerBps` for `modelCreatorBps`, and so on).
 */

export type MutationOperator = "boundary" | "negation" | "access" | "pause" | "status" | "share";

export interface Mutant {
  /** Stable within a source: `<line>:<operator>:<occurrence>`. */
  readonly id: string;
  readonly operator: MutationOperator;
  /** 1-based line number. */
  readonly line: number;
  readonly original: string;
  readonly mutated: string;
}

const BOUNDARY_TWINS: Record<string, string> = { " < ": " <= ", " <= ": " < ", " > ": " >= ", " >= ": " > " };
const NEGATION_TWINS: Record<string, string> = { " == ": " != ", " != ": " == " };
const SHARE_SWAPS: readonly [string, string][] = [
  ["providerBps", "modelCreatorBps"],
  ["modelCreatorBps", "providerBps"],
  ["treasuryBps", "providerBps"],
  ["gasSubsidyBps", "treasuryBps"],
];

/** Where a comparison decides something: a condition, a requirement or a returned/assigned boolean. */
const DECIDING = /\b(if|while|require|return)\b|\?|\bbool\b|=\s*\(/;

/** Every mutant of `source`, in line order. Comments, NatSpec, events and error declarations are left alone. */
export function mutantsOf(source: string): Mutant[] {
  const mutants: Mutant[] = [];
  const lines = source.split("\n");
  let inBlockComment = false;
  lines.forEach((text, index) => {
    const line = index + 1;
    const trimmed = text.trim();
    if (inBlockComment) {
      if (trimmed.includes("*/")) inBlockComment = false;
      return;
    }
    if (trimmed.startsWith("/*")) {
      inBlockComment = !trimmed.includes("*/");
      return;
    }
    if (trimmed.startsWith("//") || /^(event|error|emit|import|pragma)\b/.test(trimmed)) return;
    const code = text.replace(/\/\/.*$/, "");

    const add = (operator: MutationOperator, mutated: string, occurrence: number) =>
      mutants.push({ id: `${line}:${operator}:${occurrence}`, operator, line, original: text, mutated });

    if (DECIDING.test(code) && !/^\s*(function|modifier)\b/.test(code)) {
      for (const [twins, operator] of [
        [BOUNDARY_TWINS, "boundary"],
        [NEGATION_TWINS, "negation"],
      ] as const) {
        let occurrence = 0;
        for (const [from, to] of Object.entries(twins)) {
          for (const at of occurrencesOf(code, from)) {
            add(operator, text.slice(0, at) + to + text.slice(at + from.length), occurrence++);
          }
        }
      }
    }
    if (/^\s*function\b/.test(code) || /^\s*\)\s*(external|public)\b/.test(code)) {
      if (/\brestricted\b/.test(code)) add("access", text.replace(/\s+restricted\b/, ""), 0);
      if (/\bwhenNotPaused\b/.test(code)) add("pause", text.replace(/\s+whenNotPaused\b/, ""), 0);
    }
    if (/^\s*_requireStatus\(/.test(code)) add("status", text.replace(/_requireStatus\(.*\);/, ""), 0);
    let occurrence = 0;
    for (const [from, to] of SHARE_SWAPS) {
      for (const at of occurrencesOf(code, `.${from}`)) {
        add("share", `${text.slice(0, at)}.${to}${text.slice(at + from.length + 1)}`, occurrence++);
      }
    }
  });
  return mutants;
}

/** `source` with `mutant` applied. */
export function applyMutant(source: string, mutant: Mutant): string {
  const lines = source.split("\n");
  if (lines[mutant.line - 1] !== mutant.original) {
    throw new Error(`line ${mutant.line} is not what mutant ${mutant.id} was made from`);
  }
  lines[mutant.line - 1] = mutant.mutated;
  return lines.join("\n");
}

function occurrencesOf(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) found.push(at);
  return found;
}

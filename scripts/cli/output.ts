import { formatEther } from "viem";

/** How a command reports: `--json` for machines (one JSON document on stdout), aligned text for people. */
export interface Output {
  readonly json: boolean;
  /** Prints a record: as JSON, or one `key  value` line per field. */
  record(value: Record<string, unknown>): void;
  /** Prints rows: as a JSON array, or as a table with a header. */
  table(rows: Record<string, unknown>[], columns: string[]): void;
  /** A progress line for people; silent under `--json`. */
  progress(message: string): void;
}

/** Integers as decimal strings, so that amounts in wei survive JSON. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, inner) => (typeof inner === "bigint" ? inner.toString() : inner)));
}

const text = (value: unknown) => (typeof value === "bigint" ? value.toString() : String(value ?? ""));

export function createOutput(json: boolean, write: (line: string) => void = console.log): Output {
  return {
    json,
    record(value) {
      if (json) return write(JSON.stringify(plain(value)));
      const width = Math.max(...Object.keys(value).map((key) => key.length));
      for (const [key, inner] of Object.entries(value)) write(`${key.padEnd(width)}  ${text(inner)}`);
    },
    table(rows, columns) {
      if (json) return write(JSON.stringify(plain(rows)));
      const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]).length)));
      const line = (cells: string[]) =>
        cells
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd();
      write(line(columns));
      for (const row of rows) write(line(columns.map((column) => text(row[column]))));
    },
    progress(message) {
      if (!json) write(message);
    },
  };
}

/** An AGPU amount in wei as a decimal AGPU string. */
export const agpu = (wei: bigint) => `${formatEther(wei)} AGPU`;

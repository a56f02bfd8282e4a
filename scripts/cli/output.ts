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

/**
 * `field`: print only that field of a record (or that column of a table, one value per line), bare, for shell
 * scripts (`JOB=$(starminer --field jobId job submit ...)`); a result without it is an error.
 */
export function createOutput(json: boolean, write: (line: string) => void = console.log, field?: string): Output {
  const pick = (value: Record<string, unknown>) => {
    if (!(field! in value))
      throw new Error(`the result has no field "${field}" (it has ${Object.keys(value).join(", ")})`);
    const picked = value[field!];
    return typeof picked === "object" && picked !== null ? JSON.stringify(plain(picked)) : text(picked);
  };
  return {
    json: json && field === undefined,
    record(value) {
      if (field !== undefined) return write(pick(value));
      if (json) return write(JSON.stringify(plain(value)));
      const width = Math.max(...Object.keys(value).map((key) => key.length));
      for (const [key, inner] of Object.entries(value)) write(`${key.padEnd(width)}  ${text(inner)}`);
    },
    table(rows, columns) {
      if (field !== undefined) {
        for (const row of rows) write(pick(row));
        return;
      }
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
      if (!json && field === undefined) write(message);
    },
  };
}

/** An AGPU amount in wei as a decimal AGPU string. */
export const agpu = (wei: bigint) => `${formatEther(wei)} AGPU`;

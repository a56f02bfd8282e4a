/** The file that says the embedded database at `directory` was last stopped cleanly. */
export declare function cleanStopFileOf(directory: string): string;
/** Whether the embedded database at `directory` was last stopped cleanly; the mark is taken away. */
export declare function takeCleanStop(directory: string): boolean;
/** PGlite's locks and close, as the clean stop uses them. */
export interface EmbeddedDatabase {
  _runExclusiveTransaction<T>(work: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly closed: boolean;
}
/** Makes every close of a `Database` wait until it is idle (no transaction open, no query running). */
export declare function closeOnlyWhenIdle(Database: { prototype: EmbeddedDatabase }): void;
/** Closes `databases` (each once idle) and marks `directory` as stopped cleanly; false when not closed in time. */
export declare function closeAndMark(
  databases: Iterable<EmbeddedDatabase>,
  directory: string,
  timeoutMs: number,
): Promise<boolean>;

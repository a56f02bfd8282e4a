/** The lock file of the embedded database at `directory`. */
export declare function lockFileOf(directory: string): string;
/** The live process holding the lock of the database at `directory`, or undefined when it is free. */
export declare function lockHolder(directory: string): { pid: number; started?: string } | undefined;
/** Takes the lock for this process (taking over a stale one) until it exits; throws when a live process holds it. */
export declare function acquireLock(directory: string): void;

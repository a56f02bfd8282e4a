import { useEffect, useRef, useState } from "preact/hooks";

import { IndexerError, createIndexerClient } from "@starminer/sdk";

/** The indexer, reached through the explorer's own origin (its server proxies `/api`, `/graphql` and `/status`). */
export const indexer = createIndexerClient(location.origin);

/** How often a page re-reads its data while shown: the explorer follows the chain live. */
export const LIVE_INTERVAL_MS = 2_000;

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  /** When the data was last read. */
  readonly at: Date | undefined;
}

/** What went wrong, for people: an unreachable indexer, a refusal (its message), or anything else. */
export function explain(error: unknown): string {
  // 0: nothing answered; 502-504: the explorer's server answered for an indexer it cannot reach.
  if (error instanceof IndexerError && (error.status === 0 || (error.status >= 502 && error.status <= 504))) {
    return "The indexer cannot be reached. Is it running? The explorer shows what the indexer serves.";
  }
  if (error instanceof IndexerError && error.status >= 500) return `The indexer failed: ${error.message}`;
  if (error instanceof IndexerError) return error.message.replace(/^the indexer refused [^:]*: /, "");
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads `load()` now and again every {@link LIVE_INTERVAL_MS} while the component is shown (and `key` unchanged): a
 * page shows the chain as the indexer follows it. A failed read keeps the last data and reports the error; a
 * refusal (404, 400) stops the polling, since asking again will not change it.
 */
export function useLive<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, at: undefined });
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: undefined, error: undefined, at: undefined });
    const tick = async () => {
      try {
        const data = await loader.current();
        if (stopped) return;
        setState({ data, error: undefined, at: new Date() });
      } catch (error) {
        if (stopped) return;
        setState((previous) => ({ ...previous, error: explain(error) }));
        if (error instanceof IndexerError && error.status >= 400 && error.status < 500) return;
      }
      timer = setTimeout(tick, LIVE_INTERVAL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}

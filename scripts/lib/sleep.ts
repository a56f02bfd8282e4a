/**
 * Waits `ms`, or less if `signal` aborts meanwhile (at once if it already has). The abort listener is removed when
 * the wait ends: the daemons and the devnet's actors pause on one long-lived signal between every round, and
 * listeners left on it piled up (hundreds of thousands in a day) and made each new one slower to add.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const aborted = () => {
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", aborted);
      done();
    }, ms);
    signal.addEventListener("abort", aborted, { once: true });
  });
}

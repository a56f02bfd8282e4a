import { useState } from "preact/hooks";

import { short } from "../format";
import { hasWallet, walletActions } from "../wallet";
import type { ConnectedWallet } from "../wallet-actions";

const CHOICES = ["For", "Against", "Abstain"] as const;

/** Voting on an active proposal with a connected browser wallet (the page reads without one). */
export function VotePanel(props: { proposalId: string }) {
  const [wallet, setWallet] = useState<ConnectedWallet>();
  const [state, setState] = useState<{ busy?: boolean; done?: string; error?: string }>({});
  if (!hasWallet()) {
    return <p class="muted">Voting takes a browser wallet (none is installed); reading needs none.</p>;
  }
  const run = async (step: () => Promise<void>) => {
    setState({ busy: true });
    try {
      await step();
    } catch (error) {
      const { describeError } = await walletActions();
      setState({ error: describeError(error) });
    }
  };
  return (
    <section aria-labelledby="vote-title">
      <h2 id="vote-title">Vote</h2>
      {wallet === undefined ? (
        <button
          type="button"
          disabled={state.busy}
          onClick={() =>
            run(async () => {
              setWallet(await (await walletActions()).connectWallet());
              setState({});
            })
          }
        >
          Connect wallet
        </button>
      ) : (
        <>
          <p>Connected as {short(wallet.address)}.</p>
          <div class="actions">
            {CHOICES.map((label) => (
              <button
                type="button"
                key={label}
                disabled={state.busy || state.done !== undefined}
                onClick={() =>
                  run(async () => {
                    const hash = await (await walletActions()).vote(wallet, BigInt(props.proposalId), label);
                    setState({ done: `Your vote (${label.toLowerCase()}) is in: transaction ${short(hash)}.` });
                  })
                }
              >
                Vote {label.toLowerCase()}
              </button>
            ))}
          </div>
        </>
      )}
      {state.done !== undefined && <p role="status">{state.done}</p>}
      {state.error !== undefined && (
        <p role="alert" class="error">
          {state.error}
        </p>
      )}
    </section>
  );
}

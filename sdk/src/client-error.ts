/** A mistake the SDK catches before anything reaches the chain: a bad argument, a missing account or deployment. */
export class StarMinerError extends Error {
  override readonly name = "StarMinerError";
}

/** An action that sends a transaction was given a client with no account to sign with. */
export class StarMinerAccountError extends StarMinerError {}

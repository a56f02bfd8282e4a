import { resolve } from "node:path";

import { checkCommittedKey, productionProblems, readTranscript } from "../lib/zk/ceremony.js";
import { CIRCUITS, type CircuitName } from "../lib/zk/circuits.js";
import { PUBLIC_PHASE1 } from "../lib/zk/phase1.js";

/** Hardhat's development chain, the one chain on which a production deployment may rehearse with development keys. */
export const DEVELOPMENT_CHAIN_ID = 31337;

/**
 * Checks, before a production deployment sends anything, that every ZK verifier it deploys comes from a key whose
 * trusted setup anyone can check: the `Ceremony` parameter names the public phase-1 file the keys were made on
 * (`Ceremony.ptau`), and each key must have a production transcript (a pinned public phase 1, at least three
 * independent phase-2 contributions, a random beacon last) and verify from scratch against that file and its R1CS,
 * its verifier included. Like the bridge's validators, nothing is assumed: a key one person made could prove
 * anything, so a deployment without a verified multi-party setup is refused.
 *
 * `Ceremony.developmentKeys: true` accepts the development keys instead, on Hardhat's development chain only: a
 * rehearsal of the production path. Throws a one-line error naming every problem.
 */
export async function checkProductionKeys(
  ceremony: unknown,
  chainId: number,
  trustedPhase1: readonly string[] = PUBLIC_PHASE1.map((entry) => entry.blake2b),
  circuits: readonly CircuitName[] = Object.keys(CIRCUITS) as CircuitName[],
): Promise<void> {
  if (ceremony !== undefined && (typeof ceremony !== "object" || ceremony === null || Array.isArray(ceremony))) {
    throw new Error(`Ceremony must be an object (got ${JSON.stringify(ceremony)})`);
  }
  const settings = (ceremony ?? {}) as { ptau?: unknown; developmentKeys?: unknown };
  if (settings.developmentKeys !== undefined) {
    if (settings.developmentKeys !== true) throw new Error("Ceremony.developmentKeys can only be true; remove it");
    if (chainId !== DEVELOPMENT_CHAIN_ID) {
      throw new Error(
        `Ceremony.developmentKeys: development keys can be forged by whoever made them; chain ${chainId} is not ` +
          `Hardhat's development chain (${DEVELOPMENT_CHAIN_ID}): set Ceremony.ptau instead`,
      );
    }
    return;
  }
  if (typeof settings.ptau !== "string" || settings.ptau === "") {
    throw new Error(
      "a production deployment verifies its ZK keys: set Ceremony.ptau in the STARMINER_DEPLOY_PARAMETERS file to " +
        "the public phase-1 file they were made on (docs/operations.md, 'Trusted setup')",
    );
  }
  const phase1 = resolve(settings.ptau);
  const problems: string[] = [];
  for (const name of circuits) {
    const transcript = await readTranscript(name);
    const refused = productionProblems(transcript, trustedPhase1);
    // A key refused on its transcript is not worth verifying; one that passes is verified from scratch.
    problems.push(...(refused.length > 0 ? refused : await checkCommittedKey(name, phase1)));
  }
  if (problems.length > 0) {
    throw new Error(
      `the ZK keys are not fit for production (make them with npm run zk:ceremony): ${problems.join("; ")}`,
    );
  }
}

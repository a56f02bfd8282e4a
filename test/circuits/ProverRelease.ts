import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";

import { ROOT, runNode } from "../support/processes.js";

const moduleUrl = (path: string) => pathToFileURL(join(ROOT, path)).href;

/** Proves three commitments at once from a cold start, releases the prover, and sets no timer: it must exit. */
const SCRIPT = `
import { proveResultCommitment } from "${moduleUrl("scripts/lib/zk/commitment.ts")}";
import { releaseProver } from "${moduleUrl("scripts/lib/zk/groth16.ts")}";
const provider = "0x00000000000000000000000000000000000000aa";
await Promise.all([1n, 2n, 3n].map((jobId) => proveResultCommitment({ jobId, provider, resultDigest: 7n, salt: jobId })));
await releaseProver();
console.log("released");
`;

describe("the Groth16 prover in a script", function () {
  this.timeout(120_000);

  it("lets a process that proved concurrently from a cold start exit once released (one curve, its workers stopped)", async () => {
    const directory = await mkdtemp(join(tmpdir(), "starminer-prover-"));
    try {
      const script = join(directory, "prove-and-release.mts");
      await writeFile(script, SCRIPT);
      // Killed after a minute if something keeps it alive: a curve built twice at once left the first one's workers.
      const run = await runNode(["--import", "tsx", script], {}, 60_000);
      expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
      expect(run.stdout.trim()).to.equal("released");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

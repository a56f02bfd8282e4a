import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { ROOT, TYPESCRIPT, freePort, runNode } from "../support/processes.js";

/** The short version of `npm run bench:soak`: the default devnet submitting for a minute, then drained and audited. */
describe("bench:soak, short: the default devnet drained and audited against the chain", function () {
  this.timeout(900_000);

  it("ends with every job terminal, no honest provider slashed, no validator penalised, and the tally equal to the chain", async () => {
    const results = await mkdtemp(join(tmpdir(), "starminer-soak-"));
    try {
      const run = await runNode([
        ...TYPESCRIPT,
        join(ROOT, "bench", "soak.ts"),
        "--minutes",
        "1",
        "--results",
        results,
        "--port",
        String(await freePort()),
        "--indexer-port",
        String(await freePort()),
      ]);
      const soak = JSON.parse(await readFile(join(results, "soak.json"), "utf8")) as {
        passed: boolean;
        tally: { submitted: number; settled: number; slashes: number };
        audit: {
          jobs: number;
          unfinished: string[];
          honestProvidersSlashed: Record<string, number>;
          validatorsPenalised: Record<string, number>;
          mismatches: string[];
        };
      };
      expect(soak.audit.unfinished, "jobs left unfinished").to.deep.equal([]);
      expect(soak.audit.honestProvidersSlashed, "honest providers slashed").to.deep.equal({});
      expect(soak.audit.validatorsPenalised, "validators penalised").to.deep.equal({});
      expect(soak.audit.mismatches, "tally against the chain").to.deep.equal([]);
      expect(soak.tally.submitted).to.equal(soak.audit.jobs).and.to.be.greaterThan(5);
      // The dishonest provider is caught: its wrong results cost it stake.
      expect(soak.tally.slashes).to.be.greaterThan(0);
      expect(soak.passed).to.equal(true);
      expect(run.code, run.stderr.split("\n").slice(-5).join("\n")).to.equal(0);
    } finally {
      await rm(results, { recursive: true, force: true });
    }
  });
});

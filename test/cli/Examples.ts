import { readdir } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { Mode } from "@starminer/sdk";

import { readSpecFile } from "../../scripts/cli/parse.js";
import { ROOT } from "../support/processes.js";

describe("examples/: the job specs the README points to", () => {
  const directory = join(ROOT, "examples", "jobs");

  it("each spec reads as the CLI reads it: with its workload's commitments, or none for `job submit --manifest`", async () => {
    const specs = (await readdir(directory)).filter((name) => name.endsWith(".json") && !name.includes(".workload."));
    expect(specs).to.include.members(["optimistic.json", "consensus.json", "zk.json", "manifest-job.json"]);
    const modes: number[] = [];
    for (const name of specs) {
      const { spec, workload, commitmentsGiven } = await readSpecFile(join(directory, name), 1_000_000n);
      if (name === "manifest-job.json") {
        // Its commitments come from the manifest given beside it.
        expect(workload, name).to.equal(undefined);
        expect(commitmentsGiven, name).to.equal(false);
        continue;
      }
      expect(workload, name).not.to.equal(undefined);
      expect(spec.modelCommitment, name).to.match(/^0x[0-9a-f]{64}$/);
      modes.push(spec.mode);
    }
    expect(modes).to.include.members([Mode.Optimistic, Mode.Consensus, Mode.ZK]);
  });
});

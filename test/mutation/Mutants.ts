import { expect } from "chai";

import { applyMutant, mutantsOf } from "../../scripts/lib/mutation.js";

const SOURCE = [
  "contract Example {",
  "    /// @dev if (a < b) in a comment is not code",
  "    event Sent(uint256 a);",
  "    function claim(uint256 jobId) external whenNotPaused nonReentrant {",
  "        _requireStatus(job, jobId, JobStatus.Open);",
  "        if (now_ >= deadline) revert TooLate(jobId);",
  "        if (a == b) return;",
  "        uint256 toProvider = (share * split.providerBps) / _BPS;",
  "    }",
  "    function setFee(uint256 fee) external restricted {",
  "        for (uint256 i = 0; i < 3; ++i) fee += i;",
  "    }",
  "}",
].join("\n");

describe("Mutants: one plausible bug per mutant, one line each", () => {
  const mutants = mutantsOf(SOURCE);
  const byLine = (line: number) => mutants.filter((m) => m.line === line).map((m) => [m.operator, m.mutated.trim()]);

  it("moves a deciding comparison by one and negates an equality", () => {
    expect(byLine(6)).to.deep.equal([["boundary", "if (now_ > deadline) revert TooLate(jobId);"]]);
    expect(byLine(7)).to.deep.equal([["negation", "if (a != b) return;"]]);
  });

  it("drops restricted, whenNotPaused and status checks", () => {
    expect(byLine(4)).to.deep.equal([["pause", "function claim(uint256 jobId) external nonReentrant {"]]);
    expect(byLine(10)).to.deep.equal([["access", "function setFee(uint256 fee) external {"]]);
    expect(byLine(5)).to.deep.equal([["status", ""]]);
  });

  it("reads one fee share in place of another", () => {
    expect(byLine(8)).to.deep.equal([["share", "uint256 toProvider = (share * split.modelCreatorBps) / _BPS;"]]);
  });

  it("leaves comments, events and loop bounds alone", () => {
    expect(byLine(2)).to.deep.equal([]);
    expect(byLine(3)).to.deep.equal([]);
    expect(byLine(11)).to.deep.equal([]);
  });

  it("applies a mutant to its line only, and refuses a source it was not made from", () => {
    const [boundary] = mutants.filter((m) => m.operator === "boundary");
    const mutated = applyMutant(SOURCE, boundary!).split("\n");
    expect(mutated[5]).to.equal("        if (now_ > deadline) revert TooLate(jobId);");
    expect(mutated.filter((line, i) => line !== SOURCE.split("\n")[i])).to.have.length(1);
    expect(() => applyMutant(SOURCE.replace("deadline", "end"), boundary!)).to.throw(/line 6 is not what mutant/);
  });
});

import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { PLANTED_BUGS } from "../support/planted-bugs.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("Planted bugs: each bug's line is still in its contract, and its specification (a test or an invariant) still exists", () => {
  for (const bug of PLANTED_BUGS) {
    it(`${bug.contract}: "${bug.specification.title}"`, async () => {
      const contract = (await readFile(join(ROOT, bug.contract), "utf8")).split("\n").map((line) => line.trim());
      expect(contract, `the line the bug was planted in has changed: update test/support/planted-bugs.ts`).to.include(
        bug.line,
      );
      const specification = await readFile(join(ROOT, bug.specification.file), "utf8");
      // A Solidity test by its function; a Mocha test by its title as the file writes it (prettier may break the
      // call, not the string).
      const declared = bug.specification.file.endsWith(".t.sol")
        ? `function ${bug.specification.title}()`
        : `it(${JSON.stringify(bug.specification.title)},`;
      expect(specification, `${bug.specification.file} lost its specification`).to.include(declared);
    });
  }
});

import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

import { expect } from "chai";
import { AbiCoder, keccak256, toBeHex, toUtf8Bytes } from "ethers";

const CONTRACTS_DIR = join(import.meta.dirname, "..", "..", "contracts");

/** ERC-7201: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff */
function erc7201Slot(namespace: string): string {
  const inner = BigInt(keccak256(toUtf8Bytes(namespace))) - 1n;
  return toBeHex(BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256"], [inner]))) & ~0xffn, 32);
}

async function solidityFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".sol")).map((e) => join(e.parentPath, e.name));
}

describe("ERC-7201 storage namespaces", () => {
  it("declares each namespace's slot as the ERC-7201 formula gives it, and uses each namespace once", async () => {
    const seen = new Map<string, string>();
    for (const file of await solidityFiles(CONTRACTS_DIR)) {
      const source = await readFile(file, "utf8");
      const name = relative(CONTRACTS_DIR, file);
      for (const match of source.matchAll(/@custom:storage-location erc7201:([\w.]+)/g)) {
        const namespace = match[1]!;
        // The constant that follows the annotated struct holds the slot.
        const after = source.slice(match.index);
        const constant = /bytes32 private constant \w+ =\s*(0x[0-9a-fA-F]{64});/.exec(after);
        expect(constant, `${name}: no slot constant after ${namespace}`).to.not.equal(null);
        expect(constant![1]!.toLowerCase(), `${name}: slot of ${namespace}`).to.equal(erc7201Slot(namespace));
        // Mocks of a next version deliberately re-declare the namespace they upgrade.
        if (!name.startsWith("mocks/")) {
          expect(seen.get(namespace), `${namespace} declared twice`).to.equal(undefined);
          seen.set(namespace, name);
        }
      }
    }
    expect([...seen.keys()].sort()).to.include.members([
      "starminer.storage.NodeRegistry",
      "starminer.storage.Reputation",
      "starminer.storage.Staking",
      "starminer.storage.Treasury",
    ]);
  });
});

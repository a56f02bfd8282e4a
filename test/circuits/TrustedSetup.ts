import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  type CeremonyTranscript,
  DEVELOPMENT_PHASE1,
  blake2bOfFile,
  checkCommittedKey,
  compileCircuit,
  productionProblems,
  readTranscript,
} from "../../scripts/lib/zk/ceremony.js";
import { CIRCUITS, type CircuitName, circuitPaths } from "../../scripts/lib/zk/circuits.js";
import { releaseProver } from "../../scripts/lib/zk/groth16.js";
import { PUBLIC_PHASE1 } from "../../scripts/lib/zk/phase1.js";
import { expectRejection } from "../support/assertions.js";
import { runNode } from "../support/processes.js";

const NAMES = Object.keys(CIRCUITS) as CircuitName[];
const CEREMONY = join("scripts", "zk", "ceremony.ts");

/** Runs a step of the ceremony tool as a contributor would, and returns its output; fails the test if it fails. */
async function ceremony(...args: string[]): Promise<string> {
  const run = await runNode(["--import", "tsx", CEREMONY, ...args]);
  expect(run.code, `${args.join(" ")}\n${run.stdout}\n${run.stderr}`).to.equal(0);
  return run.stdout;
}

describe("Trusted setup", function () {
  this.timeout(300_000);
  const work = join(tmpdir(), `starminer-setup-test-${process.pid}`);
  after(async () => {
    await rm(work, { recursive: true, force: true });
    await releaseProver();
  });

  describe("the committed keys", () => {
    it("each verify from scratch against their R1CS and phase 1, with the transcript, verification key and verifier beside them", async () => {
      for (const name of NAMES) {
        expect((await readTranscript(name)).phase1.blake2b).to.equal(await blake2bOfFile(DEVELOPMENT_PHASE1));
        expect(await checkCommittedKey(name, DEVELOPMENT_PHASE1), name).to.deep.equal([]);
      }
    });

    it("were made for what the circuit sources compile to: the same R1CS and witness generator", async () => {
      for (const name of NAMES) {
        const out = join(work, "compiled", name);
        await compileCircuit(circuitPaths(name).source, out);
        expect(await blake2bOfFile(join(out, `${name}.r1cs`)), `${name}.r1cs`).to.equal(
          (await readTranscript(name)).r1cs,
        );
        expect(
          (await readFile(join(out, `${name}_js`, `${name}.wasm`))).equals(await readFile(circuitPaths(name).wasm)),
          `${name}.wasm`,
        ).to.equal(true);
      }
    });

    it("are development keys, and say so: one contributor, no beacon, a phase 1 nobody else can check", async () => {
      for (const name of NAMES) {
        const transcript = await readTranscript(name);
        expect(transcript.kind).to.equal("development");
        expect(transcript.contributions.map((c) => c.name)).to.deep.equal([
          "StarMiner development key: one contributor, not for production",
        ]);
        expect(productionProblems(transcript)).to.deep.equal([
          `${name}'s key is a development key`,
          `${name}'s phase 1 (development.ptau) is not a pinned public ceremony`,
          `${name}'s key has 1 phase-2 contribution(s) by 1 distinct name(s); production needs at least 3 independent contributors`,
          `${name}'s key does not end with a random beacon`,
        ]);
      }
    });

    it("pin the public phase-1 files by their published blake2b-512 hashes", () => {
      expect(PUBLIC_PHASE1.map((entry) => entry.power)).to.deep.equal([12, 13, 14, 15, 16]);
      for (const entry of PUBLIC_PHASE1) {
        expect(entry.blake2b).to.match(/^[0-9a-f]{128}$/);
        expect(entry.url).to.equal(`https://storage.googleapis.com/zkevm/ptau/${entry.file}`);
      }
    });
  });

  describe("a multi-party ceremony (compute_commitment, rehearsed on the development phase 1)", () => {
    const dir = join(work, "ceremony");
    const out = join(work, "installed");
    const paths = circuitPaths("compute_commitment", out);
    let transcript: CeremonyTranscript;

    before(async () => {
      await ceremony("new", "--development", "--ptau", DEVELOPMENT_PHASE1, "--dir", dir, "compute_commitment");
      for (const name of ["Alice", "Bob", "Carol"]) await ceremony("contribute", "--dir", dir, "--name", name);
      await ceremony("beacon", "--dir", dir, "--value", "0x00c0ffee", "--source", "block 1000 of chain 1");
      await ceremony("finish", "--dir", dir, "--ptau", DEVELOPMENT_PHASE1, "--out", out);
      transcript = await readTranscript("compute_commitment", paths);
    });

    it("starts only on a pinned public phase 1, unless told it is a rehearsal", async () => {
      const run = await runNode([
        "--import",
        "tsx",
        CEREMONY,
        "new",
        "--ptau",
        DEVELOPMENT_PHASE1,
        "--dir",
        join(work, "refused"),
      ]);
      expect(run.code).to.equal(1);
      expect(run.stderr.trim()).to.match(
        /^zk:ceremony: .*development\.ptau is not a pinned public phase-1 file \(blake2b [0-9a-f]{16}…\): use one of powersOfTau28_hez_final_12\.ptau, .* or --development for a rehearsal$/,
      );
    });

    it("records each contribution in order, the beacon last, and the key verifies from scratch", async () => {
      expect(transcript.contributions.map((c) => c.name)).to.deep.equal([
        "Alice",
        "Bob",
        "Carol",
        "beacon: block 1000 of chain 1",
      ]);
      expect(transcript.contributions.at(-1)!.beacon).to.deep.equal({ value: "00c0ffee", iterationsExp: 10 });
      expect(new Set(transcript.contributions.map((c) => c.hash)).size).to.equal(4);
      expect(await checkCommittedKey("compute_commitment", DEVELOPMENT_PHASE1, paths)).to.deep.equal([]);
      // With its phase 1 trusted, this is what production asks for (a real one names a pinned public file).
      const trusted = [transcript.phase1.blake2b];
      expect(productionProblems({ ...transcript, kind: "production" }, trusted)).to.deep.equal([]);
      expect(productionProblems({ ...transcript, kind: "production" })).to.deep.equal([
        "compute_commitment's phase 1 (development.ptau) is not a pinned public ceremony",
      ]);
    });

    it("is refused when its transcript hides, renames or invents a contribution", async () => {
      const original = await readFile(paths.transcript, "utf8");
      const rewrite = async (change: (t: CeremonyTranscript) => CeremonyTranscript) => {
        await writeFile(paths.transcript, JSON.stringify(change(JSON.parse(original) as CeremonyTranscript)));
        return checkCommittedKey("compute_commitment", DEVELOPMENT_PHASE1, paths);
      };
      try {
        const contributions = transcript.contributions;
        for (const changed of [
          { ...transcript, contributions: contributions.slice(1) },
          { ...transcript, contributions: [{ ...contributions[0]!, name: "Mallory" }, ...contributions.slice(1)] },
          { ...transcript, contributions: [{ name: "Dave", hash: "00".repeat(64) }, ...contributions] },
        ]) {
          expect(await rewrite(() => changed)).to.deep.equal([
            "compute_commitment: the key's contributions are not the transcript's",
          ]);
        }
      } finally {
        await writeFile(paths.transcript, original);
      }
    });

    it("is refused against another phase 1, another R1CS or another verifier", async () => {
      const otherPhase1 = join(work, "other.ptau");
      const bytes = await readFile(DEVELOPMENT_PHASE1);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      await writeFile(otherPhase1, bytes);
      expect(await checkCommittedKey("compute_commitment", otherPhase1, paths)).to.deep.equal([
        "compute_commitment: the phase-1 file given is not the one the transcript names (development.ptau)",
      ]);

      const r1cs = await readFile(paths.r1cs);
      const verifier = await readFile(paths.verifier, "utf8");
      try {
        await writeFile(paths.r1cs, await readFile(circuitPaths("capability").r1cs));
        expect(await checkCommittedKey("compute_commitment", DEVELOPMENT_PHASE1, paths)).to.deep.equal([
          "compute_commitment: the R1CS is not the one the transcript names",
        ]);
        await writeFile(paths.r1cs, r1cs);
        // The committed development verifier: a contract from another key, with the same name.
        await writeFile(paths.verifier, await readFile(circuitPaths("compute_commitment").verifier, "utf8"));
        expect(await checkCommittedKey("compute_commitment", DEVELOPMENT_PHASE1, paths)).to.deep.equal([
          "compute_commitment: ComputeCommitmentVerifier.sol is not the key's verifier",
        ]);
      } finally {
        await writeFile(paths.r1cs, r1cs);
        await writeFile(paths.verifier, verifier);
      }
    });

    it("is refused for production with two contributions under one name, or without its beacon", () => {
      const trusted = [transcript.phase1.blake2b];
      const [alice, bob, , beacon] = transcript.contributions;
      const production = { ...transcript, kind: "production" as const };
      expect(
        productionProblems({ ...production, contributions: [alice!, bob!, { ...bob!, hash: "ab" }, beacon!] }, trusted),
      ).to.deep.equal([
        "compute_commitment's key has 3 phase-2 contribution(s) by 2 distinct name(s); production needs at least 3 independent contributors",
      ]);
      expect(
        productionProblems({ ...production, contributions: transcript.contributions.slice(0, 3) }, trusted),
      ).to.deep.equal(["compute_commitment's key does not end with a random beacon"]);
    });
  });

  describe("DenseLayer's preconditions, asserted when an instance is compiled", () => {
    async function compileInstance(inputs: number, outputs: number): Promise<void> {
      const source = (await readFile(circuitPaths("dense_layer").source, "utf8")).replace(
        "= DenseLayer(16, 16);",
        `= DenseLayer(${inputs}, ${outputs});`,
      );
      const dir = join(work, `instance-${inputs}x${outputs}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "dense_layer.circom"), source);
      await compileCircuit(join(dir, "dense_layer.circom"), dir);
    }

    it("refuse 30 inputs: an accumulator could outgrow the 20-bit ReLU", async () => {
      await expectRejection(compileInstance(30, 1), /assert\(N \* 128 \* 128 \+ 32768 < \(1 << 19\)\)/);
    });

    it("refuse a model that does not fit one Poseidon hash (16 inputs × 28 outputs)", async () => {
      await expectRejection(compileInstance(16, 28), /assert\(\(M \* N \+ 30\) \\ 31 \+ \(M \+ 14\) \\ 15 <= 16\)/);
    });

    it("compile the largest instances they allow (29 inputs, and 29 × 14)", async () => {
      await compileInstance(29, 1);
      await compileInstance(29, 14);
    });
  });
});

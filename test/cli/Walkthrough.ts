import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { expect } from "chai";

import { ROOT, TYPESCRIPT, freePort, stopProcess, waitFor } from "../support/processes.js";

/** The shell blocks of the README's walkthrough, in order, as one script. */
async function walkthroughScript(): Promise<string> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const section = /<!-- walkthrough:start -->([\s\S]*?)<!-- walkthrough:end -->/.exec(readme)?.[1];
  if (section === undefined) throw new Error("the README has no walkthrough section");
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  if (blocks.length === 0) throw new Error("the walkthrough has no shell blocks");
  return blocks.join("\n");
}

describe("the README's walkthrough, run as written against `npm start -- --idle`", function () {
  this.timeout(600_000);

  let directory: string;
  let devnet: ChildProcess | undefined;
  const lines: string[] = [];

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-walkthrough-"));
    const port = await freePort();
    devnet = spawn(
      process.execPath,
      [
        ...TYPESCRIPT,
        "scripts/devnet.ts",
        "--idle",
        "--no-indexer",
        "--port",
        String(port),
        "--directory",
        join(directory, "devnet"),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    devnet.stdout!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    devnet.stderr!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
    await waitFor("the idle devnet", async () => lines.some((line) => line === "Ctrl-C stops everything"), 300_000);
  });

  after(async () => {
    await stopProcess(devnet, "SIGINT");
    await rm(directory, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  });

  it("takes a job from submission to settlement, a provider from registration to unbonding, and a proposal to execution", async () => {
    // What a user pastes: the devnet's export lines.
    const exported = Object.fromEntries(
      lines.flatMap((line) => {
        const match = /^ {2}export (STARMINER_[A-Z_]+)=(.*)$/.exec(line);
        return match === null ? [] : [[match[1]!, match[2]!]];
      }),
    );
    expect(Object.keys(exported)).to.include.members([
      "STARMINER_RPC_URL",
      "STARMINER_MANIFEST_DIR",
      "STARMINER_CONTENT_DIR",
    ]);
    // The walkthrough's keys are the free accounts the devnet printed.
    const keys = lines.flatMap((line) => /^ {2}0x[0-9a-fA-F]{40} {2}(0x[0-9a-f]{64}) /.exec(line)?.[1] ?? []);
    const script = await walkthroughScript();
    for (const key of script.match(/STARMINER_PRIVATE_KEY=(0x[0-9a-f]{64})/g)!) {
      expect(keys, key).to.include(key.split("=")[1]);
    }

    const { stdout } = await new Promise<{ stdout: string }>((done, fail) =>
      execFile(
        "bash",
        ["-euo", "pipefail", "-c", script],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ...exported,
            STARMINER_HOME: join(directory, "home"),
            // `npx` and the CLI run on the same Node as this test.
            PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, out, err) =>
          error === null ? done({ stdout: out }) : fail(new Error(`${error.message}\n${out}\n${err}`)),
      ),
    );
    // Each role's last step shows where it ended.
    expect(stdout).to.match(/^status +Settled$/m);
    expect(stdout).to.match(/^unbonding +1000 AGPU$/m);
    expect(stdout).to.match(/^state +Executed$/m);
  });
});

import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Address } from "viem";

import ProtocolModule from "../../ignition/modules/Protocol.js";
import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { HARDHAT_CLI, ROOT, freePort, rpc, runNode, startNode, stopProcess } from "../support/processes.js";
import { productionParameters } from "../support/production.js";

/** Runs the deploy command as a user would, and returns its exit code and output. */
const deploy = (env: Record<string, string>) =>
  runNode([HARDHAT_CLI, "run", "scripts/deploy.ts", "--network", "localhost"], env);

describe("Deploying to a local hardhat node", function () {
  this.timeout(300_000);

  let node: ChildProcess | undefined;
  let env: Record<string, string>;
  let url: string;
  let manifestDir: string;
  let deploymentId: string;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    manifestDir = await mkdtemp(join(tmpdir(), "starminer-local-"));
    deploymentId = `test-${process.pid}-${port}`;
    // A production deployment names its guardian, its genesis distribution and its bridge validators (three of the
    // node's accounts, two of them to sign).
    const parameters = join(manifestDir, "parameters.json");
    const account = (index: number) => devAccount(index).address as Address;
    await writeFile(
      parameters,
      JSON.stringify(
        productionParameters({
          guardian: account(4),
          voters: [account(5), account(6), account(7)],
          beneficiary: account(8),
          bridgeValidators: [1, 2, 3].map(account),
        }),
      ),
    );
    env = {
      STARMINER_LOCAL_RPC_URL: url,
      STARMINER_MANIFEST_DIR: manifestDir,
      STARMINER_DEPLOYMENT_ID: deploymentId,
      STARMINER_DEPLOY_PARAMETERS: parameters,
    };
    node = await startNode(port);
  });

  after(async () => {
    await stopProcess(node);
    await rm(manifestDir, { recursive: true, force: true });
    await rm(join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  const readManifest = async () =>
    JSON.parse(await readFile(join(manifestDir, "31337.json"), "utf8")) as {
      contracts: Record<string, { address: string; startBlock: number }>;
      vesting?: Record<string, string>;
    };

  it("refuses, in one line, a production deployment that names no guardian, distribution or validators", async () => {
    const blockBefore = await rpc(url, "eth_blockNumber");
    const { STARMINER_DEPLOY_PARAMETERS: _, ...withoutParameters } = env;
    const result = await deploy(withoutParameters);
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      "deploy failed: a production deployment names its guardian, its token distribution and the bridge's " +
        "validators: set Authority.guardian, Distribution, Bridge.validators, Bridge.threshold in the " +
        "STARMINER_DEPLOY_PARAMETERS file",
    );
    expect(await rpc(url, "eth_blockNumber")).to.equal(blockBefore);
  });

  it("deploys the protocol and writes a manifest whose every address holds code", async () => {
    const result = await deploy(env);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/manifest: .*31337\.json/);
    expect(result.stdout).to.match(/handed over: only governance holds ADMIN and GOVERNOR/);
    expect(result.stdout).to.match(/every genesis token is handed out and no account can meet the quorum alone/);
    const manifest = await readManifest();
    expect(Object.keys(manifest.contracts)).to.have.length(Object.keys(ProtocolModule.results).length);
    expect(Object.keys(manifest.vesting ?? {})).to.deep.equal(["core_1"]);
    for (const contract of Object.values(manifest.contracts)) {
      expect(await rpc(url, "eth_getCode", [contract.address, "latest"])).to.not.equal("0x");
    }
  });

  it("confirms a finished deployment when run again, deploying nothing twice", async () => {
    const before = await readManifest();
    const blockBefore = await rpc(url, "eth_blockNumber");
    const result = await deploy(env);
    expect(result.code, result.stderr).to.equal(0);
    expect((await readManifest()).contracts).to.deep.equal(before.contracts);
    expect(await rpc(url, "eth_blockNumber")).to.equal(blockBefore);
  });

  it("refuses, in one line, a journal that describes a restarted node's old chain; a reset redeploys", async () => {
    const port = Number(new URL(url).port);
    await stopProcess(node);
    node = await startNode(port);
    const stale = await deploy(env);
    expect(stale.code).to.equal(1);
    expect(stale.stderr.trim().split("\n")).to.have.length(1);
    expect(stale.stderr).to.match(/deploy failed: AccessManager at 0x[0-9a-fA-F]{40} has no code on chain 31337/);

    const reset = await deploy({ ...env, STARMINER_DEPLOY_RESET: "1" });
    expect(reset.code, reset.stderr).to.equal(0);
    const manifest = await readManifest();
    expect(await rpc(url, "eth_getCode", [manifest.contracts.AGPU!.address, "latest"])).to.not.equal("0x");
  });

  it("says in one line that the node cannot be reached when it is down", async () => {
    await stopProcess(node);
    const result = await deploy(env);
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      'deploy failed: cannot reach network "localhost": is its node running and its RPC URL right?',
    );
  });
});

import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { type Hash, decodeFunctionData, parseEther } from "viem";
import { describeError, writeAndWait } from "@starminer/sdk";

import { deployProtocol } from "../../scripts/deploy/protocol.js";
import { type BridgeSide, connectBridgeSide, sentTransfers } from "../../scripts/lib/bridge/gateway.js";
import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { graphql, rest, startIndexer } from "../support/indexer.js";
import {
  Background,
  HARDHAT_CLI,
  ROOT,
  type Run,
  freePort,
  rpc,
  runNode,
  startNode,
  stopProcess,
  waitFor,
} from "../support/processes.js";

const CLI = join(ROOT, "bin", "starminer.mjs");
const HOME_CHAIN = 31337;
const REMOTE_CHAIN = 31338;
const HOUR = 3_600n;
/** Each gateway lets 1 000 AGPU out and 1 000 in per hour. */
const LIMIT = { ratePeriod: HOUR, maxOutgoing: parseEther("1000"), maxIncoming: parseEther("1000") };

const deployer = devAccount(0);
const alice = devAccount(1);
const bob = devAccount(2);
const carol = devAccount(3);
const validators = [devAccount(5), devAccount(6), devAccount(7)];
const relayerAccount = devAccount(8);

interface Supply {
  /** What the home gateway says it holds, and what it does hold. */
  readonly locked: bigint;
  readonly held: bigint;
  /** BridgedAGPU in existence on the remote chain. */
  readonly minted: bigint;
  /** Sent and not yet completed, each way. */
  readonly outInFlight: bigint;
  readonly backInFlight: bigint;
}

describe("The bridge between two local chains (end to end: CLI, validators, relayer, indexer)", function () {
  this.timeout(600_000);

  let workDir: string;
  let manifestDir: string;
  let homeUrl: string;
  let remoteUrl: string;
  const nodes: ChildProcess[] = [];
  const background: Background[] = [];
  const deploymentIds = [`bridge-home-${process.pid}`, `bridge-remote-${process.pid}`];
  let home: BridgeSide;
  let remote: BridgeSide;
  let validatorPorts: number[];
  let relayer: Background;

  const environment = (key: `0x${string}`, rpcUrl = homeUrl) => ({
    STARMINER_RPC_URL: rpcUrl,
    STARMINER_MANIFEST_DIR: manifestDir,
    STARMINER_HOME: join(workDir, "home"),
    STARMINER_PRIVATE_KEY: key,
  });
  const starminer = (key: `0x${string}`, rpcUrl: string, args: string[]) =>
    runNode([CLI, ...args], environment(key, rpcUrl));
  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
  };

  /** `npm run deploy:remote` against the remote node, with the bridge's parameters and `env`. */
  const deployRemote = (env: Record<string, string>) =>
    runNode([HARDHAT_CLI, "run", "scripts/deploy-remote.ts", "--network", "localhost"], {
      STARMINER_LOCAL_RPC_URL: remoteUrl,
      STARMINER_MANIFEST_DIR: manifestDir,
      STARMINER_DEPLOYMENT_ID: deploymentIds[1]!,
      STARMINER_DEPLOY_PARAMETERS: join(workDir, "remote-parameters.json"),
      ...env,
    });

  const startValidator = async (index: number) => {
    const service = Background.start(
      [
        CLI,
        "--json",
        "bridge",
        "validator",
        "--chain",
        homeUrl,
        "--chain",
        remoteUrl,
        "--port",
        String(validatorPorts[index]),
      ],
      environment(validators[index]!.privateKey),
    );
    background.push(service);
    await service.waitForLine(/"listening"/);
    return service;
  };
  const relayerJournal = () => join(workDir, "relay-journal.json");
  const startRelayer = () => {
    const started = Background.start(
      [
        CLI,
        "--json",
        "bridge",
        "relay",
        "--chain",
        homeUrl,
        "--chain",
        remoteUrl,
        ...validatorPorts.flatMap((port) => ["--validator", `http://127.0.0.1:${port}`]),
        "--journal",
        relayerJournal(),
        "--poll-ms",
        "200",
      ],
      environment(relayerAccount.privateKey),
    );
    background.push(started);
    return started;
  };

  /** The sum of the transfers `source` sent to `destination` that `destination` has not completed. */
  const inFlight = async (source: BridgeSide, destination: BridgeSide) => {
    const latest = await source.publicClient.getBlockNumber({ cacheTime: 0 });
    let sum = 0n;
    for (const sent of await sentTransfers(source, destination.chainId, source.startBlock, latest)) {
      if (!(await destination.gateway.read.isCompleted([sent.digest]))) sum += sent.transfer.amount;
    }
    return sum;
  };
  const supply = async (): Promise<Supply> => ({
    locked: await home.gateway.read.totalLocked(),
    held: await home.token.read.balanceOf([home.gateway.address]),
    minted: await remote.token.read.totalSupply(),
    outInFlight: await inFlight(home, remote),
    backInFlight: await inFlight(remote, home),
  });
  /**
   * The supply once two readings in a row agree. Each reading takes several calls on two chains while the relayer
   * runs: a completion landing between them (the remote mint read before it, the in-flight check after) would look
   * like a broken invariant.
   */
  const settledSupply = async (): Promise<Supply> => {
    let previous = await supply();
    for (let reading = 0; reading < 20; reading++) {
      const now = await supply();
      if ((Object.keys(now) as (keyof Supply)[]).every((key) => now[key] === previous[key])) return now;
      previous = now;
    }
    throw new Error("the bridge's supply kept changing for 20 readings in a row");
  };
  /** AGPU locked at home is BridgedAGPU minted on the remote chain plus what is on its way either way. */
  const expectSupplyInvariant = async (step: string): Promise<Supply> => {
    const now = await settledSupply();
    expect(now.held, `${step}: the home gateway holds what it counts as locked`).to.equal(now.locked);
    expect(now.locked, `${step}: locked = minted + in flight`).to.equal(
      now.minted + now.outInFlight + now.backInFlight,
    );
    return now;
  };
  const completed = (side: BridgeSide, digest: Hash) => side.gateway.read.isCompleted([digest]);
  /** Alice sends `amount` AGPU from home to Bob on the remote chain through the CLI. */
  const sendOut = async (amount: string) =>
    json<{ digest: Hash; nonce: string }>(
      await starminer(alice.privateKey, homeUrl, [
        "--json",
        "bridge",
        "transfer",
        String(REMOTE_CHAIN),
        bob.address,
        amount,
      ]),
    );

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), "starminer-bridge-"));
    manifestDir = join(workDir, "manifests");
    const [homePort, remotePort] = [await freePort(), await freePort()];
    validatorPorts = [await freePort(), await freePort(), await freePort()];
    homeUrl = `http://127.0.0.1:${homePort}`;
    remoteUrl = `http://127.0.0.1:${remotePort}`;
    nodes.push(await startNode(homePort, HOME_CHAIN), await startNode(remotePort, REMOTE_CHAIN));

    const bridgeParameters = {
      validators: validators.map((v) => v.address),
      threshold: 2n,
      ...LIMIT,
    };
    await writeFile(
      join(workDir, "remote-parameters.json"),
      JSON.stringify({ RemoteBridge: bridgeParameters }, (_, value) =>
        typeof value === "bigint" ? value.toString() : value,
      ),
    );
    const homeConnection = await network.create({ network: "localhost", override: { url: homeUrl } });
    const { manifest: homeManifest } = await deployProtocol(homeConnection, {
      handOver: false,
      manifestDir,
      deploymentId: deploymentIds[0]!,
      parameters: { Bridge: bridgeParameters },
    });
    await homeConnection.close();
    // The remote side is deployed by its script, as an operator would.
    const remoteDeploy = await deployRemote({
      STARMINER_HOME_CHAIN_ID: String(HOME_CHAIN),
      STARMINER_DEPLOY_DEVELOPMENT: "1",
    });
    expect(remoteDeploy.code, remoteDeploy.stderr).to.equal(0);
    expect(remoteDeploy.stdout).to.include(`manifest: ${join(manifestDir, `${REMOTE_CHAIN}.json`)}`);
    expect(remoteDeploy.stdout).to.match(/pair the home gateway with it: BridgeGateway\.setCounterpart\(31338, 0x/);

    // The development deployer still governs home: it pairs the home gateway with the remote one.
    const governingHome = await connectBridgeSide(homeUrl, { privateKey: deployer.privateKey, manifestDir });
    const remoteGateway = (await connectBridgeSide(remoteUrl, { manifestDir })).gateway.address;
    await writeAndWait(governingHome, governingHome.gateway, "setCounterpart", [BigInt(REMOTE_CHAIN), remoteGateway]);
    await writeAndWait(governingHome, governingHome.token, "transfer", [alice.address, parseEther("5000")]);

    home = await connectBridgeSide(homeUrl, { manifestDir });
    remote = await connectBridgeSide(remoteUrl, { manifestDir });
    for (let i = 0; i < validators.length; i++) await startValidator(i);
    relayer = startRelayer();
    await relayer.waitForLine(/relaying between chains 31337 and 31338/);
  });

  after(async () => {
    for (const running of background) await running.stop();
    for (const node of nodes) await stopProcess(node);
    await rm(workDir, { recursive: true, force: true });
    for (const id of deploymentIds) {
      await rm(join(ROOT, "ignition", "deployments", id), { recursive: true, force: true });
    }
  });

  it("deploys a remote chain only with its home chain named, and in production only to a governing contract", async () => {
    const blockBefore = await rpc(remoteUrl, "eth_blockNumber");
    const noHome = await deployRemote({ STARMINER_DEPLOYMENT_ID: "bridge-refused" });
    expect(noHome.stderr.trim()).to.equal(
      "deploy failed: STARMINER_HOME_CHAIN_ID must name the home chain (a positive integer)",
    );
    const noGovernor = await deployRemote({
      STARMINER_HOME_CHAIN_ID: String(HOME_CHAIN),
      STARMINER_DEPLOYMENT_ID: "bridge-refused",
    });
    expect(noGovernor.stderr.trim()).to.equal(
      "deploy failed: STARMINER_REMOTE_GOVERNOR must be the address of the contract that governs this chain",
    );
    const plainGovernor = await deployRemote({
      STARMINER_HOME_CHAIN_ID: String(HOME_CHAIN),
      STARMINER_DEPLOYMENT_ID: "bridge-refused",
      STARMINER_REMOTE_GOVERNOR: deployer.address,
    });
    expect(plainGovernor.stderr.trim()).to.match(
      /^deploy failed: a production deployment names its validators, threshold and guardian/,
    );
    expect([noHome.code, noGovernor.code, plainGovernor.code]).to.deep.equal([1, 1, 1]);
    expect(await rpc(remoteUrl, "eth_blockNumber")).to.equal(blockBefore);
  });

  it("carries AGPU out and back, locked at home equal to minted remotely after every step", async () => {
    await expectSupplyInvariant("before any transfer");

    const out = await sendOut("300");
    expect(out.nonce).to.equal("0");
    await expectSupplyInvariant("300 AGPU sent out");
    await waitFor("the transfer out to complete", () => completed(remote, out.digest));
    const afterOut = await expectSupplyInvariant("300 AGPU arrived");
    expect(afterOut.locked).to.equal(parseEther("300"));
    expect(await remote.token.read.balanceOf([bob.address])).to.equal(parseEther("300"));

    const back = json<{ digest: Hash; completedIn: Hash }>(
      await starminer(bob.privateKey, remoteUrl, [
        "--json",
        "bridge",
        "transfer",
        String(HOME_CHAIN),
        carol.address,
        "120",
        "--wait",
        homeUrl,
      ]),
    );
    expect(await completed(home, back.digest)).to.equal(true);
    expect((await home.publicClient.getTransactionReceipt({ hash: back.completedIn })).status).to.equal("success");
    const afterBack = await expectSupplyInvariant("120 AGPU came back");
    expect([afterBack.locked, afterBack.minted]).to.deep.equal([parseEther("180"), parseEther("180")]);
    expect(await home.token.read.balanceOf([carol.address])).to.equal(parseEther("120"));
    expect(await remote.token.read.balanceOf([bob.address])).to.equal(parseEther("180"));

    const homeStatus = json<{ locked: string; sent: string }>(
      await starminer(alice.privateKey, homeUrl, ["--json", "bridge", "status", "--digest", back.digest]),
    );
    expect(homeStatus).to.include({ locked: parseEther("180").toString(), sent: "1", completed: true });
    const remoteStatus = json<{ minted: string }>(
      await starminer(bob.privateKey, remoteUrl, ["--json", "bridge", "status"]),
    );
    expect(remoteStatus).to.include({ minted: parseEther("180").toString(), threshold: "2" });
  });

  it("refuses over the rate limit, to an unpaired chain, or to a bad recipient, before anything is sent", async () => {
    const blockBefore = await rpc(homeUrl, "eth_blockNumber");
    // 300 of this hour's 1 000 have gone out already.
    const overLimit = await starminer(alice.privateKey, homeUrl, [
      "bridge",
      "transfer",
      String(REMOTE_CHAIN),
      bob.address,
      "800",
    ]);
    expect(overLimit.code).to.equal(1);
    expect(overLimit.stderr.trim()).to.equal(
      "starminer: the gateway's outgoing limit allows 700 AGPU more this period, less than 800 AGPU",
    );
    const unpaired = await starminer(alice.privateKey, homeUrl, ["bridge", "transfer", "999", bob.address, "1"]);
    expect(unpaired.code).to.equal(1);
    expect(unpaired.stderr.trim()).to.equal("starminer: the gateway on chain 31337 is not paired with chain 999");
    const badRecipient = await starminer(alice.privateKey, homeUrl, ["bridge", "transfer", "31338", "bob", "1"]);
    expect(badRecipient.code).to.equal(2);
    expect(badRecipient.stderr).to.match(/^starminer: the recipient must be an address; got "bob"/);
    expect(await rpc(homeUrl, "eth_blockNumber")).to.equal(blockBefore);
  });

  it("refuses a completion replayed on the same chain or on the other one", async () => {
    const [completion] = await remote.publicClient.getContractEvents({
      address: remote.gateway.address,
      abi: remote.gateway.abi,
      eventName: "TransferCompleted",
      fromBlock: remote.startBlock,
    });
    const { input } = await remote.publicClient.getTransaction({ hash: completion!.transactionHash });
    const { args } = decodeFunctionData({ abi: remote.gateway.abi, data: input });
    const replay = async (side: BridgeSide) => {
      try {
        await side.publicClient.simulateContract({
          address: side.gateway.address,
          abi: side.gateway.abi,
          functionName: "complete",
          args: args as never,
          account: relayerAccount.address,
        });
      } catch (error) {
        return describeError(error);
      }
      return "accepted";
    };
    expect(await replay(remote)).to.match(/^the contract refused: BridgeAlreadyCompleted\(0x[0-9a-f]{64}\)$/);
    expect(await replay(home)).to.equal(`the contract refused: BridgeWrongDestination(${REMOTE_CHAIN})`);
  });

  it("does not count a removed validator's signature: the transfer waits until enough current ones sign", async () => {
    // Governance on the remote chain removes the third validator; then the first one's service goes down.
    const governingRemote = await connectBridgeSide(remoteUrl, { privateKey: deployer.privateKey, manifestDir });
    await writeAndWait(governingRemote, governingRemote.gateway, "setValidators", [
      [validators[0]!.address, validators[1]!.address],
      2n,
    ]);
    await background[0]!.stop();

    const sent = await sendOut("25");
    await relayer.waitForLine(/1 of 2 validator signatures .*is not a validator on chain 31338/);
    expect(await completed(remote, sent.digest)).to.equal(false);
    const waiting = await expectSupplyInvariant("25 AGPU waiting for signatures");
    expect(waiting.outInFlight).to.equal(parseEther("25"));

    await startValidator(0);
    await waitFor("the waiting transfer to complete", () => completed(remote, sent.digest));
    await expectSupplyInvariant("25 AGPU arrived");
  });

  it("completes a transfer exactly once, with the journalled transaction, when the relayer is killed mid-completion", async () => {
    // The remote chain stops mining on its own: the relayer's completion waits in its mempool.
    await rpc(remoteUrl, "evm_setAutomine", [false]);
    const relayerNonce = async () =>
      remote.publicClient.getTransactionCount({ address: relayerAccount.address, blockTag: "latest" });
    const nonceBefore = await relayerNonce();

    const sent = await sendOut("50");
    const journalled = async () => {
      const journal = JSON.parse(await readFile(relayerJournal(), "utf8")) as {
        lanes: Record<string, { submitted: Record<string, { transaction: Hash }> }>;
      };
      return journal.lanes[`${HOME_CHAIN}->${REMOTE_CHAIN}`]!.submitted[sent.digest];
    };
    await waitFor("the relayer to journal its completion", async () => (await journalled()) !== undefined);
    const { transaction } = (await journalled())!;
    await relayer.kill();
    await expectSupplyInvariant("relayer killed with 50 AGPU in flight");
    // Harder still: the node lost the transaction, as if the relayer had died between journalling and broadcasting.
    expect(await rpc(remoteUrl, "hardhat_dropTransaction", [transaction])).to.equal(true);

    relayer = startRelayer();
    await relayer.waitForLine(/relaying between chains/);
    await waitFor("the restarted relayer to broadcast the journalled completion again", async () => {
      const pending = (await rpc(remoteUrl, "eth_getTransactionByHash", [transaction])) as object | null;
      return pending !== null;
    });
    await rpc(remoteUrl, "evm_mine");
    await rpc(remoteUrl, "evm_setAutomine", [true]);
    await waitFor("the journalled completion to be mined", () => completed(remote, sent.digest));
    await relayer.waitForLine(new RegExp(`"event":"completed","digest":"${sent.digest}"`));

    const completions = await remote.publicClient.getContractEvents({
      address: remote.gateway.address,
      abi: remote.gateway.abi,
      eventName: "TransferCompleted",
      args: { digest: sent.digest },
      fromBlock: remote.startBlock,
    });
    expect(completions.map((log) => log.transactionHash)).to.deep.equal([transaction]);
    expect(await relayerNonce()).to.equal(nonceBefore + 1);
    const settled = await expectSupplyInvariant("after the restart");
    expect([settled.outInFlight, settled.backInFlight]).to.deep.equal([0n, 0n]);
    expect(settled.locked).to.equal(parseEther("255"));
  });

  it("cancels a transfer the destination's limit can never let in, and refunds its sender on the source once", async () => {
    // Governance on the remote chain lowers its incoming limit to 10 AGPU an hour: a 40 AGPU transfer is stuck.
    const governingRemote = await connectBridgeSide(remoteUrl, { privateKey: deployer.privateKey, manifestDir });
    await writeAndWait(governingRemote, governingRemote.gateway, "setRateLimit", [
      { period: Number(HOUR), maxOutgoing: LIMIT.maxOutgoing, maxIncoming: parseEther("10") },
    ]);
    const aliceBefore = await home.token.read.balanceOf([alice.address]);
    const stuck = await sendOut("40");
    await relayer.waitForLine(/BridgeRateLimited/);
    const validatorArgs = validatorPorts.flatMap((port) => ["--validator", `http://127.0.0.1:${port}`]);

    // No validator signs a refund of a transfer that could still complete.
    const early = await starminer(carol.privateKey, homeUrl, ["bridge", "refund", stuck.nonce, ...validatorArgs]);
    expect(early.code).to.equal(1);
    expect(early.stderr.trim()).to.match(/^starminer: 0 of 2 validator signatures \(.*is not cancelled on chain 31338/);
    // Only the recipient may decline a transfer within the limit; this one is over it, so anyone may cancel it.
    const cancel = (asJson: boolean) =>
      starminer(carol.privateKey, remoteUrl, [
        ...(asJson ? ["--json"] : []),
        "bridge",
        "cancel",
        String(HOME_CHAIN),
        stuck.nonce,
        "--source",
        homeUrl,
      ]);
    const cancelled = json<{ digest: Hash }>(await cancel(true));
    expect(cancelled.digest).to.equal(stuck.digest);
    await relayer.waitForLine(/was cancelled on its destination/);
    const again = await cancel(false);
    expect(again.stderr.trim()).to.equal(`starminer: transfer ${stuck.nonce} was cancelled on chain 31338`);

    // Anyone submits the refund with the validators' signatures over the cancellation.
    json(await starminer(carol.privateKey, homeUrl, ["--json", "bridge", "refund", stuck.nonce, ...validatorArgs]));
    expect(await home.token.read.balanceOf([alice.address])).to.equal(aliceBefore);
    await expectSupplyInvariant("40 AGPU cancelled and refunded");
    const twice = await starminer(carol.privateKey, homeUrl, ["bridge", "refund", stuck.nonce, ...validatorArgs]);
    expect(twice.code).to.equal(1);
    expect(twice.stderr.trim()).to.equal(`starminer: transfer ${stuck.nonce} was refunded already`);
    const homeStatus = json<Record<string, unknown>>(
      await starminer(carol.privateKey, homeUrl, ["--json", "bridge", "status", "--digest", stuck.digest]),
    );
    expect(homeStatus).to.include({ sentFromHere: true, refunded: true });
    const remoteStatus = json<Record<string, unknown>>(
      await starminer(carol.privateKey, remoteUrl, ["--json", "bridge", "status", "--digest", stuck.digest]),
    );
    expect(remoteStatus).to.include({ completed: false, cancelled: true });

    // The lane is free again: a transfer within the limit goes through.
    await writeAndWait(governingRemote, governingRemote.gateway, "setRateLimit", [
      { period: Number(HOUR), maxOutgoing: LIMIT.maxOutgoing, maxIncoming: LIMIT.maxIncoming },
    ]);
    const next = await sendOut("5");
    await waitFor("the next transfer to complete", () => completed(remote, next.digest));
    await expectSupplyInvariant("5 AGPU arrived after the refund");
  });

  it("shows every transfer on both sides through the indexer following both chains", async () => {
    const indexer = await startIndexer({
      rpcUrl: homeUrl,
      remoteRpcUrl: remoteUrl,
      manifestDir,
      port: await freePort(),
      schema: "bridge_test",
      database: { pgliteDir: join(workDir, "pglite") },
      reset: true,
    });
    try {
      type Row = {
        id: string;
        sourceChainId: number;
        destinationChainId: number;
        nonce: string;
        amount: string;
        status: string;
        sentTxHash: string | null;
        completedTxHash: string | null;
        refundedTxHash: string | null;
      };
      let rows: Row[] = [];
      await waitFor(
        "the indexer to show five completed transfers and a refunded one",
        async () => {
          const response = await graphql<{ bridgeTransfers: { items: Row[] } }>(
            indexer.url,
            `
              {
                bridgeTransfers {
                  items {
                    id
                    sourceChainId
                    destinationChainId
                    nonce
                    amount
                    status
                    sentTxHash
                    completedTxHash
                    refundedTxHash
                  }
                }
              }
            `,
          );
          rows = response.body.data?.bridgeTransfers.items ?? [];
          return (
            rows.length === 6 &&
            rows.every((row) => row.sentTxHash !== null) &&
            rows.filter((row) => row.status === "Completed").length === 5 &&
            rows.filter((row) => row.status === "Refunded").length === 1
          );
        },
        180_000,
      );
      // Each chain numbers its own transfers; the two chains' clocks need not agree, so order by lane and nonce.
      rows.sort((a, b) => a.sourceChainId - b.sourceChainId || Number(a.nonce) - Number(b.nonce));
      expect(rows.map((row) => [row.sourceChainId, row.nonce, row.destinationChainId, row.amount])).to.deep.equal([
        [HOME_CHAIN, "0", REMOTE_CHAIN, parseEther("300").toString()],
        [HOME_CHAIN, "1", REMOTE_CHAIN, parseEther("25").toString()],
        [HOME_CHAIN, "2", REMOTE_CHAIN, parseEther("50").toString()],
        [HOME_CHAIN, "3", REMOTE_CHAIN, parseEther("40").toString()],
        [HOME_CHAIN, "4", REMOTE_CHAIN, parseEther("5").toString()],
        [REMOTE_CHAIN, "0", HOME_CHAIN, parseEther("120").toString()],
      ]);
      for (const row of rows) {
        if (row.status === "Refunded") {
          // The 40 AGPU over the limit: cancelled on the remote chain, paid back at home.
          expect(row.nonce).to.equal("3");
          const refund = await home.publicClient.getTransactionReceipt({ hash: row.refundedTxHash as Hash });
          expect(refund.status).to.equal("success");
          continue;
        }
        const destination = row.destinationChainId === REMOTE_CHAIN ? remote : home;
        const receipt = await destination.publicClient.getTransactionReceipt({ hash: row.completedTxHash as Hash });
        expect(receipt.status).to.equal("success");
      }
      const remoteEvents = await graphql<{ protocolEvents: { items: { contract: string }[] } }>(
        indexer.url,
        `{ protocolEvents(where: { chainId: ${REMOTE_CHAIN}, event: "TransferCompleted" }) { items { contract } } }`,
      );
      expect(remoteEvents.body.data?.protocolEvents.items).to.have.length(4);

      // Over REST, newest first by lane and nonce, in pages; and one transfer with its events on both chains.
      const pages: { sourceChainId: number; nonce: string }[][] = [];
      let cursor: string | null = null;
      do {
        const response: { status: number; body: { transfers: Row[]; nextCursor: string | null } } = await rest(
          indexer.url,
          `/api/bridge/transfers?limit=4${cursor === null ? "" : `&cursor=${cursor}`}`,
        );
        expect(response.status).to.equal(200);
        pages.push(response.body.transfers);
        cursor = response.body.nextCursor;
      } while (cursor !== null);
      expect(pages.map((page) => page.length)).to.deep.equal([4, 2]);
      expect(pages.flat().map((row) => [row.sourceChainId, row.nonce])).to.deep.equal(
        rows.map((row) => [row.sourceChainId, row.nonce]).reverse(),
      );
      const refunded = rows.find((row) => row.status === "Refunded")!;
      const detail = await rest<{ transfer: Row; events: { contract: string; event: string }[] }>(
        indexer.url,
        `/api/bridge/transfers/${refunded.id}`,
      );
      expect(detail.body.transfer.status).to.equal("Refunded");
      expect(
        detail.body.events.filter((event) => event.contract === "BridgeGateway").map((event) => event.event),
      ).to.have.members(["TransferSent", "TransferCancelled", "TransferRefunded"]);
    } finally {
      await indexer.stop();
    }
  });
});

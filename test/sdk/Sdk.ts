import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import hre, { network } from "hardhat";
import {
  type Address,
  type Hex,
  createPublicClient,
  createWalletClient,
  custom,
  encodeErrorResult,
  parseEther,
  zeroAddress,
} from "viem";
import {
  JobStatus,
  type JobView,
  Mode,
  StarMinerError,
  VoteType,
  acceptedResult,
  agpuBalance,
  agpuAbi,
  claimSlot,
  contractErrorOf,
  createStarMinerClient,
  decodeRevertData,
  deploymentContracts,
  denseLayerJobSpec,
  encodeActions,
  executeProposal,
  finalizeJob,
  getJob,
  jobMarketAbi,
  openJobs,
  parseDeployment,
  parseDenseLayerJob,
  propose,
  proposalState,
  queueProposal,
  quoteJob,
  bridgeOut,
  castVote,
  commitResult,
  commitVote,
  disputeJob,
  drawCommittee,
  providerMetadata,
  registerNode,
  resolveDispute,
  revealResult,
  revealVote,
  stake,
  runDenseLayer,
  stakingAbi,
  starMinerAbis,
  submitJob,
  submitResult,
  verifyDeployment,
  verifyDenseLayerResult,
  waitForResult,
  watchJob,
} from "@starminer/sdk";

import { deployHandedOver } from "../support/production.js";
import { OTHER_CHAIN, bridgesFixture } from "../support/bridge.js";
import { PROVIDER_STAKE, type Market, marketFixture, raiseReputation } from "../support/market.js";
import { spareSigners } from "../support/protocol.js";
import { ROOT } from "../support/processes.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;

const WORKLOAD = parseDenseLayerJob(
  JSON.parse(await readFile(join(ROOT, "examples", "jobs", "dense-layer.workload.json"), "utf8")),
);

/** The SDK's client of the in-process chain for `account` (or read-only), with the market fixture's deployment. */
async function sdkClient(market: Market, account?: { address: string }) {
  const transport = custom(connection.provider);
  return createStarMinerClient({
    deployment: parseDeployment(market.manifest),
    publicClient: createPublicClient({ transport, pollingInterval: 20 }),
    ...(account === undefined
      ? {}
      : { walletClient: createWalletClient({ account: account.address as Address, transport, pollingInterval: 20 }) }),
  });
}

/** The market, a requester's and a provider's SDK clients, the provider eligible for single-provider jobs. */
async function sdkMarket() {
  const market = await loadFixture(marketFixture(connection));
  const provider = market.providers[0]!;
  await raiseReputation(market, provider.address);
  return {
    market,
    requester: await sdkClient(market, market.accounts.alice),
    provider: await sdkClient(market, provider),
    reader: await sdkClient(market),
  };
}

describe("the SDK (@starminer/sdk)", function () {
  describe("its ABIs and deployments", function () {
    it("carries each protocol contract's ABI exactly as compiled", async function () {
      for (const [name, abi] of Object.entries(starMinerAbis)) {
        const artifact = await hre.artifacts.readArtifact(name);
        expect(abi, name).to.deep.equal(artifact.abi);
      }
    });

    it("reads a deployment manifest, and names what is wrong with a bad one", async function () {
      const manifest = {
        version: 1,
        chainId: 31337,
        contracts: { JobMarket: { name: "JobMarket", address: zeroAddress, startBlock: 7, abi: [] } },
      };
      expect(parseDeployment(manifest)).to.deep.equal({
        chainId: 31337,
        contracts: { JobMarket: { address: zeroAddress, startBlock: 7 } },
      });
      expect(() => parseDeployment({ chainId: 0, contracts: {} })).to.throw(StarMinerError, /no valid chainId/);
      expect(() => parseDeployment({ chainId: 1, contracts: { AGPU: { address: "0x12", startBlock: 0 } } })).to.throw(
        /AGPU has no valid address/,
      );
    });

    it("checks that the chain it reaches holds the deployment", async function () {
      const { reader } = await sdkMarket();
      await verifyDeployment(reader);
      const elsewhere = { ...reader, deployment: { ...reader.deployment, chainId: 1 } };
      await expectThrows(verifyDeployment(elsewhere), /reaches chain 31337, the deployment is on chain 1/);
      const empty = {
        ...reader,
        deployment: {
          chainId: 31337,
          contracts: { AGPU: { address: `0x${"11".repeat(20)}` as Address, startBlock: 0 } },
        },
      };
      await expectThrows(verifyDeployment(empty), /AGPU has no code at 0x1111/);
    });
  });

  describe("a job from quote to settlement, through the actions", function () {
    it("a requester quotes and submits, a provider claims and delivers, the requester verifies and settles", async function () {
      const { market, requester, provider, reader } = await sdkMarket();
      const spec = denseLayerJobSpec(WORKLOAD, { gpuHours: 2, maxTotal: parseEther("5000") });
      const quote = await quoteJob(reader, spec);
      const before = await agpuBalance(reader, market.accounts.alice.address as Address);

      const submitted = await submitJob(requester, spec);
      expect(submitted.escrow).to.equal(quote.total);
      expect(await agpuBalance(reader, market.accounts.alice.address as Address)).to.equal(before - quote.total);
      expect(await openJobs(reader, { zone: spec.zone, tier: spec.tier })).to.deep.equal([submitted.jobId]);
      expect(await openJobs(reader, { zone: spec.zone })).to.deep.equal([submitted.jobId]);
      expect(await openJobs(reader, { zone: spec.zone, tier: (spec.tier + 1) % 3 })).to.deep.equal([]);

      const seen: JobView[] = [];
      const stop = watchJob(reader, submitted.jobId, (view) => seen.push(view), { pollingInterval: 20 });
      const claimed = await claimSlot(provider, submitted.jobId);
      expect(claimed.slot).to.equal(0);
      const { result } = runDenseLayer(WORKLOAD);
      await submitResult(provider, { jobId: submitted.jobId, slot: claimed.slot, result });

      const { result: accepted, view } = await waitForResult(reader, submitted.jobId, { pollingInterval: 20 });
      expect(accepted).to.equal(result);
      expect(view.job.status).to.equal(JobStatus.Verified);
      expect(verifyDenseLayerResult(WORKLOAD, accepted)).to.equal(true);
      expect(
        verifyDenseLayerResult(parseDenseLayerJob({ ...WORKLOAD, input: WORKLOAD.input.map(() => 1) }), accepted),
      ).to.equal(false);

      // The watcher polls: it is shown each state it finds, so let it find this one before the job moves on.
      await waitUntil(() => seen.at(-1)?.job.status === JobStatus.Verified);
      await time.increaseTo(Number(view.job.challengeEndsAt) + 1);
      await finalizeJob(requester, submitted.jobId);
      const settled = await getJob(reader, submitted.jobId);
      expect(settled.job.status).to.equal(JobStatus.Settled);
      expect(acceptedResult(settled)).to.equal(result);
      await waitUntil(() => seen.at(-1)?.job.status === JobStatus.Settled);
      stop();
      const statuses = seen.map((v) => v.job.status).filter((s, i, all) => all.indexOf(s) === i);
      expect(statuses).to.deep.equal([JobStatus.Open, JobStatus.Verified, JobStatus.Settled]);
    });

    it("refuses before sending: a price above maxTotal, an unknown job, an action with no account", async function () {
      const { requester, reader } = await sdkMarket();
      await expectThrows(
        submitJob(requester, denseLayerJobSpec(WORKLOAD, { maxTotal: 1n })),
        /the job costs .* AGPU now, above its maxTotal of 0.000000000000000001/,
      );
      await expectThrows(getJob(reader, 99n), /job 99 does not exist \(the market has 0\)/);
      await expectThrows(submitJob(reader, denseLayerJobSpec(WORKLOAD)), /this action sends a transaction/);
    });
  });

  describe("providers, validators and the bridge, through the actions", function () {
    it("a new provider stakes and registers, then three deliver a Consensus job by commit and reveal", async function () {
      const { market, requester } = await sdkMarket();
      const [newcomer] = await spareSigners(connection, market, 1, 8);
      await market.agpu.connect(market.accounts.deployer).transfer(newcomer!.address, PROVIDER_STAKE);
      const client = await sdkClient(market, newcomer!);
      await stake(client, PROVIDER_STAKE);
      await registerNode(client, providerMetadata({ endpoint: "https://newcomer.example" }));
      expect(await market.nodeRegistry.isRegistered(newcomer!.address)).to.equal(true);
      expect(await market.staking.stakeOf(newcomer!.address)).to.equal(PROVIDER_STAKE);

      const { jobId } = await submitJob(
        requester,
        denseLayerJobSpec(WORKLOAD, { mode: Mode.Consensus, redundancy: 3 }),
      );
      const trio = [newcomer!, market.providers[1]!, market.providers[2]!];
      const providers = await Promise.all(trio.map((signer) => sdkClient(market, signer)));
      const { result } = runDenseLayer(WORKLOAD);
      const slots: number[] = [];
      for (const provider of providers) slots.push((await claimSlot(provider, jobId)).slot);
      const salts: Hex[] = [];
      for (const [i, provider] of providers.entries()) {
        salts.push((await commitResult(provider, { jobId, slot: slots[i]!, result })).salt);
      }
      for (const [i, provider] of providers.entries()) {
        await revealResult(provider, { jobId, slot: slots[i]!, result, salt: salts[i]! });
      }
      const { job } = await getJob(requester, jobId);
      expect(job.status).to.equal(JobStatus.Verified);
      expect(job.acceptedSlots).to.equal(0b111);
    });

    it("a requester disputes a wrong result; the committee draws, votes and upholds it through the validator actions", async function () {
      const { market, requester, provider } = await sdkMarket();
      const alice = requester;
      const { jobId } = await submitJob(alice, denseLayerJobSpec(WORKLOAD));
      const { slot } = await claimSlot(provider, jobId);
      await submitResult(provider, { jobId, slot, result: `0x${"ee".repeat(32)}` });

      await disputeJob(alice, jobId);
      expect((await getJob(alice, jobId)).job.status).to.equal(JobStatus.Disputed);
      await networkHelpers.mine();
      await drawCommittee(alice, jobId);
      const jurors = (await market.verificationHub.jurorsOf(jobId)).map((address) =>
        market.validators.find((validator) => validator.address === address)!,
      );
      expect(jurors.length).to.be.greaterThanOrEqual(3);
      const votes = [];
      for (const juror of jurors)
        votes.push({ juror, ...(await commitVote(await sdkClient(market, juror), { jobId, uphold: true })) });
      for (const { juror, salt } of votes)
        await revealVote(await sdkClient(market, juror), { jobId, uphold: true, salt });
      const { appealEndsAt } = await market.verificationHub.disputeOf(jobId);
      await time.increaseTo(Number(appealEndsAt) + 1);
      await resolveDispute(alice, jobId);
      expect((await getJob(alice, jobId)).job.status).to.equal(JobStatus.Refunded);
    });

    it("bridges AGPU out of the home chain, and refuses a chain the gateway is not paired with", async function () {
      const b = await loadFixture(bridgesFixture(connection));
      const transport = custom(connection.provider);
      const client = createStarMinerClient({
        deployment: parseDeployment({
          chainId: 31337,
          contracts: {
            AGPU: { address: await b.agpu.getAddress(), startBlock: 0 },
            BridgeGateway: { address: await b.home.getAddress(), startBlock: 0 },
          },
        }),
        publicClient: createPublicClient({ transport, pollingInterval: 20 }),
        walletClient: createWalletClient({ account: b.alice.address as Address, transport, pollingInterval: 20 }),
      });
      const locked = await b.agpu.balanceOf(await b.home.getAddress());
      const sent = await bridgeOut(client, {
        destinationChainId: OTHER_CHAIN,
        recipient: b.bob.address as Address,
        amount: 25n * 10n ** 18n,
      });
      expect([sent.recipient, sent.amount]).to.deep.equal([b.bob.address, 25n * 10n ** 18n]);
      expect(await b.agpu.balanceOf(await b.home.getAddress())).to.equal(locked + 25n * 10n ** 18n);
      await expectThrows(
        bridgeOut(client, { destinationChainId: 5n, recipient: b.bob.address as Address, amount: 1n }),
        /the gateway on chain 31337 is not paired with chain 5/,
      );
    });
  });

  describe("errors", function () {
    it("a contract's refusal comes back as its custom error, by name, with its arguments", async function () {
      const { requester, provider } = await sdkMarket();
      const spec = denseLayerJobSpec(WORKLOAD, { deadline: 1n });
      const refusal = await submitJob(requester, spec).then(
        () => expect.fail("a job due in 1970 was accepted"),
        (error: unknown) => error,
      );
      expect(contractErrorOf(refusal)?.errorName).to.equal("MarketInvalidDeadline");

      const { jobId } = await submitJob(
        requester,
        denseLayerJobSpec(WORKLOAD, { mode: Mode.Consensus, redundancy: 3 }),
      );
      await claimSlot(provider, jobId);
      const twice = await claimSlot(provider, jobId).then(
        () => expect.fail("one provider claimed two slots of a job"),
        (error: unknown) => error,
      );
      expect(contractErrorOf(twice)).to.deep.equal({
        errorName: "MarketAlreadyAssigned",
        args: [jobId, provider.walletClient!.account!.address],
      });
    });

    it("decodes any protocol contract's error, and nothing else", function () {
      const account = `0x${"ab".repeat(20)}` as Address;
      const staking = encodeErrorResult({
        abi: stakingAbi,
        errorName: "StakingInsufficientAvailableStake",
        args: [account, 5n, 7n],
      });
      expect(decodeRevertData(staking)).to.deep.equal({
        errorName: "StakingInsufficientAvailableStake",
        args: [account, 5n, 7n],
      });
      const token = encodeErrorResult({ abi: agpuAbi, errorName: "ERC20InsufficientBalance", args: [account, 1n, 2n] });
      expect(decodeRevertData(token)?.errorName).to.equal("ERC20InsufficientBalance");
      expect(decodeRevertData("0xdeadbeef")).to.equal(undefined);
      // The market's own ABI lacks it: only the protocol-wide error ABI decodes what Staking raises under a market call.
      const marketErrors = (jobMarketAbi as readonly { type: string; name?: string }[]).filter(
        (i) => i.type === "error",
      );
      expect(marketErrors.map((item) => item.name)).to.not.include("StakingInsufficientAvailableStake");
    });
  });

  describe("governance, from proposal to execution", function () {
    it("proposes actions written by name, votes, queues and executes them", async function () {
      const { manifest, signers } = await deployHandedOver(connection);
      const { alice, bob } = signers;
      const transport = custom(connection.provider);
      const publicClient = createPublicClient({ transport, pollingInterval: 20 });
      const deployment = parseDeployment(manifest);
      const as = (address: string) =>
        createStarMinerClient({
          deployment,
          publicClient,
          walletClient: createWalletClient({ account: address as Address, transport, pollingInterval: 20 }),
        });
      const [voterA, voterB] = [as(alice!.address), as(bob!.address)];
      const { delegateVotes } = await import("@starminer/sdk");
      await delegateVotes(voterA, alice!.address as Hex);
      await delegateVotes(voterB, bob!.address as Hex);

      const raw = JSON.parse(await readFile(join(ROOT, "examples", "governance", "fee-split.json"), "utf8"));
      const actions = encodeActions(deploymentContracts(deployment), raw);
      expect(actions.map((a) => a.label)).to.deep.equal(["JobMarket.setFeeSplit"]);
      const proposal = { actions, description: "Fee split 85/0/10/5, from the SDK" };
      const { proposalId, voteStart, voteEnd } = await propose(voterA, proposal);
      expect(await proposalState(voterA, proposalId)).to.equal("Pending");

      await time.increaseTo(Number(voteStart) + 1);
      await castVote(voterA, { proposalId, support: VoteType.For });
      await castVote(voterB, { proposalId, support: VoteType.For, reason: "cheaper for requesters" });
      await time.increaseTo(Number(voteEnd) + 1);
      expect(await proposalState(voterA, proposalId)).to.equal("Succeeded");
      await queueProposal(voterA, proposal);
      const timelock = await ethers.getContractAt("ProtocolTimelock", deployment.contracts.ProtocolTimelock!.address);
      await time.increase(Number(await timelock.getMinDelay()) + 1);
      await executeProposal(voterB, proposal);
      expect(await proposalState(voterA, proposalId)).to.equal("Executed");

      const market = await ethers.getContractAt("JobMarket", deployment.contracts.JobMarket!.address);
      const split = await market.feeSplit();
      expect([split.providerBps, split.treasuryBps, split.modelCreatorBps]).to.deep.equal([8500n, 1000n, 500n]);
    });
  });
});

async function expectThrows(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => expect.fail(`expected a rejection matching ${message}`),
    (e: unknown) => e,
  );
  expect((error as Error).message).to.match(message);
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("the watcher never saw the change");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { type BaseContract, type ContractTransactionResponse, id } from "ethers";
import type { Address } from "viem";
import { createPublicClient, custom } from "viem";
import { ProposalState, VoteType, jobSpec } from "@starminer/sdk";

import { checkHandover } from "../../scripts/lib/governance.js";
import { manifestContract } from "../../scripts/lib/manifest.js";
import { Role } from "../../scripts/lib/roles.js";
import { TEST_VESTING, deployHandedOver } from "../support/production.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;

const AMAX = 10n ** 18n;
const AGPU = 10n ** 18n;
const DAY = 86_400;

/**
 * The protocol as a production deployment leaves it: genesis tokens handed out and everything handed over to
 * governance. Alice, Bob and Carol received 3 900 000, 3 000 000 and 1 000 000 AMAX and delegate to themselves: the
 * quorum is 4% of 100 000 000, which none of them meets alone and Alice and Bob meet together.
 */
async function governed() {
  const { manifest, signers } = await deployHandedOver(connection);
  const { alice, bob, carol } = signers;
  const contracts = {
    accessManager: await ethers.getContractAt("AccessManager", manifestContract(manifest, "AccessManager").address),
    amax: await ethers.getContractAt("AMAX", manifestContract(manifest, "AMAX").address),
    agpu: await ethers.getContractAt("AGPU", manifestContract(manifest, "AGPU").address),
    treasury: await ethers.getContractAt("Treasury", manifestContract(manifest, "Treasury").address),
    jobMarket: await ethers.getContractAt("JobMarket", manifestContract(manifest, "JobMarket").address),
    governor: await ethers.getContractAt("AMAXGovernor", manifestContract(manifest, "AMAXGovernor").address),
    timelock: await ethers.getContractAt("ProtocolTimelock", manifestContract(manifest, "ProtocolTimelock").address),
  };
  for (const holder of [alice!, bob!, carol!]) await contracts.amax.connect(holder).delegate(holder.address);
  return {
    manifest,
    ...contracts,
    accounts: signers,
  };
}

type Governed = Awaited<ReturnType<typeof governed>>;

const viemClient = () => createPublicClient({ transport: custom(connection.provider) }) as never;

/** Signs as `address` (a contract, such as the Timelock), with ETH for gas. */
async function impersonate(address: string) {
  await networkHelpers.setBalance(address, 10n ** 18n);
  return ethers.getImpersonatedSigner(address);
}
type Call = { target: BaseContract; data: string };

/** One call of a proposal: `contract.fn(...args)`. */
async function call(contract: BaseContract, fn: string, args: unknown[]): Promise<Call> {
  return { target: contract, data: contract.interface.encodeFunctionData(fn, args) };
}

async function propose(g: Governed, calls: Call[], description: string) {
  const targets = await Promise.all(calls.map((c) => c.target.getAddress()));
  const values = calls.map(() => 0n);
  const datas = calls.map((c) => c.data);
  await g.governor.connect(g.accounts.alice!).propose(targets, values, datas, description);
  const proposalId = await g.governor.hashProposal(targets, values, datas, id(description));
  return { proposalId, targets, values, datas, descriptionHash: id(description) };
}

type Proposal = Awaited<ReturnType<typeof propose>>;

async function vote(g: Governed, proposal: Proposal, support: number, voters = [g.accounts.alice!, g.accounts.bob!]) {
  await time.increase(Number(await g.governor.votingDelay()) + 1);
  for (const voter of voters) await g.governor.connect(voter).castVote(proposal.proposalId, support);
  await time.increase(Number(await g.governor.votingPeriod()) + 1);
}

const queue = (g: Governed, p: Proposal) => g.governor.queue(p.targets, p.values, p.datas, p.descriptionHash);
const execute = (g: Governed, p: Proposal): Promise<ContractTransactionResponse> =>
  g.governor.execute(p.targets, p.values, p.datas, p.descriptionHash);

/** Proposes, passes, queues, waits out the Timelock's delay and executes. */
async function enact(g: Governed, calls: Call[], description: string) {
  const proposal = await propose(g, calls, description);
  await vote(g, proposal, VoteType.For);
  await queue(g, proposal);
  await time.increase(Number(await g.timelock.getMinDelay()) + 1);
  await execute(g, proposal);
  expect(await g.governor.state(proposal.proposalId)).to.equal(ProposalState.Executed);
  return proposal;
}

/** A JobMarket implementation linked to fresh Settlement and Claims libraries, as an upgrade would deploy it. */
async function deployJobMarketImplementation() {
  const settlement = await ethers.deployContract("Settlement");
  const claims = await ethers.deployContract("Claims");
  return ethers.deployContract("JobMarket", {
    libraries: { Settlement: await settlement.getAddress(), Claims: await claims.getAddress() },
  });
}

describe("Governance: AMAX Governor, Timelock and the handover", function () {
  describe("the deployment", () => {
    it("hands every power to governance and every genesis token out: checkHandover finds nothing", async () => {
      const g = await loadFixture(governed);
      expect(await checkHandover(viemClient(), g.manifest)).to.deep.equal([]);
      const timelock = await g.timelock.getAddress();
      expect((await g.accessManager.hasRole(Role.ADMIN, timelock))[0]).to.equal(true);
      expect((await g.accessManager.hasRole(Role.GOVERNOR, timelock))[0]).to.equal(true);
      expect((await g.accessManager.hasRole(Role.ADMIN, g.accounts.deployer.address))[0]).to.equal(false);
      expect((await g.accessManager.hasRole(Role.GOVERNOR, g.accounts.deployer.address))[0]).to.equal(false);
      expect((await g.accessManager.hasRole(Role.GUARDIAN, g.accounts.guardian.address))[0]).to.equal(true);
      expect(await g.timelock.hasRole(await g.timelock.PROPOSER_ROLE(), await g.governor.getAddress())).to.equal(true);
      expect(await g.timelock.hasRole(await g.timelock.DEFAULT_ADMIN_ROLE(), g.accounts.deployer.address)).to.equal(
        false,
      );
    });

    it("hands out the genesis supply: Treasury, vesting wallet and community, nothing left with the deployer", async () => {
      const g = await loadFixture(governed);
      const { amax, agpu, treasury, accounts } = g;
      expect(await amax.balanceOf(accounts.deployer.address)).to.equal(0n);
      expect(await agpu.balanceOf(accounts.deployer.address)).to.equal(0n);
      expect(await amax.balanceOf(await treasury.getAddress())).to.equal(91_600_000n * AMAX);
      expect(await treasury.totalReceived(await agpu.getAddress())).to.equal(397_000_000n * AGPU);
      expect(await amax.balanceOf(accounts.alice!.address)).to.equal(3_900_000n * AMAX);
      expect(await agpu.balanceOf(accounts.alice!.address)).to.equal(2_000_000n * AGPU);

      const wallet = await ethers.getContractAt("VestingAllocation", g.manifest.vesting!.core_1!);
      expect(await wallet.owner()).to.equal(accounts.beneficiary.address);
      expect(await amax.balanceOf(await wallet.getAddress())).to.equal(500_000n * AMAX);
      expect(await agpu.balanceOf(await wallet.getAddress())).to.equal(1_000_000n * AGPU);
    });

    it("vests the core allocation: nothing before the cliff, then linearly to the beneficiary", async () => {
      const g = await loadFixture(governed);
      const { amax, accounts } = g;
      const wallet = await ethers.getContractAt("VestingAllocation", g.manifest.vesting!.core_1!);
      const release = (token: string) => wallet["release(address)"](token);
      await time.increaseTo(TEST_VESTING.start + TEST_VESTING.cliffSeconds - 1);
      expect(await wallet["releasable(address)"](await amax.getAddress())).to.equal(0n);
      // At the cliff, a quarter of the four years has vested.
      await time.setNextBlockTimestamp(TEST_VESTING.start + TEST_VESTING.cliffSeconds);
      await expect(release(await amax.getAddress())).to.changeTokenBalances(
        ethers,
        amax,
        [wallet, accounts.beneficiary],
        [-125_000n * AMAX, 125_000n * AMAX],
      );
      await time.increaseTo(TEST_VESTING.start + TEST_VESTING.durationSeconds);
      expect(await wallet["releasable(address)"](await amax.getAddress())).to.equal(375_000n * AMAX);
    });

    it("reports a GOVERNOR that survives the handover, whether a plain account or another contract", async () => {
      const g = await loadFixture(governed);
      const asTimelock = await impersonate(await g.timelock.getAddress());
      const treasury = (await g.treasury.getAddress()) as Address;
      await g.accessManager.connect(asTimelock).grantRole(Role.GOVERNOR, g.accounts.stranger!.address, 0);
      await g.accessManager.connect(asTimelock).grantRole(Role.GOVERNOR, treasury, 0);
      const violations = await checkHandover(viemClient(), g.manifest);
      expect(violations.map((v) => `${v.contract}:${v.role}:${v.account}`)).to.have.members([
        `AccessManager:GOVERNOR:${g.accounts.stranger!.address}`,
        `AccessManager:GOVERNOR:${treasury}`,
      ]);
      expect(violations[0]!.problem).to.match(/holds GOVERNOR: only 0x[0-9a-fA-F]{40} may$/);
    });

    it("reports a guardian that is the deployer, and a protocol role held outside the protocol", async () => {
      const g = await loadFixture(governed);
      const asTimelock = await impersonate(await g.timelock.getAddress());
      await g.accessManager.connect(asTimelock).grantRole(Role.GUARDIAN, g.accounts.deployer.address, 0);
      await g.accessManager.connect(asTimelock).grantRole(Role.SLASHER, g.accounts.stranger!.address, 0);
      const violations = await checkHandover(viemClient(), g.manifest);
      expect(violations.map((v) => v.problem)).to.have.members([
        `the deployer ${g.accounts.deployer.address} holds GUARDIAN`,
        `${g.accounts.stranger!.address} holds SLASHER, which only the deployment's own contracts may`,
      ]);
    });

    it("reports an account that could meet the quorum alone: delegated to it, or held and vesting to it", async () => {
      const g = await loadFixture(governed);
      const { amax, accounts } = g;
      // Bob delegates his 3 000 000 votes to Alice: 6 900 000 in one hand.
      await amax.connect(accounts.bob!).delegate(accounts.alice!.address);
      // Carol gives the beneficiary 1 000 000 and Alice 2 600 000 more: 3 600 000 held plus 500 000 vesting.
      await amax.connect(accounts.carol!).transfer(accounts.beneficiary.address, 1_000_000n * AMAX);
      await amax.connect(accounts.alice!).transfer(accounts.beneficiary.address, 2_600_000n * AMAX);
      const violations = await checkHandover(viemClient(), g.manifest);
      expect(violations.map((v) => `${v.role}:${v.account}`)).to.have.members([
        `voting power:${accounts.alice!.address}`,
        `voting power:${accounts.beneficiary.address}`,
      ]);
      expect(violations.find((v) => v.account === accounts.beneficiary.address)!.problem).to.equal(
        `${accounts.beneficiary.address} controls 4100000 AMAX (held, delegated to it or vesting to it), enough to ` +
          "meet the 4000000 AMAX quorum alone",
      );
    });

    it("reports each thing a development deployment leaves with the deployer", async () => {
      const protocol = await loadFixture(protocolFixture(connection));
      const violations = await checkHandover(viemClient(), protocol.manifest);
      const held = violations.map((v) => `${v.contract}:${v.role}:${v.account as Address}`);
      const { deployer, governor } = protocol.accounts;
      expect(held).to.include(`AccessManager:ADMIN:${deployer.address}`);
      expect(held).to.include(`AccessManager:GOVERNOR:${governor.address}`);
      expect(held).to.include(`AMAX:balance:${deployer.address}`);
      expect(held).to.include(`AGPU:balance:${deployer.address}`);
      expect(held).to.include(`AMAX:voting power:${deployer.address}`);
      // The guardian and the attestation service are accounts of their own there.
      expect(held.filter((h) => h.includes(":GUARDIAN:") || h.includes(":ATTESTER:"))).to.deep.equal([]);
    });
  });

  describe("changes by vote, each only after the Timelock", () => {
    it("changes the fee split", async () => {
      const g = await loadFixture(governed);
      const split = { providerBps: 8_500, gasSubsidyBps: 0, treasuryBps: 1_000, modelCreatorBps: 500 };
      const before = await g.jobMarket.feeSplit();
      const proposal = await propose(g, [await call(g.jobMarket, "setFeeSplit", [split])], "Fee split 85/0/10/5");
      await vote(g, proposal, VoteType.For);
      await queue(g, proposal);
      expect(await g.governor.state(proposal.proposalId)).to.equal(ProposalState.Queued);
      // Before the delay: the Timelock refuses, and nothing changed.
      await expect(execute(g, proposal)).to.be.revertedWithCustomError(g.timelock, "TimelockUnexpectedOperationState");
      expect(await g.jobMarket.feeSplit()).to.deep.equal(before);
      await time.increase(Number(await g.timelock.getMinDelay()) + 1);
      await expect(execute(g, proposal)).to.emit(g.jobMarket, "FeeSplitSet");
      expect((await g.jobMarket.feeSplit()).providerBps).to.equal(8_500n);
    });

    it("upgrades the JobMarket implementation with its state intact", async () => {
      const g = await loadFixture(governed);
      const { agpu, jobMarket, accounts } = g;
      // A job in escrow before the upgrade, paid with Alice's genesis AGPU.
      await agpu.connect(accounts.alice!).approve(await jobMarket.getAddress(), 10_000n * AGPU);
      await jobMarket.connect(accounts.alice!).submitJob(jobSpec(await time.latest(), { maxTotal: 10_000n * AGPU }));
      const job = await jobMarket.jobOf(1);
      const escrowed = await jobMarket.totalEscrowed();

      const implementation = await deployJobMarketImplementation();
      const slot = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
      const before = await ethers.provider.getStorage(await jobMarket.getAddress(), slot);
      await enact(
        g,
        [await call(jobMarket, "upgradeToAndCall", [await implementation.getAddress(), "0x"])],
        "Upgrade the JobMarket",
      );
      const after = await ethers.provider.getStorage(await jobMarket.getAddress(), slot);
      expect(after).to.not.equal(before);
      expect(BigInt(after)).to.equal(BigInt(await implementation.getAddress()));
      expect(await jobMarket.jobOf(1)).to.deep.equal(job);
      expect(await jobMarket.totalEscrowed()).to.equal(escrowed);
      expect(await jobMarket.jobCount()).to.equal(1n);
    });

    it("spends from the treasury", async () => {
      const g = await loadFixture(governed);
      const { agpu, treasury, accounts } = g;
      // The Treasury holds its genesis allocation.
      const grant = 1_200n * AGPU;
      const spend = await call(treasury, "spend", [await agpu.getAddress(), accounts.carol!.address, grant, id("g.1")]);
      const proposal = await propose(g, [spend], "Grant 1 200 AGPU to Carol");
      await vote(g, proposal, VoteType.For);
      await queue(g, proposal);
      await time.increase(Number(await g.timelock.getMinDelay()) + 1);
      await expect(execute(g, proposal)).to.changeTokenBalances(
        ethers,
        agpu,
        [treasury, accounts.carol!],
        [-grant, grant],
      );
    });

    it("counts a vote cast by signature", async () => {
      const g = await loadFixture(governed);
      const proposal = await propose(g, [await call(g.jobMarket, "unpause", [])], "Signed vote");
      await time.increase(Number(await g.governor.votingDelay()) + 1);
      const voter = g.accounts.alice!;
      const domain = {
        name: await g.governor.name(),
        version: await g.governor.version(),
        chainId: (await ethers.provider.getNetwork()).chainId,
        verifyingContract: await g.governor.getAddress(),
      };
      const types = {
        Ballot: [
          { name: "proposalId", type: "uint256" },
          { name: "support", type: "uint8" },
          { name: "voter", type: "address" },
          { name: "nonce", type: "uint256" },
        ],
      };
      const ballot = { proposalId: proposal.proposalId, support: VoteType.For, voter: voter.address, nonce: 0n };
      const signature = await voter.signTypedData(domain, types, ballot);
      // Anyone relays it; the vote is the signer's.
      await expect(
        g.governor
          .connect(g.accounts.stranger!)
          .castVoteBySig(proposal.proposalId, VoteType.For, voter.address, signature),
      )
        .to.emit(g.governor, "VoteCast")
        .withArgs(voter.address, proposal.proposalId, VoteType.For, 3_900_000n * AMAX, "");
      expect(await g.governor.hasVoted(proposal.proposalId, voter.address)).to.equal(true);
    });
  });

  describe("attempts to go around governance", () => {
    it("refuses direct calls, even from the former deployer", async () => {
      const g = await loadFixture(governed);
      const split = { providerBps: 9_000, gasSubsidyBps: 0, treasuryBps: 1_000, modelCreatorBps: 0 };
      for (const caller of [g.accounts.deployer, g.accounts.alice!, g.accounts.guardian]) {
        await expect(g.jobMarket.connect(caller).setFeeSplit(split))
          .to.be.revertedWithCustomError(g.jobMarket, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
      await expect(
        g.accessManager.connect(g.accounts.deployer).grantRole(Role.GOVERNOR, g.accounts.deployer.address, 0),
      ).to.be.revertedWithCustomError(g.accessManager, "AccessManagerUnauthorizedAccount");
      await expect(
        g.timelock
          .connect(g.accounts.deployer)
          .schedule(await g.jobMarket.getAddress(), 0, "0x", ethers.ZeroHash, ethers.ZeroHash, 2 * DAY),
      ).to.be.revertedWithCustomError(g.timelock, "AccessControlUnauthorizedAccount");
    });

    it("cannot queue a defeated proposal", async () => {
      const g = await loadFixture(governed);
      const proposal = await propose(g, [await call(g.jobMarket, "unpause", [])], "Defeated");
      await vote(g, proposal, VoteType.Against);
      expect(await g.governor.state(proposal.proposalId)).to.equal(ProposalState.Defeated);
      await expect(queue(g, proposal)).to.be.revertedWithCustomError(g.governor, "GovernorUnexpectedProposalState");
    });

    it("cannot pass without quorum", async () => {
      const g = await loadFixture(governed);
      const proposal = await propose(g, [await call(g.jobMarket, "unpause", [])], "Too few votes");
      await vote(g, proposal, VoteType.For, [g.accounts.carol!]);
      expect(await g.governor.state(proposal.proposalId)).to.equal(ProposalState.Defeated);
    });

    it("lets the guardian pause at once, but not unpause or upgrade; unpausing takes a vote", async () => {
      const g = await loadFixture(governed);
      const { jobMarket, accounts } = g;
      await jobMarket.connect(accounts.guardian).pause();
      expect(await jobMarket.paused()).to.equal(true);
      await expect(jobMarket.connect(accounts.guardian).unpause())
        .to.be.revertedWithCustomError(jobMarket, "AccessManagedUnauthorized")
        .withArgs(accounts.guardian.address);
      const implementation = await deployJobMarketImplementation();
      await expect(jobMarket.connect(accounts.guardian).upgradeToAndCall(await implementation.getAddress(), "0x"))
        .to.be.revertedWithCustomError(jobMarket, "AccessManagedUnauthorized")
        .withArgs(accounts.guardian.address);
      await enact(g, [await call(jobMarket, "unpause", [])], "Unpause the market");
      expect(await jobMarket.paused()).to.equal(false);
    });

    it("keeps its own settings and the Timelock's delay within bounds", async () => {
      const g = await loadFixture(governed);
      const tooShort = await propose(g, [await call(g.governor, "setVotingPeriod", [60])], "One-minute votes");
      await vote(g, tooShort, VoteType.For);
      await queue(g, tooShort);
      await time.increase(Number(await g.timelock.getMinDelay()) + 1);
      await expect(execute(g, tooShort))
        .to.be.revertedWithCustomError(g.governor, "GovernorParameterOutOfBounds")
        .withArgs("votingPeriod", 60, DAY, 30 * DAY);

      const noDelay = await propose(g, [await call(g.timelock, "updateDelay", [0])], "No delay");
      await vote(g, noDelay, VoteType.For);
      await queue(g, noDelay);
      await time.increase(Number(await g.timelock.getMinDelay()) + 1);
      await expect(execute(g, noDelay))
        .to.be.revertedWithCustomError(g.timelock, "TimelockDelayOutOfBounds")
        .withArgs(0, 3_600, 30 * DAY);
      // Governance's own setters answer only to governance.
      await expect(g.governor.connect(g.accounts.alice!).setVotingPeriod(2 * DAY)).to.be.revertedWithCustomError(
        g.governor,
        "GovernorOnlyExecutor",
      );
    });

    it("changes the Timelock's delay by vote to exactly its bounds, and never around a vote", async () => {
      const g = await loadFixture(governed);
      const [MIN, MAX] = [await g.timelock.MIN_DELAY(), await g.timelock.MAX_DELAY()];
      await expect(g.timelock.connect(g.accounts.alice!).updateDelay(MIN))
        .to.be.revertedWithCustomError(g.timelock, "TimelockUnauthorizedCaller")
        .withArgs(g.accounts.alice!.address);

      await enact(g, [await call(g.timelock, "updateDelay", [MIN])], "Shortest delay");
      expect(await g.timelock.getMinDelay()).to.equal(MIN);

      const beyond = await propose(g, [await call(g.timelock, "updateDelay", [MAX + 1n])], "Past the longest delay");
      await vote(g, beyond, VoteType.For);
      await queue(g, beyond);
      await time.increase(Number(MIN) + 1);
      await expect(execute(g, beyond))
        .to.be.revertedWithCustomError(g.timelock, "TimelockDelayOutOfBounds")
        .withArgs(MAX + 1n, MIN, MAX);

      await enact(g, [await call(g.timelock, "updateDelay", [MAX])], "Longest delay");
      expect(await g.timelock.getMinDelay()).to.equal(MAX);
    });

    it("lets the proposer cancel a proposal before voting starts, and nobody else, and not after", async () => {
      const g = await loadFixture(governed);
      const withdrawn = await propose(g, [await call(g.governor, "setVotingPeriod", [2 * DAY])], "Withdrawn");
      const args = [withdrawn.targets, withdrawn.values, withdrawn.datas, withdrawn.descriptionHash] as const;
      await expect(g.governor.connect(g.accounts.bob!).cancel(...args))
        .to.be.revertedWithCustomError(g.governor, "GovernorUnableToCancel")
        .withArgs(withdrawn.proposalId, g.accounts.bob!.address);
      await expect(g.governor.connect(g.accounts.alice!).cancel(...args))
        .to.emit(g.governor, "ProposalCanceled")
        .withArgs(withdrawn.proposalId);
      expect(await g.governor.state(withdrawn.proposalId)).to.equal(ProposalState.Canceled);
      await time.increase(Number(await g.governor.votingDelay()) + 1);
      await expect(g.governor.connect(g.accounts.bob!).castVote(withdrawn.proposalId, VoteType.For))
        .to.be.revertedWithCustomError(g.governor, "GovernorUnexpectedProposalState")
        .withArgs(withdrawn.proposalId, ProposalState.Canceled, anyValue);

      // Once voting has started, not even the proposer can take it back.
      const voted = await propose(g, [await call(g.governor, "setVotingPeriod", [3 * DAY])], "Put to the vote");
      await time.increase(Number(await g.governor.votingDelay()) + 1);
      await expect(
        g.governor.connect(g.accounts.alice!).cancel(voted.targets, voted.values, voted.datas, voted.descriptionHash),
      )
        .to.be.revertedWithCustomError(g.governor, "GovernorUnableToCancel")
        .withArgs(voted.proposalId, g.accounts.alice!.address);
    });
  });
});

import { expect } from "chai";
import { AbiCoder, type BaseWallet, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { WorkloadClass } from "@starminer/sdk";

import {
  AGPU,
  AuditDraw,
  DAY,
  VALIDATOR_STAKE,
  claimCommitReveal,
  decideDispute,
  deliverVerifiedJob,
  enrolValidator,
  drawCommittee,
  HOUR,
  JobStatus,
  type Market,
  Mode,
  Verdict,
  commitmentOf,
  jobSpec,
  marketFixture,
  result,
  salt,
  setHubParameters,
  submit,
} from "../support/market.js";
import { NodeRole, Tee, providerMetadata, serviceNodeMetadata } from "../support/nodes.js";
import { connect, freshSigner, stakeFrom } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, mine, time } = networkHelpers;
const ready = marketFixture(connection);

const NO_EVIDENCE = "0x";
const ESCROW = 20n * AGPU;
const JUROR_COLLATERAL = 250n * AGPU;
/** What the losing side pays a 20-AGPU job's first committee: three seats at 45% of the job's share. */
const COURT_FEE = (3n * ESCROW * 4_500n) / 10_000n;
/** A provider's whole collateral (150% of the share): the court fee out of it, the rest slashed. */
const COLLATERAL = 30n * AGPU;
const SLASHED = COLLATERAL - COURT_FEE;
const ANSWER = result("answer");
const MEASUREMENT = keccak256(toUtf8Bytes("enclave-image-v1"));
const REPORT = keccak256(toUtf8Bytes("attestation-report"));
const SLASH_DISPUTE = keccak256(toUtf8Bytes("market.dispute"));
const SLASH_FALSE_AUDIT = keccak256(toUtf8Bytes("hub.false-audit"));
const ZERO = ethers.ZeroAddress;

async function verified() {
  const market = await ready();
  return { ...market, ...(await deliverVerifiedJob(market)) };
}

/** Every verified job is sampled for audit. */
async function audited() {
  const market = await ready();
  return { ...market, ...(await deliverVerifiedJob(market, 10_000)) };
}

/**
 * Governance sets the juror fee, then the first validator claims the audited job's result is wrong and the committee
 * rejects the claim (not yet resolved). Returns the auditor, the dispute's court fee and the jurors.
 */
async function rejectFalseAudit(fixture: Awaited<ReturnType<typeof audited>>, jurorFeeBps: number) {
  const { verificationHub, jobId, validators } = fixture;
  const auditor = validators[0]!;
  await setHubParameters(fixture, { jurorFeeBps });
  await verificationHub.connect(auditor).reportAudit(jobId, result("lie"));
  const { courtFee } = await verificationHub.disputeOf(jobId);
  const jurors = await decideDispute(fixture, jobId, false);
  return { auditor, courtFee, jurors };
}

/** A provider with an NVIDIA CC attestation whose enclave key is `enclave`. */
async function attested() {
  const market = await ready();
  const { nodeRegistry, accounts } = market;
  const [provider] = market.providers;
  const enclave = Wallet.createRandom();
  await nodeRegistry
    .connect(provider!)
    .updateMetadata(providerMetadata({ teeType: Tee.NvidiaCc, endpoint: "https://gpu-0.example" }));
  await nodeRegistry.connect(accounts.governor).setEnclaveMeasurementAllowed(MEASUREMENT, true);
  await nodeRegistry
    .connect(accounts.attester)
    .registerAttestation(provider!.address, Tee.NvidiaCc, MEASUREMENT, REPORT, enclave.address);
  return { ...market, provider: provider!, enclave };
}

async function signResult(market: Market, signer: BaseWallet, jobId: bigint, provider: string, value: string) {
  const { chainId } = await ethers.provider.getNetwork();
  return signer.signTypedData(
    {
      name: "StarMiner VerificationHub",
      version: "1",
      chainId,
      verifyingContract: await market.verificationHub.getAddress(),
    },
    {
      TeeResult: [
        { name: "jobId", type: "uint256" },
        { name: "provider", type: "address" },
        { name: "result", type: "bytes32" },
      ],
    },
    { jobId, provider, result: value },
  );
}

describe("VerificationHub", function () {
  this.timeout(120_000);

  describe("TEE mode", () => {
    it("accepts a result signed by the enclave key of the provider's allowed attestation", async () => {
      const market = await loadFixture(attested);
      const { jobMarket, verificationHub, provider, enclave } = market;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.TEE }));
      expect((await jobMarket.jobOf(jobId)).teeRequired).to.equal(true);
      await jobMarket.connect(provider).claimSlot(jobId);
      const signature = await signResult(market, enclave, jobId, provider.address, ANSWER);
      expect(await verificationHub.teeResultDigest(jobId, provider.address, ANSWER)).to.equal(
        ethers.TypedDataEncoder.hash(
          {
            name: "StarMiner VerificationHub",
            version: "1",
            chainId: (await ethers.provider.getNetwork()).chainId,
            verifyingContract: await verificationHub.getAddress(),
          },
          {
            TeeResult: [
              { name: "jobId", type: "uint256" },
              { name: "provider", type: "address" },
              { name: "result", type: "bytes32" },
            ],
          },
          { jobId, provider: provider.address, result: ANSWER },
        ),
      );
      await expect(jobMarket.connect(provider).submitResult(jobId, 0, ANSWER, signature)).to.emit(
        jobMarket,
        "JobVerified",
      );
    });

    it("refuses a signature by another key, over another result or job, and a provider whose attestation went", async () => {
      const market = await loadFixture(attested);
      const { jobMarket, verificationHub, nodeRegistry, provider, enclave, accounts } = market;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.TEE }));
      await jobMarket.connect(provider).claimSlot(jobId);
      const impostor = Wallet.createRandom();
      for (const signature of [
        await signResult(market, impostor, jobId, provider.address, ANSWER),
        await signResult(market, enclave, jobId, provider.address, result("other")),
        await signResult(market, enclave, jobId + 1n, provider.address, ANSWER),
        "0x1234",
      ]) {
        await expect(jobMarket.connect(provider).submitResult(jobId, 0, ANSWER, signature))
          .to.be.revertedWithCustomError(verificationHub, "HubInvalidEnclaveSignature")
          .withArgs(jobId, provider.address);
      }
      await nodeRegistry.connect(accounts.governor).setEnclaveMeasurementAllowed(MEASUREMENT, false);
      await expect(
        jobMarket
          .connect(provider)
          .submitResult(jobId, 0, ANSWER, await signResult(market, enclave, jobId, provider.address, ANSWER)),
      )
        .to.be.revertedWithCustomError(verificationHub, "HubNoValidAttestation")
        .withArgs(provider.address);
      expect((await jobMarket.slotsOf(jobId))[0]!.status).to.equal(1n);
    });

    it("checks each redundant provider's signature at its reveal", async () => {
      const market = await loadFixture(attested);
      const { jobMarket, nodeRegistry, verificationHub, provider, enclave, accounts } = market;
      const second = market.providers[1]!;
      const secondEnclave = Wallet.createRandom();
      await nodeRegistry
        .connect(second)
        .updateMetadata(providerMetadata({ teeType: Tee.NvidiaCc, endpoint: "https://gpu-1.example" }));
      await nodeRegistry
        .connect(accounts.attester)
        .registerAttestation(second.address, Tee.NvidiaCc, MEASUREMENT, REPORT, secondEnclave.address);
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.TEE, redundancy: 2 }));
      const pairs = [
        [provider, enclave],
        [second, secondEnclave],
      ] as const;
      for (const [node] of pairs) await jobMarket.connect(node).claimSlot(jobId);
      for (const [slot, [node]] of pairs.entries()) {
        await jobMarket
          .connect(node)
          .commitResult(jobId, slot, commitmentOf(jobId, slot, node.address, ANSWER, salt(slot)));
      }
      // The first provider's enclave cannot vouch for the second provider's result.
      await expect(
        jobMarket
          .connect(second)
          .revealResult(jobId, 1, ANSWER, salt(1), await signResult(market, enclave, jobId, second.address, ANSWER)),
      ).to.be.revertedWithCustomError(verificationHub, "HubInvalidEnclaveSignature");
      for (const [slot, [node, key]] of pairs.entries()) {
        const signature = await signResult(market, key, jobId, node.address, ANSWER);
        await jobMarket.connect(node).revealResult(jobId, slot, ANSWER, salt(slot), signature);
      }
      const job = await jobMarket.jobOf(jobId);
      expect(job.status).to.equal(JobStatus.Verified);
      expect(job.acceptedSlots).to.equal(0b11n);
    });

    it("refuses TEE claims from providers without an attestation", async () => {
      const market = await loadFixture(ready);
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.TEE }));
      await expect(market.jobMarket.connect(market.providers[1]!).claimSlot(jobId)).to.be.revertedWithCustomError(
        market.jobMarket,
        "MarketAttestationRequired",
      );
    });
  });

  describe("ZK mode", () => {
    it("knows the deployed workload classes, and refuses ZK jobs of a class without a verifier", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub, accounts } = market;
      expect(await verificationHub.isWorkloadSupported(WorkloadClass.ComputeCommitment)).to.equal(true);
      expect(await verificationHub.isWorkloadSupported(WorkloadClass.DenseLayer)).to.equal(true);
      expect(await verificationHub.isWorkloadSupported(7)).to.equal(false);
      const now = await time.latest();
      const spec = (workloadClass: number) => jobSpec(now, { mode: Mode.ZK, workloadClass });
      await expect(jobMarket.connect(accounts.alice).submitJob(spec(7)))
        .to.be.revertedWithCustomError(jobMarket, "MarketUnsupportedWorkload")
        .withArgs(7);

      await expect(
        verificationHub.connect(accounts.stranger).setWorkloadVerifier(1, accounts.stranger.address),
      ).to.be.revertedWithCustomError(verificationHub, "AccessManagedUnauthorized");
      await expect(
        verificationHub.connect(accounts.governor).setWorkloadVerifier(WorkloadClass.ComputeCommitment, ZERO),
      )
        .to.emit(verificationHub, "WorkloadVerifierSet")
        .withArgs(WorkloadClass.ComputeCommitment, ZERO);
      await expect(jobMarket.connect(accounts.alice).submitJob(spec(WorkloadClass.ComputeCommitment)))
        .to.be.revertedWithCustomError(jobMarket, "MarketUnsupportedWorkload")
        .withArgs(WorkloadClass.ComputeCommitment);
    });

    it("names each class's verifier, and refuses to check a proof of a class without one", async () => {
      const { verificationHub, manifest, accounts } = await loadFixture(ready);
      expect(await verificationHub.workloadVerifier(WorkloadClass.DenseLayer)).to.equal(
        manifest.contracts.DenseLayerWorkload!.address,
      );
      expect(await verificationHub.workloadVerifier(WorkloadClass.DigitsMlp)).to.equal(
        manifest.contracts.DigitsMlpWorkload!.address,
      );
      expect(await verificationHub.workloadVerifier(7)).to.equal(ZERO);
      await expect(verificationHub.checkProof(7, 1n, accounts.alice.address, ethers.ZeroHash, ANSWER, "0x"))
        .to.be.revertedWithCustomError(verificationHub, "HubUnsupportedWorkload")
        .withArgs(7);
    });
  });

  describe("audits", () => {
    it("samples verified jobs at the governed rate from the hash of the block after the verification", async () => {
      const market = await loadFixture(ready);
      const { verificationHub } = market;
      const { jobId } = await deliverVerifiedJob(market, 0);
      // A call runs in the latest block, which is the seed block itself: the draw is still unknown there.
      expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Pending);
      await mine();
      expect(await verificationHub.auditDrawOf(jobId)).to.equal(AuditDraw.Skipped);
      expect(await verificationHub.isAuditSampled(jobId)).to.equal(false);
      expect(await verificationHub.drawAudit.staticCall(jobId)).to.equal(false);
      const sampled = await deliverVerifiedJob({ ...market, providers: market.providers.slice(1) }, 10_000);
      await mine();
      expect(await verificationHub.isAuditSampled(sampled.jobId)).to.equal(true);
      expect(await verificationHub.drawAudit.staticCall(sampled.jobId)).to.equal(true);
      await expect(verificationHub.drawAudit(sampled.jobId))
        .to.emit(verificationHub, "AuditDrawn")
        .withArgs(sampled.jobId, true);
      expect(await verificationHub.auditDrawOf(99n)).to.equal(AuditDraw.None);
      await expect(verificationHub.drawAudit(99n))
        .to.be.revertedWithCustomError(verificationHub, "HubNoAuditDraw")
        .withArgs(99n);
    });

    it("samples a job whose draw is just under the rate, and skips one whose draw equals it", async () => {
      const market = await loadFixture(ready);
      const { verificationHub } = market;
      const { jobId } = await deliverVerifiedJob(market, 0);
      await mine();
      // The draw is the seed block's hash, the hub and the job hashed together, modulo 10 000.
      const seed = (await ethers.provider.getBlock(await verificationHub.auditSeedBlockOf(jobId)))!.hash!;
      const encoded = AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "address", "uint256"],
        [seed, await verificationHub.getAddress(), jobId],
      );
      const draw = BigInt(keccak256(encoded)) % 10_000n;
      await setHubParameters(market, { auditRateBps: draw });
      expect(await verificationHub.drawAudit.staticCall(jobId)).to.equal(false);
      await setHubParameters(market, { auditRateBps: draw + 1n });
      expect(await verificationHub.drawAudit.staticCall(jobId)).to.equal(true);
    });

    it("passes an audit whose re-execution matches; the job then settles as usual", async () => {
      const { jobMarket, verificationHub, jobId, validators } = await loadFixture(audited);
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, ANSWER))
        .to.emit(verificationHub, "AuditPassed")
        .withArgs(jobId, validators[0]!.address, ANSWER);
      expect(await verificationHub.hasAudited(jobId, validators[0]!.address)).to.equal(true);
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, ANSWER))
        .to.be.revertedWithCustomError(verificationHub, "HubAlreadyAudited")
        .withArgs(jobId, validators[0]!.address);
      // A pass closes nothing: another validator may still report.
      await expect(verificationHub.connect(validators[1]!).reportAudit(jobId, ANSWER)).to.emit(
        verificationHub,
        "AuditPassed",
      );
      await time.increase(DAY + 1);
      await jobMarket.finalize(jobId);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
    });

    it("turns a failed audit into a dispute; upheld, it slashes the provider, pays the validator and refunds", async () => {
      const fixture = await loadFixture(audited);
      const market = () => fixture;
      const { jobMarket, verificationHub, staking, agpu, jobId, provider, validators, accounts } = fixture;
      const [auditor] = validators;
      await expect(verificationHub.connect(auditor!).reportAudit(jobId, result("re-executed")))
        .to.emit(verificationHub, "AuditFailed")
        .withArgs(jobId, auditor!.address, result("re-executed"))
        .and.to.emit(verificationHub, "DisputeOpened")
        .and.to.emit(jobMarket, "DisputeStarted")
        .withArgs(jobId);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Disputed);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId))
        .to.be.revertedWithCustomError(jobMarket, "MarketJobNotInStatus")
        .withArgs(jobId, JobStatus.Disputed);

      // The auditor never sits on the committee that judges its own claim.
      const jurors = await decideDispute(market(), jobId, true);
      expect(jurors.map((juror) => juror.address)).to.not.include(auditor!.address);
      const tx = verificationHub.connect(accounts.stranger).resolveDispute(jobId);
      await expect(tx)
        .to.emit(verificationHub, "DisputeResolved")
        .withArgs(jobId, Verdict.Upheld, 3, 0)
        .and.to.emit(staking, "CollateralForfeited")
        .withArgs(provider.address, SLASH_DISPUTE, await verificationHub.getAddress(), COURT_FEE)
        .and.to.emit(staking, "Slashed")
        .withArgs(provider.address, SLASH_DISPUTE, auditor!.address, SLASHED, SLASHED, SLASHED / 10n, 1n)
        .and.to.emit(jobMarket, "JobRefunded")
        .withArgs(jobId, ESCROW);
      await expect(tx).to.changeTokenBalances(ethers, agpu, [accounts.alice, jobMarket], [ESCROW, -ESCROW]);
      expect(await staking.unpaidBountyOf(auditor!.address)).to.equal(SLASHED / 10n);
      // The provider's collateral paid the court: each juror has a third of the fee.
      for (const juror of jurors) expect(await agpu.balanceOf(juror.address)).to.equal(COURT_FEE / 3n);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Refunded);
      await expect(verificationHub.resolveDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubNoOpenDispute")
        .withArgs(jobId);
    });

    it("slashes an auditing validator whose claim the committee rejects, and the job returns to its window", async () => {
      const fixture = await loadFixture(audited);
      const { jobMarket, verificationHub, staking, agpu, jobId, provider, validators } = fixture;
      const [auditor] = validators;
      await verificationHub.connect(auditor!).reportAudit(jobId, result("lie"));
      await decideDispute(fixture, jobId, false);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(staking, "CollateralForfeited")
        .withArgs(auditor!.address, SLASH_FALSE_AUDIT, await verificationHub.getAddress(), COURT_FEE)
        .and.to.emit(staking, "Slashed")
        .withArgs(auditor!.address, SLASH_FALSE_AUDIT, ZERO, SLASHED, SLASHED, 0n, 1n)
        .and.to.emit(jobMarket, "JobVerified");
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Verified);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId)).to.changeTokenBalance(
        ethers,
        agpu,
        provider,
        (ESCROW * 8_800n) / 10_000n,
      );
    });

    it("takes a false audit's whole collateral even when the court fee is all of it: the jurors get it, nothing is left to slash", async () => {
      const fixture = await loadFixture(audited);
      const { verificationHub, staking, agpu, jobId } = fixture;
      // Three seats at 50% of a 20 AGPU share: a court fee of 30 AGPU, the job's whole collateral.
      const { auditor, courtFee, jurors } = await rejectFalseAudit(fixture, 5_000);
      expect(courtFee).to.equal(COLLATERAL);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(staking, "CollateralForfeited")
        .withArgs(auditor.address, SLASH_FALSE_AUDIT, await verificationHub.getAddress(), COLLATERAL);
      await expect(tx).to.not.emit(staking, "Slashed");
      for (const juror of jurors) expect(await agpu.balanceOf(juror.address)).to.equal(COLLATERAL / 3n);
      expect(await staking.lockedOf(auditor.address)).to.equal(0n);
    });

    it("slashes a false audit's whole collateral when the court takes no fee, and pays its jurors nothing", async () => {
      const fixture = await loadFixture(audited);
      const { verificationHub, staking, agpu, jobId } = fixture;
      const { auditor, courtFee, jurors } = await rejectFalseAudit(fixture, 0);
      expect(courtFee).to.equal(0n);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(auditor.address, SLASH_FALSE_AUDIT, ZERO, COLLATERAL, COLLATERAL, 0n, 1n)
        .and.to.emit(verificationHub, "JurorRewarded")
        .withArgs(jobId, jurors[0]!.address, 0n);
      await expect(tx).to.not.emit(staking, "CollateralForfeited");
      await expect(tx).to.changeTokenBalances(
        ethers,
        agpu,
        jurors.map((juror) => juror.address),
        jurors.map(() => 0n),
      );
    });

    it("forgets a rejected claim's committee, so its jurors may sit on the next; a final ruling keeps its committee", async () => {
      const fixture = await loadFixture(audited);
      const { verificationHub, jobId, validators } = fixture;
      await verificationHub.connect(validators[0]!).reportAudit(jobId, result("lie"));
      const first = await decideDispute(fixture, jobId, false);
      await verificationHub.resolveDispute(jobId);
      expect(await verificationHub.jurorsOf(jobId)).to.deep.equal([]);
      // Four validators: the next auditor sat on the first committee, and the two others sit again. (The liar, slashed
      // under the validator minimum, can no longer sit.)
      const [auditor, ...others] = first;
      await verificationHub.connect(auditor!).reportAudit(jobId, result("re-executed"));
      const second = await decideDispute(fixture, jobId, true);
      expect(second.map((juror) => juror.address)).to.have.members(others.map((juror) => juror.address));
      await expect(verificationHub.resolveDispute(jobId))
        .to.emit(verificationHub, "DisputeResolved")
        .withArgs(jobId, Verdict.Upheld, 2, 0);
      expect(await verificationHub.jurorsOf(jobId)).to.have.members(second.map((juror) => juror.address));
    });

    it("refuses audits of unsampled jobs, by non-validators, by the job's parties, and after the window", async () => {
      const market = await loadFixture(audited);
      const { verificationHub, jobId, validators, accounts } = market;
      await expect(verificationHub.connect(accounts.stranger).reportAudit(jobId, ANSWER))
        .to.be.revertedWithCustomError(verificationHub, "HubNotValidator")
        .withArgs(accounts.stranger.address);
      // The job's provider and requester, validators too, may not audit it.
      const { nodeRegistry, provider } = market;
      await nodeRegistry.connect(provider).updateRoles(NodeRole.PROVIDER | NodeRole.VALIDATOR);
      await expect(verificationHub.connect(provider).reportAudit(jobId, result("mine was wrong")))
        .to.be.revertedWithCustomError(verificationHub, "HubConflictedValidator")
        .withArgs(jobId, provider.address);
      await stakeFrom(market, accounts.alice, VALIDATOR_STAKE);
      await nodeRegistry.connect(accounts.alice).register(NodeRole.VALIDATOR, serviceNodeMetadata());
      await expect(verificationHub.connect(accounts.alice).reportAudit(jobId, result("not what I wanted")))
        .to.be.revertedWithCustomError(verificationHub, "HubConflictedValidator")
        .withArgs(jobId, accounts.alice.address);
      await time.increase(DAY + 1);
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, ANSWER)).to.be.revertedWithCustomError(
        verificationHub,
        "HubChallengeWindowClosed",
      );

      const unsampled = await loadFixture(verified);
      await expect(unsampled.verificationHub.connect(unsampled.validators[0]!).reportAudit(unsampled.jobId, ANSWER))
        .to.be.revertedWithCustomError(unsampled.verificationHub, "HubNotSampledForAudit")
        .withArgs(unsampled.jobId);
      await expect(
        unsampled.verificationHub.connect(unsampled.validators[0]!).reportAudit(99n, ANSWER),
      ).to.be.revertedWithCustomError(unsampled.jobMarket, "MarketUnknownJob");
    });
  });

  describe("disputes", () => {
    it("takes no dispute, audit, juror, draw, vote, appeal or resolution while the hub is paused", async () => {
      const { verificationHub, jobId, validators, accounts } = await loadFixture(audited);
      const hub = (signer: typeof accounts.alice) => verificationHub.connect(signer);
      await verificationHub.connect(accounts.guardian).pause();
      // The pause is checked first: without it each call would go through or fail with an error of its own.
      for (const call of [
        () => hub(accounts.alice).openDispute(jobId),
        () => hub(validators[0]!).reportAudit(jobId, ANSWER),
        () => hub(validators[0]!).joinPool(),
        () => hub(accounts.stranger).drawCommittee(jobId),
        () => hub(validators[0]!).commitVote(jobId, salt(1)),
        () => hub(validators[0]!).revealVote(jobId, true, salt(1)),
        () => hub(accounts.bob).appeal(jobId),
        () => hub(accounts.stranger).resolveDispute(jobId),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(verificationHub, "EnforcedPause");
      }
    });

    it("takes the requester's bond into the hub and freezes the job", async () => {
      const { jobMarket, verificationHub, agpu, jobId, accounts } = await loadFixture(verified);
      // The dispute bond (10% of the escrow) and the court fee, which the loser pays.
      const bond = ESCROW / 10n + COURT_FEE;
      expect(await verificationHub.disputeBondOf(jobId)).to.equal(bond);
      await expect(verificationHub.connect(accounts.bob).openDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubNotRequester")
        .withArgs(jobId, accounts.bob.address);
      const tx = verificationHub.connect(accounts.alice).openDispute(jobId);
      await expect(tx).to.emit(verificationHub, "DisputeOpened");
      await expect(tx).to.changeTokenBalances(ethers, agpu, [accounts.alice, verificationHub], [-bond, bond]);
      expect(await verificationHub.totalBonds()).to.equal(bond);
      const dispute = await verificationHub.disputeOf(jobId);
      expect(dispute.challenger).to.equal(accounts.alice.address);
      expect(dispute.committeeSize).to.equal(3n);
      // Nobody knows the committee yet: it is drawn from the next block's hash.
      expect(dispute.drawBlock).to.equal(BigInt(await ethers.provider.getBlockNumber()) + 1n);
      expect(dispute.commitEndsAt).to.equal(0n);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Disputed);
      await expect(verificationHub.connect(accounts.alice).openDispute(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "HubJobNotVerified",
      );
    });

    it("upheld: slashes the provider, returns the escrow and the bond, and the requester earns the bounty", async () => {
      const fixture = await loadFixture(verified);
      const { jobMarket, verificationHub, staking, agpu, jobId, provider, accounts } = fixture;
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await expect(verificationHub.resolveDispute(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubCommitteeNotDrawn")
        .withArgs(jobId);
      // Two of three jurors find the result wrong; the third is outvoted and pays for it.
      const jurors = await decideDispute(fixture, jobId, (_, index) => index < 2);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(jobMarket, "DisputeClosed")
        .withArgs(jobId, true, accounts.alice.address)
        .and.to.emit(staking, "Slashed")
        .withArgs(provider.address, SLASH_DISPUTE, accounts.alice.address, SLASHED, SLASHED, SLASHED / 10n, 1n);
      const bond = ESCROW / 10n + COURT_FEE;
      await expect(tx).to.changeTokenBalances(
        ethers,
        agpu,
        [accounts.alice, jobMarket, verificationHub, provider],
        [ESCROW + bond, -ESCROW, -bond, 0n],
      );
      expect(await verificationHub.totalBonds()).to.equal(0n);
      // The dissenting juror's collateral and the court fee are shared by the two who voted with the outcome.
      expect(await staking.stakeOf(jurors[2]!.address)).to.equal(VALIDATOR_STAKE - JUROR_COLLATERAL);
      for (const juror of jurors.slice(0, 2)) {
        expect(await agpu.balanceOf(juror.address)).to.equal((JUROR_COLLATERAL + COURT_FEE) / 2n);
        expect(await staking.lockedOf(juror.address)).to.equal(0n);
      }
    });

    it("rejected: the bond goes to the provider, who is paid as usual", async () => {
      const fixture = await loadFixture(verified);
      const { jobMarket, verificationHub, agpu, jobId, provider, accounts } = fixture;
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await decideDispute(fixture, jobId, false);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(verificationHub, "BondForfeited")
        .withArgs(jobId, provider.address, ESCROW / 10n)
        .and.to.emit(jobMarket, "JobSettled");
      await expect(tx).to.changeTokenBalance(ethers, agpu, provider, (ESCROW * 8_800n) / 10_000n + ESCROW / 10n);
    });

    it("rejected on a 2-of-3 Consensus job: the bond goes only to the two whose result was accepted", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub, accounts } = market;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
      const [first, outvoted, third] = market.providers;
      // Slot 1 is outvoted: slots 0 and 2 agree, and only they are accepted.
      await claimCommitReveal(market, jobId, [first!, outvoted!, third!], [ANSWER, result("other"), ANSWER]);
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b101n);
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await decideDispute(market, jobId, false);
      const forfeited = (await jobMarket.jobOf(jobId)).escrow / 10n;
      const each = forfeited / 2n;
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(verificationHub, "BondForfeited")
        .withArgs(jobId, first!.address, each + (forfeited - 2n * each))
        .and.to.emit(verificationHub, "BondForfeited")
        .withArgs(jobId, third!.address, each);
      const events = await verificationHub.queryFilter(verificationHub.filters.BondForfeited(jobId));
      expect(events.map((e) => e.args.provider)).to.deep.equal([first!.address, third!.address]);
    });

    it("upheld on a Consensus job whose third provider never revealed: only the two accepted pay for it", async () => {
      const market = await loadFixture(ready);
      const { jobMarket, verificationHub, staking, accounts } = market;
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.Consensus, redundancy: 3 }));
      const trio = market.providers.slice(0, 3);
      for (const provider of trio) await jobMarket.connect(provider).claimSlot(jobId);
      for (const [slot, provider] of trio.entries()) {
        await jobMarket
          .connect(provider)
          .commitResult(jobId, slot, commitmentOf(jobId, slot, provider.address, ANSWER, salt(slot + 1)));
      }
      for (const slot of [0, 1]) {
        await jobMarket.connect(trio[slot]!).revealResult(jobId, slot, ANSWER, salt(slot + 1), NO_EVIDENCE);
      }
      // The third never reveals: it is slashed for the miss, and the other two are accepted.
      await time.increase(HOUR + 1);
      await jobMarket.connect(accounts.stranger).expireSlot(jobId, 2);
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b011n);
      const silentStake = await staking.stakeOf(trio[2]!.address);

      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await decideDispute(market, jobId, true);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx).to.emit(jobMarket, "DisputeClosed").withArgs(jobId, true, accounts.alice.address);
      const slashed = (
        await staking.queryFilter(staking.filters.Slashed(), (await (await tx).wait())!.blockNumber)
      ).map((e) => e.args.node);
      expect(slashed).to.have.members([trio[0]!.address, trio[1]!.address]);
      expect(await staking.stakeOf(trio[2]!.address)).to.equal(silentStake);
      expect(await staking.lockedOf(trio[2]!.address)).to.equal(0n);
    });

    it("draws from the next block's hash when nobody drew while the draw block's hash was readable", async () => {
      const fixture = await loadFixture(verified);
      const { verificationHub, jobId, accounts } = fixture;
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      // The EVM serves the hashes of the last 256 blocks only.
      await mine(300);
      const next = BigInt(await ethers.provider.getBlockNumber()) + 2n;
      await expect(verificationHub.drawCommittee(jobId))
        .to.emit(verificationHub, "CommitteeDrawScheduled")
        .withArgs(jobId, next);
      expect((await verificationHub.disputeOf(jobId)).drawBlock).to.equal(next);
      expect(await verificationHub.jurorsOf(jobId)).to.deep.equal([]);
      await expect(verificationHub.drawCommittee(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubCommitteeDrawPending")
        .withArgs(jobId, next);
      await mine();
      await expect(verificationHub.drawCommittee(jobId)).to.emit(verificationHub, "CommitteeDrawn");
      expect(await verificationHub.jurorsOf(jobId)).to.have.length(3);
    });

    it("undecided when the vote ends without a majority of the committee: bond back, job settles", async () => {
      const fixture = await loadFixture(verified);
      const { jobMarket, verificationHub, staking, agpu, jobId, accounts } = fixture;
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      // One juror votes; the two others never reveal.
      const jurors = await decideDispute(fixture, jobId, (_, index) => (index === 0 ? true : undefined));
      await time.increase(3 * DAY + 1);
      await expect(verificationHub.connect(jurors[1]!).revealVote(jobId, true, salt(2))).to.be.revertedWithCustomError(
        verificationHub,
        "HubRevealClosed",
      );
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(verificationHub, "DisputeResolved")
        .withArgs(jobId, Verdict.NoDecision, 1, 0)
        .and.to.emit(verificationHub, "BondReturned")
        .withArgs(jobId, accounts.alice.address, ESCROW / 10n + COURT_FEE);
      // Nobody lost: the requester has all it posted back, and no court fee is paid.
      await expect(tx).to.changeTokenBalance(ethers, agpu, accounts.alice, ESCROW / 10n + COURT_FEE);
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
      // The silent jurors pay the one who did its duty.
      expect(await agpu.balanceOf(jurors[0]!.address)).to.equal(2n * JUROR_COLLATERAL);
      for (const silent of jurors.slice(1)) {
        expect(await staking.stakeOf(silent.address)).to.equal(VALIDATOR_STAKE - JUROR_COLLATERAL);
      }
    });

    it("rejects with exactly a majority of the whole committee: two of three, the third silent", async () => {
      const fixture = await loadFixture(verified);
      const { verificationHub, jobId, accounts } = fixture;
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await decideDispute(fixture, jobId, (_, index) => (index < 2 ? false : undefined));
      await time.increase(3 * DAY + 1);
      await expect(verificationHub.resolveDispute(jobId))
        .to.emit(verificationHub, "DisputeResolved")
        .withArgs(jobId, Verdict.Rejected, 0, 2);
    });

    it("undecided when no juror reveals: the bond goes back, and the silent jurors' collateral to the treasury", async () => {
      const fixture = await loadFixture(verified);
      const { jobMarket, verificationHub, staking, agpu, jobId, accounts } = fixture;
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      const jurors = await decideDispute(fixture, jobId, () => undefined);
      await time.increase(3 * DAY + 1);
      const owedBefore = await staking.unpaidTreasury();
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(verificationHub, "DisputeResolved")
        .withArgs(jobId, Verdict.NoDecision, 0, 0)
        .and.to.emit(staking, "CollateralForfeited")
        .withArgs(jurors[0]!.address, await verificationHub.FORFEIT_INCOHERENT_JUROR(), ZERO, JUROR_COLLATERAL);
      // Nobody did the court's work, so nobody is rewarded: what the jurors put at risk is owed to the treasury.
      await expect(tx).to.not.emit(verificationHub, "JurorRewarded");
      await expect(tx).to.changeTokenBalances(
        ethers,
        agpu,
        [accounts.alice, verificationHub],
        [ESCROW / 10n + COURT_FEE, -(ESCROW / 10n + COURT_FEE)],
      );
      expect(await staking.unpaidTreasury()).to.equal(owedBefore + 3n * JUROR_COLLATERAL);
      for (const silent of jurors) {
        expect(await staking.stakeOf(silent.address)).to.equal(VALIDATOR_STAKE - JUROR_COLLATERAL);
        expect(await staking.lockedOf(silent.address)).to.equal(0n);
      }
      expect((await jobMarket.jobOf(jobId)).status).to.equal(JobStatus.Settled);
    });

    it("upheld with no court fee: the provider's whole collateral is slashed and none of it forfeited to the court", async () => {
      const fixture = await loadFixture(verified);
      const { verificationHub, staking, jobId, provider, accounts } = fixture;
      await setHubParameters(fixture, { jurorFeeBps: 0 });
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await decideDispute(fixture, jobId, true);
      // The requester's bounty is 10% of the slash, capped at the slash policy's maximum (1 AGPU).
      const { maxBounty } = await staking.slashPolicy();
      expect(COLLATERAL / 10n).to.be.greaterThan(maxBounty);
      const tx = verificationHub.resolveDispute(jobId);
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(provider.address, SLASH_DISPUTE, accounts.alice.address, COLLATERAL, COLLATERAL, maxBounty, 1n);
      await expect(tx).to.not.emit(staking, "CollateralForfeited");
    });

    it("seats only drawn jurors, each committing once and revealing what it committed, in order", async () => {
      const fixture = await loadFixture(verified);
      const { verificationHub, jobId, provider, validators, accounts } = fixture;
      await expect(verificationHub.connect(validators[0]!).commitVote(jobId, ANSWER))
        .to.be.revertedWithCustomError(verificationHub, "HubNoOpenDispute")
        .withArgs(jobId);
      await verificationHub.connect(accounts.alice).openDispute(jobId);
      await expect(verificationHub.drawCommittee(jobId)).to.be.revertedWithCustomError(
        verificationHub,
        "HubCommitteeDrawPending",
      );
      await expect(verificationHub.connect(validators[0]!).commitVote(jobId, ANSWER))
        .to.be.revertedWithCustomError(verificationHub, "HubCommitteeNotDrawn")
        .withArgs(jobId);
      const jurors = await drawCommittee(fixture, jobId);
      expect(jurors).to.have.length(3);
      await expect(verificationHub.drawCommittee(jobId))
        .to.be.revertedWithCustomError(verificationHub, "HubCommitteeAlreadyDrawn")
        .withArgs(jobId);
      const outsider = validators.find((validator) => !jurors.includes(validator))!;
      for (const stranger of [outsider, accounts.stranger, provider]) {
        await expect(verificationHub.connect(stranger).commitVote(jobId, ANSWER))
          .to.be.revertedWithCustomError(verificationHub, "HubNotJuror")
          .withArgs(jobId, stranger.address);
      }
      const [first, second] = jurors;
      const commitment = await verificationHub.voteCommitment(jobId, first!.address, true, salt(1));
      await verificationHub.connect(first!).commitVote(jobId, commitment);
      await expect(verificationHub.connect(first!).commitVote(jobId, commitment))
        .to.be.revertedWithCustomError(verificationHub, "HubAlreadyCommitted")
        .withArgs(jobId, first!.address);
      // Reveals wait for the commit phase to end (or every juror to commit): nobody votes after seeing others.
      await expect(verificationHub.connect(first!).revealVote(jobId, true, salt(1))).to.be.revertedWithCustomError(
        verificationHub,
        "HubRevealNotOpen",
      );
      await time.increase(2 * DAY + 1);
      await expect(verificationHub.connect(second!).commitVote(jobId, ANSWER)).to.be.revertedWithCustomError(
        verificationHub,
        "HubCommitClosed",
      );
      await expect(verificationHub.connect(first!).revealVote(jobId, false, salt(1)))
        .to.be.revertedWithCustomError(verificationHub, "HubVoteMismatch")
        .withArgs(jobId, first!.address);
      await expect(verificationHub.connect(first!).revealVote(jobId, true, salt(1)))
        .to.emit(verificationHub, "DisputeVoteCast")
        .withArgs(jobId, first!.address, true);
      await expect(verificationHub.connect(first!).revealVote(jobId, true, salt(1))).to.be.revertedWithCustomError(
        verificationHub,
        "HubVoteMismatch",
      );
      expect((await verificationHub.jurorOf(jobId, first!.address)).revealed).to.equal(true);

      const late = await loadFixture(verified);
      await time.increase(DAY + 1);
      await expect(
        late.verificationHub.connect(late.accounts.alice).openDispute(late.jobId),
      ).to.be.revertedWithCustomError(late.verificationHub, "HubChallengeWindowClosed");
    });

    it("keeps the juror pool to eligible validators, each once", async () => {
      const { verificationHub, validators, providers, accounts } = await loadFixture(verified);
      expect(await verificationHub.poolMembers()).to.have.members(validators.map((validator) => validator.address));
      await expect(verificationHub.connect(validators[0]!).joinPool())
        .to.be.revertedWithCustomError(verificationHub, "HubAlreadyInPool")
        .withArgs(validators[0]!.address);
      for (const outsider of [accounts.stranger, providers[0]!]) {
        await expect(verificationHub.connect(outsider).joinPool())
          .to.be.revertedWithCustomError(verificationHub, "HubNotValidator")
          .withArgs(outsider.address);
      }
      await expect(verificationHub.connect(validators[0]!).leavePool())
        .to.emit(verificationHub, "PoolLeft")
        .withArgs(validators[0]!.address);
      expect(await verificationHub.isInPool(validators[0]!.address)).to.equal(false);
      expect(await verificationHub.poolMembers()).to.have.members(
        validators.slice(1).map((validator) => validator.address),
      );
      await expect(verificationHub.connect(validators[0]!).leavePool())
        .to.be.revertedWithCustomError(verificationHub, "HubNotInPool")
        .withArgs(validators[0]!.address);
    });

    it("seats at most 128 validators in the juror pool", async () => {
      const market = await loadFixture(ready);
      const { verificationHub } = market;
      const max = await verificationHub.MAX_POOL_SIZE();
      const joining = Number(max) - market.validators.length;
      for (let i = 0; i < joining; i++)
        await enrolValidator(market, await freshSigner(connection), `https://v${i}.example`);
      expect(await verificationHub.poolMembers()).to.have.length(Number(max));
      const latecomer = await freshSigner(connection);
      await stakeFrom(market, latecomer, VALIDATOR_STAKE);
      await market.nodeRegistry.connect(latecomer).register(NodeRole.VALIDATOR, serviceNodeMetadata());
      await expect(verificationHub.connect(latecomer).joinPool())
        .to.be.revertedWithCustomError(verificationHub, "HubPoolFull")
        .withArgs(max);
      // A seat that frees up can be taken.
      await verificationHub.connect(market.validators[0]!).leavePool();
      await expect(verificationHub.connect(latecomer).joinPool()).to.emit(verificationHub, "PoolJoined");
    });

    it("lets only the hub freeze or close a job", async () => {
      const { jobMarket, jobId, accounts } = await loadFixture(verified);
      await expect(jobMarket.connect(accounts.alice).startDispute(jobId)).to.be.revertedWithCustomError(
        jobMarket,
        "AccessManagedUnauthorized",
      );
      await expect(
        jobMarket.connect(accounts.alice).closeDispute(jobId, 0, accounts.alice.address, ethers.ZeroHash, 0n),
      ).to.be.revertedWithCustomError(jobMarket, "AccessManagedUnauthorized");
    });
  });

  describe("governance", () => {
    it("bounds every parameter and wires the market only once", async () => {
      const market = await loadFixture(ready);
      const { verificationHub, jobMarket, accounts } = market;
      expect(await verificationHub.market()).to.equal(await jobMarket.getAddress());
      expect(await verificationHub.registry()).to.equal(await market.nodeRegistry.getAddress());
      await expect(verificationHub.connect(accounts.governor).setMarket(ZERO)).to.be.revertedWithCustomError(
        verificationHub,
        "HubZeroAddress",
      );
      await expect(verificationHub.connect(accounts.governor).setMarket(accounts.stranger.address))
        .to.be.revertedWithCustomError(verificationHub, "HubMarketAlreadySet")
        .withArgs(await jobMarket.getAddress());
      const parameters = {
        auditRateBps: 500,
        disputeBondBps: 1_000,
        votingPeriod: 2 * DAY,
        committeeSize: 3,
        revealPeriod: DAY,
        jurorCollateral: JUROR_COLLATERAL,
        appealPeriod: DAY,
        jurorFeeBps: 4_500,
      };
      for (const [name, value, min, max] of [
        ["auditRateBps", 10_001, 0, 10_000],
        ["disputeBondBps", 99, 100, 5_000],
        ["votingPeriod", HOUR - 1, HOUR, 14 * DAY],
        ["committeeSize", 2, 3, 21],
        ["revealPeriod", HOUR - 1, HOUR, 7 * DAY],
        ["jurorCollateral", AGPU - 1n, AGPU, 1_000_000n * AGPU],
        ["appealPeriod", 8 * DAY, HOUR, 7 * DAY],
        ["jurorFeeBps", 10_001, 0, 10_000],
      ] as const) {
        await expect(verificationHub.connect(accounts.governor).setParameters({ ...parameters, [name]: value }))
          .to.be.revertedWithCustomError(verificationHub, "HubParameterOutOfBounds")
          .withArgs(name, value, min, max);
      }
    });
  });
});

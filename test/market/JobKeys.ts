import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import type { Hex } from "viem";
import { failureResult } from "@starminer/sdk";

import {
  AGPU,
  DAY,
  JobStatus,
  type Market,
  Mode,
  SlotStatus,
  attestEnclave,
  claimedConsensusJob,
  claimedOptimisticJob,
  commitmentOf,
  jobSpec,
  marketFixture,
  publicKeyOf,
  result,
  salt,
  submit,
} from "../support/market.js";
import { connect } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const { loadFixture, time } = networkHelpers;
const ready = marketFixture(connection);

const NO_EVIDENCE = "0x";
const KEY_WITHHELD = failureResult("key-withheld");
const SLASH_DISSENT = keccak256(toUtf8Bytes("market.dissent"));
/** A job key wrapped by ECIES takes 125 bytes; the market only bounds its length. */
const WRAPPED_KEY = `0x${"ab".repeat(125)}`;

/** A three-provider Consensus job, every slot claimed. */
async function claimedConsensus() {
  return claimedConsensusJob(await ready(), () => time.latest());
}

/** An Optimistic single-provider job submitted by Alice, claimed by a provider above the optimistic floor. */
async function claimedOptimistic() {
  return claimedOptimisticJob(await ready(), () => time.latest());
}

/** Each of `slots` asks for the job key with its node key. */
async function requestKeys(market: Market, jobId: bigint, slots: number[]) {
  for (const slot of slots) {
    const provider = market.providers[slot]!;
    await market.jobMarket.connect(provider).requestJobKey(jobId, slot, await publicKeyOf(provider));
  }
}

/** Moves the clock past half of slot 0's delivery window: the time a claimer waits for its key. */
async function waitHalfWindow(market: Market, jobId: bigint) {
  const [slot] = await market.jobMarket.slotsOf(jobId);
  await time.increaseTo(slot!.claimedAt + (slot!.deliverBy - slot!.claimedAt) / 2n + 1n);
}

/** Commits then reveals `results[i]` for slot i of a Consensus job. */
async function deliverConsensus(market: Market, jobId: bigint, results: string[]) {
  for (const [slot, value] of results.entries()) {
    const provider = market.providers[slot]!;
    await market.jobMarket
      .connect(provider)
      .commitResult(jobId, slot, commitmentOf(jobId, slot, provider.address, value, salt(slot + 1)));
  }
  for (const [slot, value] of results.entries()) {
    await market.jobMarket.connect(market.providers[slot]!).revealResult(jobId, slot, value, salt(slot + 1), "0x");
  }
}

describe("JobMarket: the exchange of a sealed job's key", function () {
  describe("requests and releases", () => {
    it("records a claimer's request and the requester's release, with the public key and the wrapped key", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, jobId, provider, accounts } = market;
      const publicKey = await publicKeyOf(provider);
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, publicKey))
        .to.emit(jobMarket, "JobKeyRequested")
        .withArgs(jobId, 0n, provider.address, publicKey);
      expect(await jobMarket.keyExchangeOf(jobId, 0)).to.deep.equal([provider.address, false]);
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY))
        .to.emit(jobMarket, "JobKeyReleased")
        .withArgs(jobId, 0n, provider.address, WRAPPED_KEY);
      expect(await jobMarket.keyExchangeOf(jobId, 0)).to.deep.equal([provider.address, true]);
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY))
        .to.be.revertedWithCustomError(jobMarket, "MarketKeyAlreadyExchanged")
        .withArgs(jobId, 0n);
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, publicKey))
        .to.be.revertedWithCustomError(jobMarket, "MarketKeyAlreadyExchanged")
        .withArgs(jobId, 0n);
    });

    it("takes a request only from the slot's claimer, for its own key, in the first quarter of its window", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, jobId, provider, providers } = market;
      const stranger = providers[1]!;
      await expect(jobMarket.connect(stranger).requestJobKey(jobId, 0, await publicKeyOf(stranger)))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotSlotProvider")
        .withArgs(jobId, 0n, stranger.address);
      // The claimer cannot have the key wrapped to someone else's key.
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(stranger)))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotKeyHolder")
        .withArgs(jobId, 0n, stranger.address, provider.address);
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, "0x04" + "11".repeat(64)))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidPublicKey")
        .withArgs(65n);
      const [slot] = await jobMarket.slotsOf(jobId);
      const requestBy = slot!.claimedAt + (slot!.deliverBy - slot!.claimedAt) / 4n;
      await time.increaseTo(requestBy + 1n);
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(provider)))
        .to.be.revertedWithCustomError(jobMarket, "MarketKeyRequestLate")
        .withArgs(jobId, 0n, requestBy);
    });

    it("wraps a TEE job's key to the attested enclave's key, not the provider's", async () => {
      const market = await ready();
      const { jobMarket, providers } = market;
      const provider = providers[0]!;
      const enclave = Wallet.createRandom();
      await attestEnclave(market, provider, keccak256(toUtf8Bytes("enclave")), enclave.privateKey as Hex);
      const jobId = await submit(market, jobSpec(await time.latest(), { mode: Mode.TEE, teeRequired: true }));
      await jobMarket.connect(provider).claimSlot(jobId);
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(provider)))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotKeyHolder")
        .withArgs(jobId, 0n, provider.address, enclave.address);
      const enclaveKey = `0x${enclave.signingKey.publicKey.slice(4)}`;
      await expect(jobMarket.connect(provider).requestJobKey(jobId, 0, enclaveKey))
        .to.emit(jobMarket, "JobKeyRequested")
        .withArgs(jobId, 0n, provider.address, enclaveKey);
    });

    it("takes a release only from the requester, for a claimer that asked, while the slot is Claimed", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, jobId, trio, accounts } = market;
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY))
        .to.be.revertedWithCustomError(jobMarket, "MarketKeyNotRequested")
        .withArgs(jobId, 0n);
      await requestKeys(market, jobId, [0, 1]);
      await expect(jobMarket.connect(trio[1]!).releaseJobKey(jobId, 0, WRAPPED_KEY))
        .to.be.revertedWithCustomError(jobMarket, "MarketNotRequester")
        .withArgs(jobId, trio[1]!.address);
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, "0x"))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidWrappedKey")
        .withArgs(0n);
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, `0x${"ab".repeat(257)}`))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidWrappedKey")
        .withArgs(257n);
      await jobMarket
        .connect(trio[1]!)
        .commitResult(jobId, 1, commitmentOf(jobId, 1, trio[1]!.address, result("answer"), salt(2)));
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 1, WRAPPED_KEY))
        .to.be.revertedWithCustomError(jobMarket, "MarketSlotNotInStatus")
        .withArgs(jobId, 1n, SlotStatus.Committed);
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 3, WRAPPED_KEY))
        .to.be.revertedWithCustomError(jobMarket, "MarketInvalidSlot")
        .withArgs(jobId, 3n);
    });

    it("takes a release only while more than half the claimer's window is left, when it may not yet give up", async () => {
      const { jobMarket, jobId, provider, accounts } = await loadFixture(claimedOptimistic);
      await jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(provider));
      const [slot] = await jobMarket.slotsOf(jobId);
      const window = slot!.deliverBy - slot!.claimedAt;
      // The last moment a delivery would still be faster than 50% (a whole 51% of the window left).
      const releaseBy = slot!.deliverBy - (51n * window + 99n) / 100n;
      await time.setNextBlockTimestamp(releaseBy + 1n);
      await expect(jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY))
        .to.be.revertedWithCustomError(jobMarket, "MarketKeyReleaseLate")
        .withArgs(jobId, 0n, releaseBy);

      const again = await loadFixture(claimedOptimistic);
      await again.jobMarket.connect(again.provider).requestJobKey(jobId, 0, await publicKeyOf(again.provider));
      await time.setNextBlockTimestamp(releaseBy);
      await expect(again.jobMarket.connect(again.accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY)).to.emit(
        again.jobMarket,
        "JobKeyReleased",
      );
    });

    it("refuses requests and releases while the market is paused (its clock stands still)", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, jobId, provider, accounts } = market;
      await jobMarket.connect(accounts.guardian).pause();
      await expect(
        jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(provider)),
      ).to.be.revertedWithCustomError(jobMarket, "EnforcedPause");
      await expect(
        jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY),
      ).to.be.revertedWithCustomError(jobMarket, "EnforcedPause");
    });
  });

  describe("a key-withheld result", () => {
    it("is excused in Consensus when the claimer asked in time and was not answered: paid, not slashed", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, agpu, staking, jobId, trio, accounts } = market;
      const answer = result("answer");
      await requestKeys(market, jobId, [0, 1, 2]);
      for (const slot of [0, 1]) await jobMarket.connect(accounts.alice).releaseJobKey(jobId, slot, WRAPPED_KEY);
      await waitHalfWindow(market, jobId);
      await deliverConsensus(market, jobId, [answer, answer, KEY_WITHHELD]);
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b111n);

      await time.increase(DAY + 1);
      const share = 20n * AGPU;
      const finalized = jobMarket.finalize(jobId);
      await expect(finalized).not.to.emit(staking, "Slashed");
      await expect(finalized).to.changeTokenBalances(
        ethers,
        agpu,
        [...trio, accounts.alice],
        [...trio.map(() => (share * 8_800n) / 10_000n), 0n],
      );
    });

    it("lets the one claimer that got the key carry a Consensus job whose other two were denied it", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, staking, jobId, accounts } = market;
      const answer = result("answer");
      await requestKeys(market, jobId, [0, 1, 2]);
      await jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY);
      await waitHalfWindow(market, jobId);
      await deliverConsensus(market, jobId, [answer, KEY_WITHHELD, KEY_WITHHELD]);
      const job = await jobMarket.jobOf(jobId);
      expect(job.status).to.equal(JobStatus.Verified);
      expect(job.acceptedSlots).to.equal(0b111n);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId)).not.to.emit(staking, "Slashed");
    });

    /** Slots 0 and 1 got the key and disagree; slot 2 was denied it and reports key-withheld (excused). */
    async function besideSplit() {
      const market = await loadFixture(claimedConsensus);
      await requestKeys(market, market.jobId, [0, 1, 2]);
      for (const slot of [0, 1]) {
        await market.jobMarket.connect(market.accounts.alice).releaseJobKey(market.jobId, slot, WRAPPED_KEY);
      }
      await waitHalfWindow(market, market.jobId);
      await deliverConsensus(market, market.jobId, [result("one"), result("other"), KEY_WITHHELD]);
      return market;
    }

    it("beside a split of the claimers that computed, is paid, and leaves them unslashed as in any split", async () => {
      const market = await besideSplit();
      const { jobMarket, staking, jobId, trio } = market;
      // No majority among the two that computed: only the excused slot is accepted.
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b100n);
      await time.increase(DAY + 1);
      const finalized = jobMarket.finalize(jobId);
      await expect(finalized).not.to.emit(staking, "Slashed");
      await expect(finalized)
        .to.emit(jobMarket, "ProviderPaid")
        .withArgs(jobId, 2n, trio[2]!.address, anyValue, 0n, anyValue);
      for (const claimer of trio) expect(await staking.lockedOf(claimer.address)).to.equal(0n);
    });

    it("beside a split, leaves the job a split for its audit: any claimed result goes to a committee", async () => {
      const { verificationHub, jobId, validators } = await besideSplit();
      await expect(verificationHub.connect(validators[0]!).reportAudit(jobId, result("one")))
        .to.emit(verificationHub, "AuditFailed")
        .withArgs(jobId, validators[0]!.address, result("one"));
    });

    it("is false when the key was released, asked for late, or never asked for: rejected and slashed", async () => {
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, staking, jobId, trio, accounts } = market;
      // Slot 0 got its key, slot 1 never asked; slot 2 asked, was not answered, but gave up before half its window.
      await requestKeys(market, jobId, [0, 2]);
      await jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY);
      const provider = market.providers[2]!;
      await jobMarket
        .connect(provider)
        .commitResult(jobId, 2, commitmentOf(jobId, 2, provider.address, KEY_WITHHELD, salt(3)));
      await waitHalfWindow(market, jobId);
      for (const [slot, value] of [KEY_WITHHELD, KEY_WITHHELD].entries()) {
        const claimer = market.providers[slot]!;
        await jobMarket
          .connect(claimer)
          .commitResult(jobId, slot, commitmentOf(jobId, slot, claimer.address, value, salt(slot + 1)));
      }
      for (const slot of [0, 1, 2]) {
        await jobMarket.connect(market.providers[slot]!).revealResult(jobId, slot, KEY_WITHHELD, salt(slot + 1), "0x");
      }
      // Three false claims: no vote among them, nothing accepted.
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0n);

      await time.increase(DAY + 1);
      const finalized = jobMarket.finalize(jobId);
      for (const claimer of trio) {
        await expect(finalized)
          .to.emit(staking, "Slashed")
          .withArgs(claimer.address, SLASH_DISSENT, anyValue, anyValue, anyValue, anyValue, anyValue);
      }
    });

    it("stays excused when the requester tries to release the key between the claimer giving up and its report", async () => {
      // The race a requester could otherwise win: it watches for the claimer's key-withheld report and releases the
      // key just before it lands, turning an excused report into a false one and the claimer into a dissenter.
      const market = await loadFixture(claimedConsensus);
      const { jobMarket, staking, jobId, accounts } = market;
      await requestKeys(market, jobId, [0, 1, 2]);
      await jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY);
      await jobMarket.connect(accounts.alice).releaseJobKey(jobId, 1, WRAPPED_KEY);
      await waitHalfWindow(market, jobId);
      await expect(
        jobMarket.connect(accounts.alice).releaseJobKey(jobId, 2, WRAPPED_KEY),
      ).to.be.revertedWithCustomError(jobMarket, "MarketKeyReleaseLate");
      await deliverConsensus(market, jobId, [result("answer"), result("answer"), KEY_WITHHELD]);
      // The two that got the key carry the job; the one denied it is excused, accepted and paid, slashed by nobody.
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0b111n);
      await time.increase(DAY + 1);
      await expect(jobMarket.finalize(jobId)).not.to.emit(staking, "Slashed");
    });

    it("is excused in an Optimistic job: accepted, paid, and no upheld dispute makes it wrong", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, agpu, staking, verificationHub, jobId, provider, accounts } = market;
      await jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(provider));
      await waitHalfWindow(market, jobId);
      await jobMarket.connect(provider).submitResult(jobId, 0, KEY_WITHHELD, NO_EVIDENCE);
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(1n);

      // The requester disputes, claiming the output it would have got: even upheld, the claimer was right.
      const hubAddress = await verificationHub.getAddress();
      await networkHelpers.setBalance(hubAddress, 10n ** 18n);
      const hub = await ethers.getImpersonatedSigner(hubAddress);
      await jobMarket.connect(hub).startDispute(jobId);
      const closed = jobMarket.connect(hub).closeDispute(jobId, 0, accounts.alice.address, result("answer"), 0n);
      await expect(closed).not.to.emit(staking, "Slashed");
      await expect(closed).to.changeTokenBalance(ethers, agpu, provider, (20n * AGPU * 8_800n) / 10_000n);
    });

    it("is false in an Optimistic job whose key was released: nothing accepted, the claimer slashed, the requester refunded", async () => {
      const market = await loadFixture(claimedOptimistic);
      const { jobMarket, agpu, staking, jobId, provider, accounts } = market;
      await jobMarket.connect(provider).requestJobKey(jobId, 0, await publicKeyOf(provider));
      await jobMarket.connect(accounts.alice).releaseJobKey(jobId, 0, WRAPPED_KEY);
      await waitHalfWindow(market, jobId);
      await jobMarket.connect(provider).submitResult(jobId, 0, KEY_WITHHELD, NO_EVIDENCE);
      expect((await jobMarket.jobOf(jobId)).acceptedSlots).to.equal(0n);
      await time.increase(DAY + 1);
      const finalized = jobMarket.finalize(jobId);
      await expect(finalized).to.emit(staking, "Slashed");
      await expect(finalized).to.changeTokenBalance(ethers, agpu, accounts.alice, 20n * AGPU);
    });
  });
});

import { RUNTIME_BITS, failureResult, zoneId } from "@starminer/sdk";

import {
  DAY,
  claimCommitReveal,
  HOUR,
  JobStatus,
  type Market,
  Mode,
  commitmentOf,
  jobSpec,
  raiseReputation,
  result,
  salt,
  setAuditRate,
  decideDispute,
  publicKeyOf,
  submit,
} from "./market.js";
import type { Connection, Signer } from "./protocol.js";

const NO_EVIDENCE = "0x";

/** Moves the chain's clock on by `seconds` and mines one block (never many: see `hardhat_mine`'s parent hashes). */
export async function advance(connection: Connection, seconds: number): Promise<void> {
  await connection.provider.request({ method: "evm_increaseTime", params: [seconds] });
  await connection.provider.request({ method: "evm_mine", params: [] });
}

async function now(connection: Connection): Promise<bigint> {
  const block = (await connection.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    timestamp: string;
  };
  return BigInt(block.timestamp);
}

/** What a scenario left on chain, for checking an indexer against. */
export interface ScenarioOutcome {
  /** Every job with the status it must end in. */
  readonly expected: Map<bigint, number>;
  /** A job left Open with one of its three slots claimed and the others waiting. */
  readonly openJob: bigint;
  /** A provider that was slashed for dissenting. */
  readonly dissenter: string;
}

/**
 * Drives the market through every way a job can end: consensus settled (unanimous, and with a slashed dissenter),
 * a split settled by an audit, nobody delivering refunded, cancelled, a missed slot reopened and finished by another
 * provider, a sealed job whose key was withheld from one claimer (excused, paid), a provider advertising runtimes,
 * optimistic jobs with
 * an audit, a dispute the committee rejects (settled) and one it upholds (refunded); and leaves one job in flight.
 */
export async function driveEveryTerminalState(connection: Connection, market: Market): Promise<ScenarioOutcome> {
  const { jobMarket, verificationHub, staking, accounts, providers, validators } = market;
  const [p0, p1, p2, p3] = providers as [Signer, Signer, Signer, Signer];
  const expected = new Map<bigint, number>();

  const commitReveal = (jobId: bigint, claimants: Signer[], answers: string[]) =>
    claimCommitReveal(market, jobId, claimants, answers);
  const consensus = async (redundancy: number) =>
    submit(market, jobSpec(await now(connection), { mode: Mode.Consensus, redundancy }));

  // Consensus, unanimous, settled after the challenge window.
  const unanimous = await consensus(3);
  await commitReveal(unanimous, [p0, p1, p2], [result("A"), result("A"), result("A")]);
  expected.set(unanimous, JobStatus.Settled);

  // Consensus with a dissenter, who is slashed; the majority is paid.
  const dissented = await consensus(3);
  await commitReveal(dissented, [p0, p1, p3], [result("B"), result("B"), result("X")]);
  expected.set(dissented, JobStatus.Settled);

  // No majority: a split, always audited. An auditor claims one result, a committee confirms it: that slot is paid,
  // the two others are slashed, and the requester gets the rest back.
  const split = await consensus(3);
  await commitReveal(split, [p1, p2, p0], [result("C"), result("D"), result("G")]);
  await verificationHub.connect(validators[0]!).reportAudit(split, result("G"));
  await decideDispute(market, split, true);
  await verificationHub.connect(accounts.carol).resolveDispute(split);
  expected.set(split, JobStatus.Settled);

  // Nobody revealed: refunded.
  const silent = await consensus(3);
  await advance(connection, DAY + 1);
  for (const slot of [0, 1, 2]) await jobMarket.connect(accounts.carol).expireSlot(silent, slot);
  expected.set(silent, JobStatus.Refunded);

  // Cancelled before anyone claimed it.
  const cancelled = await consensus(3);
  await jobMarket.connect(accounts.alice).cancelJob(cancelled);
  expected.set(cancelled, JobStatus.Cancelled);

  // A provider misses its slot; it is reopened and another provider finishes the job.
  const missed = await consensus(3);
  await jobMarket.connect(p3).claimSlot(missed);
  // p3 starts leaving with all its free stake: the slash for the miss must come from its unbonding and collateral.
  await staking.connect(p3).requestUnbond(await staking.availableOf(p3.address));
  for (const [slot, provider] of [p0, p1].entries()) {
    await jobMarket.connect(provider).claimSlot(missed);
    await jobMarket
      .connect(provider)
      .commitResult(missed, slot + 1, commitmentOf(missed, slot + 1, provider.address, result("E"), salt(slot + 2)));
  }
  await advance(connection, HOUR + 1);
  await jobMarket.connect(accounts.carol).expireSlot(missed, 0);
  await jobMarket.connect(p2).claimSlot(missed);
  await jobMarket.connect(p2).commitResult(missed, 0, commitmentOf(missed, 0, p2.address, result("E"), salt(1)));
  await jobMarket.connect(p2).revealResult(missed, 0, result("E"), salt(1), NO_EVIDENCE);
  for (const [slot, provider] of [p0, p1].entries()) {
    await jobMarket.connect(provider).revealResult(missed, slot + 1, result("E"), salt(slot + 2), NO_EVIDENCE);
  }
  expected.set(missed, JobStatus.Settled);

  // A sealed job: every claimer asks for the key on chain; the requester releases it to two and withholds it from the
  // third, whose `key-withheld` result, reported after half its window, is excused and paid like the others.
  const sealed = await consensus(3);
  const trio = [p0, p1, p2];
  for (const provider of trio) await jobMarket.connect(provider).claimSlot(sealed);
  for (const [slot, provider] of trio.entries()) {
    await jobMarket.connect(provider).requestJobKey(sealed, slot, await publicKeyOf(provider));
  }
  for (const slot of [0, 1])
    await jobMarket.connect(accounts.alice).releaseJobKey(sealed, slot, `0x${"ab".repeat(125)}`);
  await advance(connection, HOUR / 2 + 1);
  const sealedResults = [result("K"), result("K"), failureResult("key-withheld")];
  for (const [slot, provider] of trio.entries()) {
    await jobMarket
      .connect(provider)
      .commitResult(sealed, slot, commitmentOf(sealed, slot, provider.address, sealedResults[slot]!, salt(slot + 1)));
  }
  for (const [slot, provider] of trio.entries()) {
    await jobMarket.connect(provider).revealResult(sealed, slot, sealedResults[slot]!, salt(slot + 1), NO_EVIDENCE);
  }
  expected.set(sealed, JobStatus.Settled);

  // Optimistic jobs need a provider above the optimistic floor.
  await raiseReputation(market, p0.address);
  const optimistic = async () => {
    const jobId = await submit(market, jobSpec(await now(connection), { mode: Mode.Optimistic }));
    await jobMarket.connect(p0).claimSlot(jobId);
    await jobMarket.connect(p0).submitResult(jobId, 0, result("F"), NO_EVIDENCE);
    return jobId;
  };

  // Every verified job sampled for audit: a validator audits one and agrees.
  await setAuditRate(market, 10_000);
  const audited = await optimistic();
  // The draw reads the hash of the block after the verification: one more block must pass.
  await connection.provider.request({ method: "evm_mine", params: [] });
  await verificationHub.connect(validators[0]!).reportAudit(audited, result("F"));
  expected.set(audited, JobStatus.Settled);
  await setAuditRate(market, 0);

  // The requester disputes; the committee rejects the dispute: settled, the bond goes to the provider.
  const rejected = await optimistic();
  await verificationHub.connect(accounts.alice).openDispute(rejected);
  await decideDispute(market, rejected, false);
  expected.set(rejected, JobStatus.Settled);

  // The requester disputes; the committee upholds it: refunded, the provider slashed.
  const upheld = await optimistic();
  await verificationHub.connect(accounts.alice).openDispute(upheld);
  await decideDispute(market, upheld, true);
  expected.set(upheld, JobStatus.Refunded);

  // Voting closes, then every challenge window: anyone ends what is due.
  await advance(connection, 2 * DAY + 1);
  await verificationHub.connect(accounts.carol).resolveDispute(rejected);
  await verificationHub.connect(accounts.carol).resolveDispute(upheld);
  for (const jobId of [unanimous, dissented, sealed]) await jobMarket.connect(accounts.carol).finalize(jobId);
  // Two jobs settled in one transaction; the cancelled job named between them is skipped.
  await jobMarket.connect(accounts.carol).finalizeMany([missed, cancelled, audited]);

  // A provider unbonds part of its stake and withdraws it once the unbonding period is over; the market's fees go
  // to the treasury.
  await staking.connect(p2).requestUnbond(500n * 10n ** 18n);
  await advance(connection, Number(await staking.unbondingPeriod()) + 1);
  await staking.connect(p2).withdraw();
  await jobMarket.connect(accounts.carol).sweepFees();

  // Governance pairs eu-west with two neighbours, then unpairs one: jobs may spill over to eu-central only.
  const { pricingEngine } = market;
  await pricingEngine.connect(accounts.governor).setNeighbours(zoneId("eu-west"), zoneId("eu-central"), 1_000);
  await pricingEngine.connect(accounts.governor).setNeighbours(zoneId("eu-west"), zoneId("us-east"), 2_500);
  await pricingEngine.connect(accounts.governor).removeNeighbours(zoneId("us-east"), zoneId("eu-west"));

  // A provider advertises the runtimes it serves, for the matcher.
  await market.nodeRegistry.connect(p0).setRuntimes(RUNTIME_BITS.onnx | RUNTIME_BITS.wasm);

  // One job stays in flight: three slots, one claimed.
  const openJob = await consensus(3);
  await jobMarket.connect(p1).claimSlot(openJob);
  expected.set(openJob, JobStatus.Open);

  return { expected, openJob, dissenter: p3.address };
}

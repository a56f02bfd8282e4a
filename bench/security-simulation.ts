/**
 * An economic simulation of StarMiner's incentive layer, played against the real contracts on the in-process chain
 * at their default parameters.
 *
 *   npm run bench:security    writes bench/results/security-simulation.json and .md
 *
 * Every strategy runs for SECURITY_SIM_JOBS jobs (60 by default). An actor's wealth is its AGPU balance, its stake
 * and its unpaid bounties; its profit per job is the change in wealth, less what it spent on computation (a
 * provider computing a result, a validator re-executing for an audit or a committee seat), divided by the jobs it
 * played. Randomness is the chain's own where the protocol draws (audit samples, committees) and a seeded generator
 * for the actors' choices (which results a requester re-checks, which honest validator audits).
 *
 * Assumptions, all stated in the results:
 * - computing a job's result costs COMPUTE_COST_BPS of a slot's share (providers, auditors and jurors alike);
 * - a requester re-checks CHECK_RATE_BPS of its Optimistic results and disputes a wrong one;
 * - honest validators audit every job drawn for audit (one of them, at random) and vote the truth;
 * - a requester wronged by a committee's ruling appeals it once (to a committee of seven);
 * - a provider slashed below a market's reputation floor comes back as a fresh identity with a seeded record, so a
 *   cheater's career never ends (the attacker-friendly assumption).
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";
import { NodeRole, serviceNodeMetadata, zoneId } from "@starminer/sdk";

import { energyFeedId } from "../scripts/lib/feeds.js";
import { seededRandom } from "../scripts/lib/random.js";
import {
  AGPU,
  AuditDraw,
  DAY,
  HOUR,
  JobStatus,
  type Market,
  Mode,
  Tier,
  VALIDATOR_STAKE,
  claimCommitReveal,
  drawCommittee,
  enrolProvider,
  enrolValidator,
  jobSpec,
  raiseReputation,
  voteAll,
  waitOutAppeals,
} from "../test/support/market.js";
import { type Signer, freshSigner, pinPrice, protocolFixture, stakeFrom } from "../test/support/protocol.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const JOBS = Number(process.env.SECURITY_SIM_JOBS ?? 60);
const COMPUTE_COST_BPS = 4_000n;
const CHECK_RATE_BPS = 5_000;
/** Enough for a first committee (3) and an appeal's (7) from validators not seated yet, with a challenger aside. */
const VALIDATORS = 12;
/** A third of the validator stake (every validator stakes the same). */
const COLLUDING_VALIDATORS = 4;
const TRUE_RESULT = keccak256(toUtf8Bytes("the right answer"));
const wrong = (label: string) => keccak256(toUtf8Bytes(`wrong: ${label}`));
const NO_EVIDENCE = "0x";

const connection = await network.create();
const { networkHelpers } = connection;
const { time, mine } = networkHelpers;

const random = seededRandom(17);

// ---------------------------------------------------------------------------------------------------------------
// The market and its actors
// ---------------------------------------------------------------------------------------------------------------

const protocol = await protocolFixture(connection)();
const { agpu, staking, nodeRegistry, jobMarket, verificationHub, oracleHub, accounts } = protocol;

const newAccount = () => freshSigner(connection);

async function newProvider(label: string, reputable: boolean): Promise<Signer> {
  const provider = await newAccount();
  await enrolProvider(protocol, provider, `https://${label}`);
  if (reputable) await raiseReputation(market, provider.address);
  return provider;
}

async function newRequester(): Promise<Signer> {
  const requester = await newAccount();
  const funds = 10_000_000n * AGPU;
  await agpu.connect(accounts.deployer).transfer(requester.address, funds);
  await agpu.connect(requester).approve(await jobMarket.getAddress(), funds);
  await agpu.connect(requester).approve(await verificationHub.getAddress(), funds);
  return requester;
}

// Every job the same size: the zone's price is held at its starting price (the floor raised to it), so that the
// figures compare jobs of one size rather than a price that drifts with the simulation's own demand.
await pinPrice(protocol);

const validators: Signer[] = [];
for (let i = 0; i < VALIDATORS; i++) {
  const validator = await newAccount();
  await enrolValidator(protocol, validator, `https://validator-${i}`);
  validators.push(validator);
}
const market = { ...protocol, providers: [] as Signer[], validators } as Market;
const colluders = new Set(validators.slice(0, COLLUDING_VALIDATORS).map((v) => v.address));
const honestValidators = validators.filter((v) => !colluders.has(v.address));
const keeper = accounts.carol;

/** Restakes, out of `validator`'s own balance, whatever it lost below the validator minimum. */
async function topUp(validator: string): Promise<void> {
  const missing = VALIDATOR_STAKE - (await staking.stakeOf(validator));
  if (missing <= 0n) return;
  const signer = validators.find((v) => v.address === validator)!;
  await agpu.connect(signer).approve(await staking.getAddress(), missing);
  await staking.connect(signer).stake(missing);
}

async function wealthOf(account: string): Promise<bigint> {
  const [balance, stake, bounty] = await Promise.all([
    agpu.balanceOf(account),
    staking.stakeOf(account),
    staking.unpaidBountyOf(account),
  ]);
  return balance + stake + bounty;
}

/** What a strategy's actors earned, less what they spent computing, over the jobs they played. */
class Ledger {
  readonly computeSpent = new Map<string, bigint>();
  jobs = 0;
  /** The sum of the slot shares of the jobs played, for the mean. */
  shares = 0n;
  readonly outcomes: Record<string, number> = {};
  private readonly start = new Map<string, bigint>();
  private received = 0n;

  constructor(readonly members: () => string[]) {}

  async open(): Promise<void> {
    for (const member of this.members()) this.start.set(member, await wealthOf(member));
  }

  /** A member that joins midway (a fresh identity): its wealth counts from now. */
  async join(member: string): Promise<void> {
    this.start.set(member, await wealthOf(member));
  }

  spend(account: string, amount: bigint): void {
    this.computeSpent.set(account, (this.computeSpent.get(account) ?? 0n) + amount);
  }

  count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  /** One job played, with its slot share and how it ended. */
  played({ outcome, share }: Played): void {
    this.count(outcome);
    this.shares += share;
    this.jobs++;
  }

  /** A result a requester received, counted at what it would have paid an honest market for it. */
  receive(value: bigint): void {
    this.received += value;
  }

  async profit(): Promise<{ total: bigint; perJob: bigint }> {
    let total = this.received;
    for (const [member, before] of this.start) {
      total += (await wealthOf(member)) - before - (this.computeSpent.get(member) ?? 0n);
    }
    return { total, perJob: total / BigInt(Math.max(this.jobs, 1)) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One job's lifecycle, with each party's behaviour
// ---------------------------------------------------------------------------------------------------------------

/** How a job ended (its route through audit, dispute and settlement) and its slot share. */
interface Played {
  readonly outcome: string;
  readonly share: bigint;
}

interface Behaviour {
  /** Who the requester is, and whether it re-checks results (a share of them) or disputes whatever it gets. */
  readonly requester: Signer;
  readonly requesterPolicy: "checks" | "silent" | "disputes-everything";
  /** Validators that vote for the provider whatever the truth, and never report an audit against it. */
  readonly corruptJurors?: ReadonlySet<string>;
  /** Where compute costs are booked (a ledger per strategy). */
  readonly ledgers: Ledger[];
}

const computeCost = (share: bigint) => (share * COMPUTE_COST_BPS) / 10_000n;

function book(ledgers: Ledger[], account: string, amount: bigint) {
  for (const ledger of ledgers) if (ledger.members().includes(account)) ledger.spend(account, amount);
}

/**
 * After delivery: the audit draw (an honest validator audits a sampled job), the requester's check, a committee if
 * anyone disputed, and settlement. Returns how the job ended.
 */
async function challengeAndSettle(jobId: bigint, accepted: string, behaviour: Behaviour): Promise<string> {
  const job = await jobMarket.jobOf(jobId);
  if (job.status !== BigInt(JobStatus.Verified)) return "refunded-at-tally";
  const split = job.acceptedSlots === 0n;
  const share = job.escrow / job.redundancy;
  const cost = computeCost(share);
  const acceptedWrong = accepted !== TRUE_RESULT;
  let route = "";

  await mine();
  if ((await verificationHub.auditDrawOf(jobId)) === BigInt(AuditDraw.Sampled)) {
    route += "audited,";
    const slots = await jobMarket.slotsOf(jobId);
    const parties = new Set([job.requester, ...slots.map((s) => s.provider)]);
    const auditors: Signer[] = [];
    for (const v of honestValidators) {
      // Not a party, and still staked as a validator (the lazy juror's forfeits may have taken it under).
      if (!parties.has(v.address) && (await protocol.nodeRegistry.isEligible(v.address, NodeRole.VALIDATOR))) {
        auditors.push(v);
      }
    }
    const auditor = auditors[Math.floor(random() * auditors.length)]!;
    book(behaviour.ledgers, auditor.address, cost);
    await verificationHub.connect(auditor).reportAudit(jobId, TRUE_RESULT);
  }
  if ((await jobMarket.jobOf(jobId)).status === BigInt(JobStatus.Verified)) {
    const { requesterPolicy, requester } = behaviour;
    const checks = requesterPolicy === "checks" && random() * 10_000 < CHECK_RATE_BPS;
    // A split has no accepted result for a requester to dispute: it is the auditors'.
    if (!split && ((checks && acceptedWrong) || requesterPolicy === "disputes-everything")) {
      route += "disputed,";
      await verificationHub.connect(requester).openDispute(jobId);
    }
  }

  if ((await jobMarket.jobOf(jobId)).status === BigInt(JobStatus.Disputed)) {
    const jurors = await drawCommittee(market, jobId);
    const corrupt = behaviour.corruptJurors ?? new Set<string>();
    for (const juror of jurors) if (!corrupt.has(juror.address)) book(behaviour.ledgers, juror.address, cost);
    // "Uphold" says the auditor's claimed result is right, or (a requester's dispute) the accepted one is wrong.
    const { result: claimed } = await verificationHub.disputeOf(jobId);
    const truth = claimed !== ZeroHash ? claimed === TRUE_RESULT : acceptedWrong;
    await voteAll(market, jobId, (juror) => (corrupt.has(juror.address) ? false : truth));
    // A ruling against the truth is appealed once by the wronged requester (it gets its bond back when a larger
    // committee reverses it): seven validators not seated yet vote again.
    const { upholdVotes, committeeSize } = await verificationHub.disputeOf(jobId);
    const upheld = upholdVotes > committeeSize / 2n;
    if (upheld !== truth) {
      route += "appealed,";
      await verificationHub.connect(behaviour.requester).appeal(jobId);
      const appealJurors = await drawCommittee(market, jobId);
      for (const juror of appealJurors) if (!corrupt.has(juror.address)) book(behaviour.ledgers, juror.address, cost);
      await voteAll(market, jobId, (juror) => (corrupt.has(juror.address) ? false : truth));
    }
    await waitOutAppeals(market, jobId);
    await verificationHub.resolveDispute(jobId);
    const verdict = (await verificationHub.disputeOf(jobId)).verdict;
    route += ["", "upheld", "rejected", "undecided"][Number(verdict)]!;
    if (split) route = `split,${route}`;
    return route;
  }
  await time.increase(Number((await jobMarket.marketParameters()).challengeWindow) + 1);
  await jobMarket.connect(keeper).finalize(jobId);
  return `${route}settled`;
}

/** An Optimistic job: the provider delivers the right result, a wrong one without computing, or nothing. */
async function optimisticJob(
  provider: Signer,
  delivery: "honest" | "cheat" | "lazy",
  behaviour: Behaviour,
): Promise<Played> {
  const now = await time.latest();
  // No room for a second delivery window: a missed slot ends the job rather than reopening it.
  const spec = jobSpec(now, { mode: Mode.Optimistic, deliveryWindow: HOUR, deadline: BigInt(now + HOUR + 600) });
  await jobMarket.connect(behaviour.requester).submitJob(spec);
  const jobId = await jobMarket.jobCount();
  await jobMarket.connect(provider).claimSlot(jobId);
  const share = (await jobMarket.jobOf(jobId)).escrow;
  if (delivery === "lazy") {
    await time.increase(HOUR + 1);
    await jobMarket.connect(keeper).expireSlot(jobId, 0);
    return { outcome: "missed", share };
  }
  const delivered = delivery === "honest" ? TRUE_RESULT : wrong(provider.address);
  if (delivery === "honest") book(behaviour.ledgers, provider.address, computeCost(share));
  await jobMarket.connect(provider).submitResult(jobId, 0, delivered, NO_EVIDENCE);
  return { outcome: await challengeAndSettle(jobId, delivered, behaviour), share };
}

/** A three-provider Consensus job with each provider's answer (TRUE_RESULT when it computes). */
async function consensusJob(providers: Signer[], answers: string[], behaviour: Behaviour): Promise<Played> {
  const now = await time.latest();
  const spec = jobSpec(now, { mode: Mode.Consensus, redundancy: 3, tier: Tier.Economy });
  await jobMarket.connect(behaviour.requester).submitJob(spec);
  const jobId = await jobMarket.jobCount();
  const { escrow } = await jobMarket.jobOf(jobId);
  for (const [i, provider] of providers.entries()) {
    if (answers[i] === TRUE_RESULT) book(behaviour.ledgers, provider.address, computeCost(escrow / 3n));
  }
  await claimCommitReveal(market, jobId, providers, answers);
  const slots = await jobMarket.slotsOf(jobId);
  const job = await jobMarket.jobOf(jobId);
  const acceptedSlot = slots.find((_, i) => (Number(job.acceptedSlots) & (1 << i)) !== 0);
  const outcome = await challengeAndSettle(jobId, acceptedSlot?.result ?? TRUE_RESULT, behaviour);
  return { outcome, share: escrow / 3n };
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------------------

interface StrategyResult {
  readonly actor: "provider" | "validator" | "requester" | "oracle";
  readonly strategy: string;
  readonly honest: boolean;
  readonly jobs: number;
  /** The mean slot share of the jobs played (what an honest provider is paid from). */
  readonly meanShare: string;
  readonly profitPerJob: string;
  readonly outcomes: Record<string, number>;
  /** Why a dishonest strategy is allowed a non-negative figure: an attack the threat model lists as open. */
  readonly open?: string;
}

const results: StrategyResult[] = [];
const agpuString = (wei: bigint) => (Number(wei) / 1e18).toFixed(2);
const meanShare = (ledger: Ledger) => agpuString(ledger.shares / BigInt(Math.max(ledger.jobs, 1)));

async function record(
  actor: StrategyResult["actor"],
  strategy: string,
  honest: boolean,
  ledger: Ledger,
  open?: string,
): Promise<void> {
  const { perJob } = await ledger.profit();
  results.push({
    actor,
    strategy,
    honest,
    jobs: ledger.jobs,
    meanShare: meanShare(ledger),
    profitPerJob: agpuString(perJob),
    outcomes: ledger.outcomes,
    ...(open === undefined ? {} : { open }),
  });
  console.log(`${actor.padEnd(9)} ${strategy.padEnd(58)} ${agpuString(perJob).padStart(9)} AGPU/job`);
}

/**
 * A provider playing one Optimistic strategy job after job; when a fault drops it under the Optimistic floor it
 * returns as a fresh identity with a seeded record.
 */
async function optimisticProvider(
  strategy: string,
  delivery: "honest" | "cheat" | "lazy",
  options: { corruptJurors?: ReadonlySet<string>; jobs?: number } = {},
) {
  const identities: Signer[] = [await newProvider(`${strategy}-0`, true)];
  const coalition = options.corruptJurors === undefined ? [] : [...options.corruptJurors];
  const ledger = new Ledger(() => [...identities.map((p) => p.address), ...coalition]);
  await ledger.open();
  const requester = await newRequester();
  const behaviour: Behaviour = {
    requester,
    requesterPolicy: "checks",
    ...(options.corruptJurors === undefined ? {} : { corruptJurors: options.corruptJurors }),
    ledgers: [ledger],
  };
  for (let n = 0; n < (options.jobs ?? JOBS); n++) {
    // A coalition keeps its validators staked (and so in the draw) out of its own funds after every forfeit.
    for (const member of coalition) await topUp(member);
    let provider = identities.at(-1)!;
    const floor = (await jobMarket.marketParameters()).optimisticReputationFloor;
    const eligible = (await protocol.reputation.eligibilityScoreOf(provider.address)) >= floor;
    if (!eligible || (await staking.availableOf(provider.address)) < 100n * AGPU) {
      provider = await newProvider(`${strategy}-${identities.length}`, true);
      identities.push(provider);
      await ledger.join(provider.address);
      ledger.count("new identity");
    }
    ledger.played(await optimisticJob(provider, delivery, behaviour));
  }
  return ledger;
}

console.log(`StarMiner security simulation: ${JOBS} jobs per strategy`);

// Providers, Optimistic.
for (const [strategy, delivery] of [
  ["honest: computes and delivers the right result", "honest"],
  ["lazy: claims and never delivers", "lazy"],
  ["cheat: delivers a wrong result without computing", "cheat"],
] as const) {
  const ledger = await optimisticProvider(`optimistic ${delivery}`, delivery);
  await record("provider", `Optimistic, ${strategy}`, delivery === "honest", ledger);
}

// Providers, Consensus.
for (const [strategy, team, answers] of [
  ["honest, beside two honest providers", 1, () => [TRUE_RESULT, TRUE_RESULT, TRUE_RESULT]],
  ["lone cheat beside two honest providers", 1, (n: number) => [wrong(`lone ${n}`), TRUE_RESULT, TRUE_RESULT]],
  ["two colluders outvoting an honest third", 2, (n: number) => [wrong(`pair ${n}`), wrong(`pair ${n}`), TRUE_RESULT]],
] as const) {
  // The first `team` providers play the strategy; the others are honest.
  const providers = [await newProvider("c0", false), await newProvider("c1", false), await newProvider("c2", false)];
  const teamMembers = providers.slice(0, team).map((p) => p.address);
  const ledger = new Ledger(() => teamMembers);
  const honestThird = new Ledger(() => [providers[2]!.address]);
  await ledger.open();
  await honestThird.open();
  const requester = await newRequester();
  for (let n = 0; n < JOBS; n++) {
    // The colluders' requester is their accomplice: it never disputes.
    const policy = team === 2 ? "silent" : "checks";
    const played = await consensusJob(providers, answers(n), {
      requester,
      requesterPolicy: policy,
      ledgers: [ledger, honestThird],
    });
    ledger.played(played);
    honestThird.played(played);
  }
  await record("provider", `Consensus, ${strategy}`, answers(0)[0] === TRUE_RESULT, ledger);
  if (team === 2) await record("provider", "Consensus, the honest third facing two colluders", true, honestThird);
}

// Validators: a third of the validator stake colludes with a cheating Optimistic provider, voting for it on every
// committee they sit on; the coalition's profit is the provider's and the colluders' together. The colluders bring
// funds of their own to restake what they forfeit, so that the coalition stays a third of the stake throughout.
{
  for (const address of colluders) await agpu.connect(accounts.deployer).transfer(address, 100_000n * AGPU);
  // Three times the jobs: a committee draw is a coin with large stakes, and the mean needs the samples.
  const ledger = await optimisticProvider("bribed committee", "cheat", { corruptJurors: colluders, jobs: 3 * JOBS });
  await record("validator", "a third of the stake voting for a cheating provider (with it)", false, ledger);
}

// Validators: honest and lazy jurors, measured on the committees of disputes a checking requester opens.
{
  const lazy = validators[COLLUDING_VALIDATORS]!;
  const honest = validators.filter((v) => v !== lazy && !colluders.has(v.address));
  const lazyLedger = new Ledger(() => [lazy.address]);
  const honestLedger = new Ledger(() => honest.map((v) => v.address));
  await lazyLedger.open();
  await honestLedger.open();
  const provider = await newProvider("disputed", true);
  const requester = await newRequester();
  let seats = 0;
  let lazySeats = 0;
  for (let n = 0; n < JOBS; n++) {
    const now = await time.latest();
    await jobMarket
      .connect(requester)
      .submitJob(jobSpec(now, { mode: Mode.Optimistic, deliveryWindow: HOUR, deadline: BigInt(now + 2 * HOUR) }));
    const jobId = await jobMarket.jobCount();
    if ((await protocol.reputation.eligibilityScoreOf(provider.address)) < 6_000n) {
      await raiseReputation(market, provider.address);
    }
    await jobMarket.connect(provider).claimSlot(jobId);
    const delivered = n % 2 === 0 ? TRUE_RESULT : wrong(`disputed ${n}`);
    await jobMarket.connect(provider).submitResult(jobId, 0, delivered, NO_EVIDENCE);
    await verificationHub.connect(requester).openDispute(jobId);
    const jurors = await drawCommittee(market, jobId);
    const { escrow } = await jobMarket.jobOf(jobId);
    for (const juror of jurors) {
      if (juror === lazy) {
        ++lazySeats;
        lazyLedger.shares += escrow;
      } else if (!colluders.has(juror.address)) {
        honestLedger.spend(juror.address, computeCost(escrow));
        honestLedger.shares += escrow;
        ++seats;
      }
    }
    await voteAll(market, jobId, (juror) => (juror === lazy ? undefined : delivered !== TRUE_RESULT));
    await time.increase(Number((await verificationHub.parameters()).votingPeriod) * 2 + 1);
    await waitOutAppeals(market, jobId);
    await verificationHub.resolveDispute(jobId);
  }
  lazyLedger.jobs = Math.max(lazySeats, 1);
  lazyLedger.count(`seats: ${lazySeats}`);
  honestLedger.jobs = Math.max(seats, 1);
  honestLedger.count(`seats: ${seats}`);
  await record("validator", "honest juror (per seat)", true, honestLedger);
  await record("validator", "lazy juror: drawn, never votes (per seat)", false, lazyLedger);
}

// Requesters.
{
  const provider = await newProvider("frivolous", true);
  const requester = await newRequester();
  const ledger = new Ledger(() => [requester.address]);
  await ledger.open();
  // Every result here is correct: the requester received what an honest requester pays the escrow for.
  for (let n = 0; n < JOBS; n++) {
    if ((await protocol.reputation.eligibilityScoreOf(provider.address)) < 6_000n) {
      await raiseReputation(market, provider.address);
    }
    const played = await optimisticJob(provider, "honest", {
      requester,
      requesterPolicy: "disputes-everything",
      ledgers: [],
    });
    ledger.played(played);
    ledger.receive(played.share);
  }
  await record("requester", "disputes every correct result, hoping for a refund", false, ledger);
}
{
  // A requester whose two providers win two of three slots and split the job, for a refund and the honest third's
  // result for free.
  const sybils = [await newProvider("sybil-a", false), await newProvider("sybil-b", false)];
  const honest = await newProvider("split-victim", false);
  const requester = await newRequester();
  const coalition = new Ledger(() => [requester.address, ...sybils.map((s) => s.address)]);
  const victim = new Ledger(() => [honest.address]);
  await coalition.open();
  await victim.open();
  for (let n = 0; n < JOBS; n++) {
    const played = await consensusJob([...sybils, honest], [wrong(`a ${n}`), wrong(`b ${n}`), TRUE_RESULT], {
      requester,
      requesterPolicy: "silent",
      ledgers: [victim],
    });
    // The coalition has the honest provider's result: worth what the job would have cost.
    coalition.receive(3n * played.share);
    coalition.played(played);
    victim.played(played);
  }
  await record("requester", "forces a three-way split with two own providers", false, coalition);
  await record("provider", "Consensus, the honest third of a forced split", true, victim);
}

// Oracles: two of a feed's five (a minority) report a price 50 000 times the honest one every round.
{
  const feed = energyFeedId(zoneId("eu-west"));
  const oracles: Signer[] = [];
  const minimum = await staking.minimumStake(NodeRole.ORACLE);
  for (let i = 0; i < 5; i++) {
    const oracle = await newAccount();
    await stakeFrom(protocol, oracle, minimum * 4n);
    await nodeRegistry
      .connect(oracle)
      .register(NodeRole.ORACLE, serviceNodeMetadata({ endpoint: `https://oracle-${i}` }));
    oracles.push(oracle);
  }
  await oracleHub.connect(accounts.governor).setFeedOracles(
    feed,
    oracles.map((o) => o.address),
    3,
  );
  const liars = oracles.slice(0, 2);
  const ledger = new Ledger(() => liars.map((l) => l.address));
  await ledger.open();
  const honestPrice = 20n * AGPU;
  let rounds = 0;
  for (let n = 0; n < JOBS; n++) {
    const eligible = await Promise.all(liars.map((l) => nodeRegistry.isEligible(l.address, NodeRole.ORACLE)));
    for (const [i, liar] of liars.entries()) {
      if (eligible[i] && (await staking.recentOffences(liar.address)) === 0n) {
        await oracleHub.connect(liar).report(feed, honestPrice * 50_000n);
      }
    }
    for (const oracle of oracles.slice(2)) await oracleHub.connect(oracle).report(feed, honestPrice);
    // A liar barred after its first penalty no longer reports: the round closes on its timeout.
    if ((await oracleHub.pendingReports(feed)).length !== 0) {
      await time.increase(Number(await oracleHub.roundTimeout()) + 1);
      await oracleHub.connect(keeper).closeRound(feed);
    }
    if ((await oracleHub.feed(feed)).answer !== honestPrice) throw new Error("the liars moved the median");
    await time.increase(DAY);
    ++rounds;
  }
  ledger.jobs = rounds;
  ledger.count(`rounds with the honest median: ${rounds}`);
  await record("oracle", "a minority of the feed's set reporting a price 50 000× too high", false, ledger);
}

// ---------------------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------------------

const failures = results.filter((r) => !r.honest && r.open === undefined && Number(r.profitPerJob) >= 0);
const report = {
  date: new Date().toISOString(),
  jobsPerStrategy: JOBS,
  assumptions: {
    computeCostOfShare: `${Number(COMPUTE_COST_BPS) / 100}%`,
    requesterCheckRate: `${CHECK_RATE_BPS / 100}%`,
    validators: VALIDATORS,
    collusion: `${COLLUDING_VALIDATORS} of ${VALIDATORS} validators (a third of the validator stake)`,
    parameters: "the deployment's defaults (audit rate, bonds, collateral, slash ladder, committee size)",
  },
  results,
  everyDishonestStrategyLoses: failures.length === 0,
};
await writeFile(join(RESULTS_DIR, "security-simulation.json"), `${JSON.stringify(report, null, 2)}\n`);

const rows = results.map(
  (r) =>
    `| ${r.actor} | ${r.strategy}${r.open === undefined ? "" : " (open)"} | ${r.honest ? "honest" : "dishonest"} | ${r.jobs} | ${r.meanShare} | ${r.profitPerJob} | ${Object.entries(
      r.outcomes,
    )
      .map(([k, v]) => `${k.replace(/,$/, "")}: ${v}`)
      .join("; ")} |`,
);
const markdown = `# Security simulation

Every strategy below was played against the real contracts on the in-process chain at the deployment's default
parameters (\`npm run bench:security\`, ${JOBS} jobs per strategy). Profit per job is the change in the actors'
AGPU balance, stake and unpaid bounties, less what they spent computing, divided by the jobs (committee seats,
oracle rounds) they played.

Every job is 10 GPU-hours in eu-west at the zone's starting price (the governed price bounds are set to it so that
the simulation's own demand does not move it). Assumptions: computing a result costs ${Number(COMPUTE_COST_BPS) / 100}% of a slot's share (providers, auditors and
jurors alike); requesters re-check ${CHECK_RATE_BPS / 100}% of their Optimistic results; honest validators audit
every sampled job; ${COLLUDING_VALIDATORS} of ${VALIDATORS} equally staked validators (a third of the stake) collude
where a row says so; a ruling against the truth is appealed once by the wronged requester; a provider that falls
under the Optimistic floor returns as a fresh identity with a record.

| actor | strategy | kind | jobs | mean share (AGPU) | profit per job (AGPU) | outcomes |
| ----- | -------- | ---- | ---: | ----------------: | --------------------: | -------- |
${rows.join("\n")}

Every dishonest strategy loses money: **${failures.length === 0 ? "yes" : `no (${failures.map((f) => f.strategy).join("; ")})`}**
(rows marked open are the attacks \`docs/threat-model.md\` lists as not yet closed).
`;
await writeFile(join(RESULTS_DIR, "security-simulation.md"), markdown);
console.log(`wrote bench/results/security-simulation.{json,md}`);
if (failures.length !== 0) {
  console.error(`dishonest strategies that did not lose: ${failures.map((f) => f.strategy).join("; ")}`);
  process.exitCode = 1;
}

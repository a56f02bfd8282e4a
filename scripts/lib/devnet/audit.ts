import type { Address } from "viem";
import { JobStatus, enumName } from "@starminer/sdk";

import type { ProtocolClient } from "../client.js";
import type { DevnetTally } from "./devnet.js";
import type { Roster } from "./setup.js";

/** Every node's stake when the simulation started, to account for what left it. */
export type StakeBook = ReadonlyMap<Address, bigint>;

/** What the chain says at the end of a devnet run, checked against the run's tally and its honest actors. */
export interface DevnetAudit {
  /** Jobs on the chain (the market's job count). */
  readonly jobs: number;
  /** Jobs in each status, read from the chain job by job. */
  readonly statuses: Record<string, number>;
  /** Jobs not Settled, Refunded or Cancelled. */
  readonly unfinished: string[];
  /** Honest providers (no simulated fault) that were slashed, with how many times. */
  readonly honestProvidersSlashed: Record<string, number>;
  /** Validators that were slashed or forfeited collateral (all of the devnet's validators are honest). */
  readonly validatorsPenalised: Record<string, number>;
  /** Where the tally (counted from events as they arrived) and the chain's state disagree; empty when they agree. */
  readonly mismatches: string[];
}

/** Whether a run ended clean: every job ended, no honest node penalised, the tally consistent with the chain. */
export function auditPassed(audit: DevnetAudit): boolean {
  return (
    audit.unfinished.length === 0 &&
    Object.keys(audit.honestProvidersSlashed).length === 0 &&
    Object.keys(audit.validatorsPenalised).length === 0 &&
    audit.mismatches.length === 0
  );
}

/** Reads every node's stake, before the simulation starts. */
export async function recordStakes(client: ProtocolClient, roster: Roster): Promise<StakeBook> {
  const nodes = [...roster.providers.map((p) => p.address), ...roster.validators.map((v) => v.address)];
  const stakes = await Promise.all(nodes.map((node) => client.staking.read.stakeOf([node])));
  return new Map(nodes.map((node, i) => [node, stakes[i]!]));
}

/**
 * Audits the chain after a run: reads each job's status, every penalty staking recorded, and every node's stake,
 * and compares them with the tally and the roster (who is honest).
 */
export async function auditDevnet(
  client: ProtocolClient,
  roster: Roster,
  tally: DevnetTally,
  stakesAtStart: StakeBook,
): Promise<DevnetAudit> {
  const { jobMarket, staking, publicClient } = client;
  const jobCount = await jobMarket.read.jobCount();
  const statuses: Record<string, number> = {};
  const unfinished: string[] = [];
  const ended: readonly number[] = [JobStatus.Settled, JobStatus.Refunded, JobStatus.Cancelled];
  for (let first = 1n; first <= jobCount; first += 64n) {
    const ids = [];
    for (let id = first; id < first + 64n && id <= jobCount; id++) ids.push(id);
    const jobs = await Promise.all(ids.map((id) => jobMarket.read.jobOf([id])));
    for (const [i, job] of jobs.entries()) {
      const status = enumName(JobStatus, job.status);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!ended.includes(job.status)) unfinished.push(`${ids[i]} (${status})`);
    }
  }

  const from = { address: staking.address, abi: staking.abi, fromBlock: 0n, toBlock: "latest" } as const;
  const slashed = await publicClient.getContractEvents({ ...from, eventName: "Slashed" });
  const forfeited = await publicClient.getContractEvents({ ...from, eventName: "CollateralForfeited" });
  const honest = new Set(roster.providers.filter((p) => p.fault === undefined).map((p) => p.address.toLowerCase()));
  const validators = new Set(roster.validators.map((v) => v.address.toLowerCase()));
  const honestProvidersSlashed: Record<string, number> = {};
  const validatorsPenalised: Record<string, number> = {};
  let penalties = 0n;
  for (const { args } of [...slashed, ...forfeited]) {
    const node = args.node!.toLowerCase();
    penalties += args.amount!;
    if (honest.has(node)) honestProvidersSlashed[node] = (honestProvidersSlashed[node] ?? 0) + 1;
    if (validators.has(node)) validatorsPenalised[node] = (validatorsPenalised[node] ?? 0) + 1;
  }

  const mismatches: string[] = [];
  const compare = (what: string, tallied: number | bigint, onChain: number | bigint) => {
    if (tallied !== onChain) mismatches.push(`${what}: tallied ${tallied}, on chain ${onChain}`);
  };
  compare("jobs submitted", tally.submitted, Number(jobCount));
  compare("jobs settled", tally.settled, statuses.Settled ?? 0);
  compare("jobs refunded", tally.refunded, statuses.Refunded ?? 0);
  compare("jobs cancelled", tally.cancelled, statuses.Cancelled ?? 0);
  compare("slashes", tally.slashes, slashed.length);
  compare("stake slashed and forfeited", tally.slashedAmount + tally.forfeitedAmount, penalties);
  // Nobody unbonds on the devnet: every wei that left a node's stake left it as a penalty.
  let stakeLost = 0n;
  for (const [node, before] of stakesAtStart) stakeLost += before - (await staking.read.stakeOf([node]));
  compare("stake lost by the nodes", penalties, stakeLost);
  return {
    jobs: Number(jobCount),
    statuses,
    unfinished,
    honestProvidersSlashed,
    validatorsPenalised,
    mismatches,
  };
}

/** The audit of the chain at the end, for people. */
export function describeAudit(audit: DevnetAudit): string[] {
  const list = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([node, times]) => `${node} (${times})`)
      .join(", ") || "none";
  const unfinished = audit.unfinished;
  return [
    `audit: ${audit.jobs} jobs on chain: ${Object.entries(audit.statuses)
      .map(([status, count]) => `${count} ${status}`)
      .join(", ")}`,
    `audit: unfinished jobs: ${unfinished.length === 0 ? "none" : `${unfinished.length}: ${unfinished.slice(0, 10).join(", ")}${unfinished.length > 10 ? ", …" : ""}`}`,
    `audit: honest providers slashed: ${list(audit.honestProvidersSlashed)}`,
    `audit: validators penalised: ${list(audit.validatorsPenalised)}`,
    `audit: tally against the chain: ${audit.mismatches.length === 0 ? "consistent" : audit.mismatches.join("; ")}`,
  ];
}

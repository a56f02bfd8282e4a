import { type Address, formatUnits, getAddress, isAddress, parseUnits } from "viem";

/** AMAX's fixed supply (`AMAX.TOTAL_SUPPLY`), minted to the deployer and handed out by the distribution. */
export const AMAX_SUPPLY = 100_000_000n * 10n ** 18n;

export type GenesisToken = "AMAX" | "AGPU";
export const GENESIS_TOKENS: readonly GenesisToken[] = ["AMAX", "AGPU"];

/** Amounts of each genesis token, in wei. A token left out gets nothing. */
export type TokenAmounts = Readonly<Record<GenesisToken, bigint>>;

/** A plain allocation: tokens sent to `account` at genesis (a grants multisig, an airdrop contract...). */
export interface CommunityAllocation {
  readonly label: string;
  readonly account: Address;
  readonly amounts: TokenAmounts;
}

/**
 * A vested allocation: a `VestingAllocation` wallet holds `amounts` and releases them to `beneficiary` linearly
 * from `start` over `durationSeconds`, nothing before `start + cliffSeconds`.
 */
export interface VestingSchedule {
  readonly label: string;
  readonly beneficiary: Address;
  readonly amounts: TokenAmounts;
  readonly start: bigint;
  readonly cliffSeconds: bigint;
  readonly durationSeconds: bigint;
}

/** How a production deployment hands out everything minted at genesis: nothing stays with the deployer. */
export interface GenesisDistribution {
  /** Paid into the Treasury (`receiveFee`, reason "genesis"): it moves only by a vote. */
  readonly treasury: TokenAmounts;
  readonly vesting: readonly VestingSchedule[];
  readonly community: readonly CommunityAllocation[];
}

export interface DistributionContext {
  readonly deployer: Address;
  /** What the AGPU contract mints at genesis (`Tokens.agpuGenesisSupply`). */
  readonly agpuGenesisSupply: bigint;
  /** AMAX a single account must stay below: the Governor's quorum. */
  readonly quorum: bigint;
}

const LABEL = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const WHOLE_TOKENS = /^\d{1,12}(\.\d{1,18})?$/;

/**
 * Reads the `Distribution` section of a deployment's parameters file and checks it the way an auditor would:
 * every token minted at genesis is allocated exactly once, nothing goes to the deployer or the zero address, each
 * vesting schedule can run, and no single account ends up with enough AMAX to meet the Governor's quorum alone.
 * Throws a one-line error naming the entry at fault.
 *
 * ```json
 * "Distribution": {
 *   "treasury": { "AMAX": "93500000", "AGPU": "250000000" },
 *   "vesting": [{ "label": "core_1", "beneficiary": "0x…", "AMAX": "3000000", "AGPU": "10000000",
 *                 "start": "2027-01-01T00:00:00Z", "cliffSeconds": 31536000, "durationSeconds": 126144000 }],
 *   "community": [{ "label": "grants", "account": "0x…", "AMAX": "3500000", "AGPU": "140000000" }]
 * }
 * ```
 * Amounts are whole tokens as decimal strings (up to 18 decimals).
 */
export function parseDistribution(raw: unknown, context: DistributionContext): GenesisDistribution {
  const fail = (where: string, what: string): never => {
    throw new Error(`Distribution${where}: ${what}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return fail("", "must be an object with treasury, vesting and community");
  }
  const section = raw as Record<string, unknown>;
  for (const key of Object.keys(section)) {
    if (!["treasury", "vesting", "community"].includes(key)) fail("", `unknown key "${key}"`);
  }

  const amountsOf = (where: string, entry: Record<string, unknown>): TokenAmounts => {
    const amounts = { AMAX: 0n, AGPU: 0n };
    for (const token of GENESIS_TOKENS) {
      const value = entry[token];
      if (value === undefined) continue;
      if (typeof value !== "string" || !WHOLE_TOKENS.test(value)) {
        fail(where, `${token} must be a whole-token amount as a decimal string, like "1500000" (got ${show(value)})`);
      }
      amounts[token] = parseUnits(value as string, 18);
    }
    if (amounts.AMAX === 0n && amounts.AGPU === 0n) fail(where, "allocates nothing: give it AMAX or AGPU");
    return amounts;
  };
  const accountOf = (where: string, field: string, value: unknown): Address => {
    if (typeof value !== "string" || !isAddress(value, { strict: false })) {
      return fail(where, `${field} must be an address (got ${show(value)})`);
    }
    const account = getAddress(value);
    if (BigInt(account) === 0n) fail(where, `${field} is the zero address`);
    if (account === context.deployer) fail(where, `${field} is the deployer, which must keep nothing`);
    return account;
  };
  const labels = new Set<string>();
  const labelOf = (where: string, value: unknown): string => {
    if (typeof value !== "string" || !LABEL.test(value)) {
      fail(where, `label must be a letter then letters, digits or "_" (up to 40), got ${show(value)}`);
    }
    if (labels.has(value as string)) fail(where, `label "${value as string}" is used twice`);
    labels.add(value as string);
    return value as string;
  };
  const entriesOf = (key: "vesting" | "community"): Record<string, unknown>[] => {
    const list = section[key] ?? [];
    if (!Array.isArray(list)) return fail(`.${key}`, "must be a list");
    return list.map((entry, index) => {
      if (typeof entry !== "object" || entry === null) fail(`.${key}[${index}]`, "must be an object");
      return entry as Record<string, unknown>;
    });
  };

  const treasuryEntry = section.treasury ?? {};
  if (typeof treasuryEntry !== "object" || treasuryEntry === null) fail(".treasury", "must be an object");
  const treasury =
    Object.keys(treasuryEntry as object).length === 0
      ? { AMAX: 0n, AGPU: 0n }
      : amountsOf(".treasury", treasuryEntry as Record<string, unknown>);

  const vesting = entriesOf("vesting").map((entry, index): VestingSchedule => {
    let where = `.vesting[${index}]`;
    const label = labelOf(where, entry.label);
    where = `${where} (${label})`;
    const start = timestampOf(entry.start);
    if (start === undefined) fail(where, `start must be a unix time or an ISO 8601 date (got ${show(entry.start)})`);
    const cliffSeconds = secondsOf(entry.cliffSeconds ?? 0);
    const durationSeconds = secondsOf(entry.durationSeconds);
    if (durationSeconds === undefined || durationSeconds === 0n) {
      fail(where, `durationSeconds must be a positive whole number of seconds (got ${show(entry.durationSeconds)})`);
    }
    if (cliffSeconds === undefined || cliffSeconds > durationSeconds!) {
      fail(where, `cliffSeconds must be a whole number of seconds no longer than durationSeconds`);
    }
    return {
      label,
      beneficiary: accountOf(where, "beneficiary", entry.beneficiary),
      amounts: amountsOf(where, entry),
      start: start!,
      cliffSeconds: cliffSeconds!,
      durationSeconds: durationSeconds!,
    };
  });
  const community = entriesOf("community").map((entry, index): CommunityAllocation => {
    let where = `.community[${index}]`;
    const label = labelOf(where, entry.label);
    where = `${where} (${label})`;
    return { label, account: accountOf(where, "account", entry.account), amounts: amountsOf(where, entry) };
  });

  const distribution: GenesisDistribution = { treasury, vesting, community };
  const minted: TokenAmounts = { AMAX: AMAX_SUPPLY, AGPU: context.agpuGenesisSupply };
  for (const token of GENESIS_TOKENS) {
    const given = allocatedOf(distribution, token);
    if (given !== minted[token]) {
      fail(
        "",
        `allocates ${whole(given)} ${token} but ${whole(minted[token])} are minted at genesis: ` +
          `every genesis token must be allocated, none left with the deployer`,
      );
    }
  }
  for (const [account, amax] of amaxByAccount(distribution)) {
    if (amax >= context.quorum) {
      fail(
        "",
        `${account} would hold ${whole(amax)} AMAX, enough to meet the ${whole(context.quorum)} AMAX quorum alone: ` +
          "split it over accounts that do not act together",
      );
    }
  }
  return distribution;
}

/** Everything the distribution gives out of `token`. */
export function allocatedOf(distribution: GenesisDistribution, token: GenesisToken): bigint {
  let total = distribution.treasury[token];
  for (const entry of [...distribution.vesting, ...distribution.community]) total += entry.amounts[token];
  return total;
}

/** The AMAX each account receives outright or as a vesting beneficiary (the Treasury, governed by votes, aside). */
export function amaxByAccount(distribution: GenesisDistribution): Map<Address, bigint> {
  const byAccount = new Map<Address, bigint>();
  const add = (account: Address, amount: bigint) => byAccount.set(account, (byAccount.get(account) ?? 0n) + amount);
  for (const entry of distribution.vesting) add(entry.beneficiary, entry.amounts.AMAX);
  for (const entry of distribution.community) add(entry.account, entry.amounts.AMAX);
  return byAccount;
}

function timestampOf(value: unknown): bigint | undefined {
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) return secondsOf(value);
  if (typeof value !== "string") return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : BigInt(Math.floor(millis / 1000));
}

function secondsOf(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return BigInt(value);
  return undefined;
}

const show = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));

/** `amount` wei as whole tokens, digits grouped. */
export function whole(amount: bigint): string {
  const [integer, fraction] = formatUnits(amount, 18).split(".");
  const grouped = integer!.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

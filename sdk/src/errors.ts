import {
  type AbiParameter,
  BaseError,
  ContractFunctionRevertedError,
  type Hex,
  decodeErrorResult,
  formatEther,
  isHex,
} from "viem";

import { starMinerErrorsAbi } from "./abis/errors.js";

/**
 * The members of the contracts' enums, by the enum's name in the ABI's `internalType` (`enum IJobMarket.JobStatus`):
 * the ABI numbers them, people read them by name.
 */
const ENUMS: Record<string, readonly string[]> = {
  JobStatus: ["None", "Open", "Verified", "Disputed", "Settled", "Refunded", "Cancelled"],
  SlotStatus: ["Open", "Claimed", "Committed", "Revealed", "Missed"],
  VerificationMode: ["Consensus", "Optimistic", "TEE", "ZK"],
  Tier: ["Economy", "Standard", "Priority"],
  TeeType: ["None", "IntelSgx", "IntelTdx", "AmdSevSnp", "NvidiaCc"],
  DisputeOutcome: ["Upheld", "Dismissed", "Reopened"],
  AuditDraw: ["None", "Pending", "Sampled", "Skipped"],
  Verdict: ["Pending", "Upheld", "Rejected", "NoDecision"],
  CapabilityStatus: ["None", "Committed", "Verified"],
  Outcome: ["Completed", "Missed", "Faulty"],
  "IBridgeGateway.Mode": ["Home", "Remote"],
  ProposalState: ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"],
};

/** Error arguments that are token amounts (18 decimals), by name. */
const AMOUNTS = new Set([
  "amount",
  "total",
  "maxTotal",
  "requested",
  "available",
  "locked",
  "remaining",
  "balance",
  "needed",
  "allowance",
  "escrow",
  "bond",
  "votes",
]);

/** Error arguments that are times (unix seconds), by name. */
const TIMES = /(?:EndsAt|At|^deadline|^deliverBy|^earliest|^latest)$/;

/** How to write the amounts of an error: AMAX for governance's, the token's symbol for a token's, AGPU otherwise. */
function unitOf(errorName: string, contract: string | undefined, symbols: Readonly<Record<string, string>>): string {
  if (/^(Governor|ERC5805|Votes)/.test(errorName)) return "AMAX";
  if (errorName.startsWith("ERC20")) return (contract && symbols[contract.toLowerCase()]) ?? "tokens";
  return "AGPU";
}

function formatArgument(parameter: AbiParameter | undefined, value: unknown, unit: string): string {
  if (typeof value !== "bigint" && typeof value !== "number") return String(value as Hex);
  const internal = (parameter as { internalType?: string } | undefined)?.internalType ?? "";
  if (internal.startsWith("enum ")) {
    const qualified = internal.slice("enum ".length);
    const members = ENUMS[qualified] ?? ENUMS[qualified.split(".").at(-1)!];
    const member = members?.[Number(value)];
    if (member !== undefined) return member;
  }
  const name = parameter?.name ?? "";
  const amount = AMOUNTS.has(name) || (unit === "AMAX" && name === "threshold");
  if (parameter?.type === "uint256" && amount) return `${formatEther(BigInt(value))} ${unit}`;
  // Windows and deadlines: a time from 2001 to 2286 is shown as one (a zero stays a zero: "not set").
  if (TIMES.test(name) && BigInt(value) > 1_000_000_000n && BigInt(value) < 10_000_000_000n) {
    return new Date(Number(value) * 1_000).toISOString().replace(".000Z", "Z");
  }
  return value.toString();
}

/**
 * One line saying what went wrong: a contract's custom error by name with its arguments as people read them (enum
 * members by name, amounts in AGPU or AMAX, times as dates), or the error's first line. `symbols` names the tokens
 * (by lower-case address) whose ERC-20 errors may come up.
 */
export function describeError(error: unknown, symbols: Readonly<Record<string, string>> = {}): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((inner) => inner instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName !== undefined) {
      const { errorName, abiItem } = reverted.data;
      const inputs = (abiItem as { inputs?: readonly AbiParameter[] }).inputs ?? [];
      const contract = (error.walk((inner) => "contractAddress" in (inner as object)) as { contractAddress?: string })
        ?.contractAddress;
      const unit = unitOf(errorName, contract, symbols);
      const args = (reverted.data.args ?? []).map((arg, i) => formatArgument(inputs[i], arg, unit));
      return `the contract refused: ${errorName}(${args.join(", ")})`;
    }
    if (reverted instanceof ContractFunctionRevertedError && reverted.reason !== undefined) {
      return `the contract refused: ${reverted.reason}`;
    }
    const details = error.details === undefined || error.details === "" ? "" : ` (${error.details.split("\n")[0]})`;
    return `${error.shortMessage.split("\n")[0]}${details}`;
  }
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

/** A protocol contract's custom error, decoded: its name and arguments as the ABI gives them. */
export interface ContractErrorData {
  readonly errorName: string;
  readonly args: readonly unknown[];
}

/**
 * The custom error a contract call or transaction failed with, by name, or `undefined` when it failed otherwise (a
 * network error, an unknown selector). Works on viem's errors whatever ABI the call was made with: revert data
 * viem could not decode is decoded against every StarMiner contract's errors ({@link starMinerErrorsAbi}).
 *
 *   try { await submitJob(client, spec) } catch (e) {
 *     if (contractErrorOf(e)?.errorName === "MarketDeadlineTooSoon") ...
 *   }
 */
export function contractErrorOf(error: unknown): ContractErrorData | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((inner) => inner instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.data?.errorName !== undefined) {
      return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
    }
    if (reverted.raw !== undefined) return decodeRevertData(reverted.raw);
  }
  const withData = error.walk((inner) => isHex((inner as { data?: unknown }).data)) as { data?: Hex } | null;
  return withData?.data === undefined ? undefined : decodeRevertData(withData.data);
}

/** `data` (a revert's bytes) as one of the protocol's custom errors, or `undefined` if it is none of them. */
export function decodeRevertData(data: Hex): ContractErrorData | undefined {
  try {
    const decoded = decodeErrorResult({ abi: starMinerErrorsAbi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

import { type Address, type Hex, getAddress, isAddress, isHex, parseEther, zeroAddress } from "viem";
import {
  type DenseLayerJob,
  type JobSpec,
  Mode,
  RUNTIME_NAMES,
  type RuntimeName,
  Tier,
  WorkloadClass,
  byLowerCaseName,
  jobCommitments,
  parseDenseLayerJob,
  zoneId,
} from "@starminer/sdk";

import { UsageError } from "./errors.js";

const TIERS = byLowerCaseName(Tier);
const MODES = byLowerCaseName(Mode);

export function parseTier(value: string): number {
  const tier = TIERS[value.toLowerCase()] ?? (/^[0-2]$/.test(value) ? Number(value) : undefined);
  if (tier === undefined) throw new UsageError(`tier must be economy, standard or priority; got "${value}"`);
  return tier;
}

export function parseZone(value: string): Hex {
  try {
    return zoneId(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * An address: all lower case, or mixed case with a valid EIP-55 checksum. A mixed-case address whose checksum is
 * wrong is most likely mistyped, and is named as such rather than used.
 */
export function parseAddress(name: string, value: string | undefined): Address {
  if (value === undefined) throw new UsageError(`${name} is required`);
  if (!isAddress(value, { strict: false })) {
    throw new UsageError(`${name} must be an address (0x and 40 hex digits); got "${value}"`);
  }
  if (!isAddress(value, { strict: true })) {
    throw new UsageError(
      `${name} ${value} has a wrong checksum (mixed case that is not EIP-55): is it mistyped? ` +
        `Its checksummed form would be ${getAddress((value as string).toLowerCase())}`,
    );
  }
  return getAddress(value);
}

/** A positive whole number within [min, max]. */
export function parseInteger(name: string, value: string | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${value}"`);
  }
  return Number(value);
}

export function parseJobId(value: string | undefined): bigint {
  if (value === undefined) throw new UsageError("a job id is required");
  if (!/^[1-9]\d{0,30}$/.test(value)) throw new UsageError(`a job id is a positive whole number; got "${value}"`);
  return BigInt(value);
}

/** An amount of AGPU in decimal (`12.5`), as wei. */
export function parseAgpu(name: string, value: string | undefined): bigint {
  if (value === undefined) throw new UsageError(`${name} is required`);
  if (!/^\d+(\.\d{1,18})?$/.test(value) || parseEther(value) === 0n) {
    throw new UsageError(`${name} must be a positive amount of AGPU, e.g. 100 or 0.5; got "${value}"`);
  }
  return parseEther(value);
}

/**
 * A job spec file: JSON with `zone`, `gpuHours` and `maxTotal` (AGPU), and optionally `tier`, `mode`,
 * `redundancy`, `workloadClass`, `deadlineInSeconds`, `deliveryWindow`, `minVramMiB`, `minComputeCapability`,
 * `teeRequired`, `provenHardware`, `spilloverAllowed`, `modelCreator`, and either `workload` (the dense layer to run:
 * `{ model: { weights, biases }, input }`, or the name of a JSON file holding it, relative to the spec) or the bare
 * `modelCommitment` and `inputCommitment` of work published some other way.
 */
export async function readSpecFile(
  path: string,
  now: bigint,
): Promise<{ spec: JobSpec; workload?: DenseLayerJob; commitmentsGiven: boolean }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`cannot read the spec file ${path}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`the spec file ${path} is not valid JSON`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UsageError(`the spec file ${path} must hold a JSON object`);
  }
  const bad = (field: string, what: string): never => {
    throw new UsageError(`${path}: "${field}" must be ${what}`);
  };
  const known = new Set([
    "zone",
    "tier",
    "mode",
    "redundancy",
    "workloadClass",
    "gpuHours",
    "minVramMiB",
    "minComputeCapability",
    "teeRequired",
    "provenHardware",
    "spilloverAllowed",
    "deadlineInSeconds",
    "deliveryWindow",
    "modelCommitment",
    "inputCommitment",
    "modelCreator",
    "maxTotal",
    "workload",
  ]);
  for (const field of Object.keys(raw)) if (!known.has(field)) bad(field, `one of the known fields (not "${field}")`);
  const integer = (field: string, fallback: number | undefined, min: number, max: number): number => {
    const value = raw[field] ?? fallback;
    if (value === undefined) return bad(field, "given");
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      return bad(field, `a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const flag = (field: string) => {
    const value = raw[field] ?? false;
    if (typeof value !== "boolean") bad(field, "true or false");
    return value as boolean;
  };
  const bytes32 = (field: string, fallback: Hex): Hex => {
    const value = raw[field] ?? fallback;
    if (typeof value !== "string" || !isHex(value) || value.length !== 66) return bad(field, "32 bytes of 0x-hex");
    return value;
  };
  const choice = (field: string, choices: Record<string, number>, fallback: string) => {
    const value = raw[field] ?? fallback;
    const chosen = typeof value === "string" ? choices[value.toLowerCase()] : undefined;
    return chosen ?? bad(field, `one of ${Object.keys(choices).join(", ")}`);
  };
  if (typeof raw.zone !== "string" || raw.zone.length === 0) bad("zone", "a zone label such as eu-west");
  if (typeof raw.maxTotal !== "string") bad("maxTotal", 'an amount of AGPU as a string, e.g. "250"');
  const modelCreator = raw.modelCreator ?? zeroAddress;
  if (typeof modelCreator !== "string" || !isAddress(modelCreator)) bad("modelCreator", "an address");
  const workload = raw.workload === undefined ? undefined : await readWorkload(path, raw.workload);
  if (workload !== undefined && (raw.modelCommitment !== undefined || raw.inputCommitment !== undefined)) {
    bad("workload", "given without modelCommitment and inputCommitment (they are computed from it)");
  }
  const commitments = workload === undefined ? undefined : jobCommitments(workload);
  const mode = choice("mode", MODES, "optimistic");
  const spec: JobSpec = {
    modelCommitment: commitments?.modelCommitment ?? bytes32("modelCommitment", `0x${"00".repeat(31)}01`),
    inputCommitment: commitments?.inputCommitment ?? bytes32("inputCommitment", `0x${"00".repeat(31)}02`),
    zone: parseZone(raw.zone as string),
    tier: choice("tier", TIERS, "standard"),
    spilloverAllowed: flag("spilloverAllowed"),
    redundancy: integer("redundancy", 1, 1, 3),
    mode,
    // A ZK job over a workload proves the dense layer unless told otherwise.
    workloadClass: integer(
      "workloadClass",
      workload !== undefined && mode === Mode.ZK ? WorkloadClass.DenseLayer : 0,
      0,
      255,
    ),
    gpuHours: integer("gpuHours", undefined, 1, 2 ** 32 - 1),
    minVramMiB: integer("minVramMiB", 0, 0, 2 ** 32 - 1),
    minComputeCapability: integer("minComputeCapability", 0, 0, 65_535),
    teeRequired: flag("teeRequired"),
    provenHardware: flag("provenHardware"),
    deadline: now + BigInt(integer("deadlineInSeconds", 86_400, 60, 365 * 86_400)),
    deliveryWindow: integer("deliveryWindow", 3_600, 60, 2 ** 32 - 1),
    modelCreator: modelCreator as Hex,
    maxTotal: parseAgpu(`${path}: "maxTotal"`, raw.maxTotal as string),
  };
  const commitmentsGiven = raw.modelCommitment !== undefined || raw.inputCommitment !== undefined;
  return workload === undefined ? { spec, commitmentsGiven } : { spec, workload, commitmentsGiven };
}

/** A spec's `workload`: inline, or a JSON file named relative to the spec file. */
async function readWorkload(specPath: string, value: unknown): Promise<DenseLayerJob> {
  let workload = value;
  if (typeof value === "string") {
    const path = resolve(dirname(specPath), value);
    try {
      workload = JSON.parse(await readFile(path, "utf8")) as unknown;
    } catch {
      throw new UsageError(`${specPath}: the workload file ${path} cannot be read as JSON`);
    }
  }
  try {
    return parseDenseLayerJob(workload);
  } catch (error) {
    throw new UsageError(`${specPath}: "workload": ${(error as Error).message}`);
  }
}

/** `--runtimes onnx,wasm`: the runtime names given, each one this build knows. */
export function parseRuntimes(list: string, flag = "--runtimes"): RuntimeName[] {
  const names = list.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!RUNTIME_NAMES.includes(name as RuntimeName)) {
      throw new UsageError(`${flag}: unknown runtime "${name}" (known: ${RUNTIME_NAMES.join(", ")})`);
    }
  }
  return names as RuntimeName[];
}

/**
 * The arguments of a command that waits on a job: its positionals, `--until verified|ended` (ended by default),
 * `--interval-ms` (1000) and `--timeout-seconds` (none).
 */
export function parseJobWaitArgs(args: string[]): {
  positionals: string[];
  until: "verified" | "ended";
  intervalMs: number;
  timeoutSeconds?: number;
} {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      until: { type: "string", default: "ended" },
      "interval-ms": { type: "string", default: "1000" },
      "timeout-seconds": { type: "string" },
    },
  });
  if (values.until !== "verified" && values.until !== "ended") {
    throw new UsageError(`--until must be verified or ended; got "${values.until}"`);
  }
  const timeout = values["timeout-seconds"];
  return {
    positionals,
    until: values.until,
    intervalMs: parseInteger("interval-ms", values["interval-ms"], 50, 3_600_000),
    ...(timeout === undefined ? {} : { timeoutSeconds: parseInteger("timeout-seconds", timeout) }),
  };
}

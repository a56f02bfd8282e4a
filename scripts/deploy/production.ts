import { type Address, getAddress, isAddress } from "viem";

import { DEFAULT_GOVERNANCE_PARAMETERS } from "../../ignition/modules/Governance.js";
import { DEFAULT_TOKEN_PARAMETERS } from "../../ignition/modules/Tokens.js";
import { AMAX_SUPPLY, type GenesisDistribution, parseDistribution } from "./distribution.js";

/**
 * A deployment's parameters file: Ignition's parameters keyed by module id (`Authority`, `Tokens`, ...), and for a
 * production deployment the genesis `Distribution`.
 */
export type ProtocolParameters = Readonly<Record<string, unknown>>;

/** What a production deployment needs beyond Ignition's own parameters, checked before anything is sent. */
export interface ProductionPlan {
  readonly guardian: Address;
  readonly distribution: GenesisDistribution;
}

/**
 * Parameters a production deployment must not take: each would leave power or tokens with one key after the
 * handover. Development chains use them to run everything from the deployer.
 */
const REFUSED = [
  ["Authority", "governor", "the Timelock is a production deployment's only GOVERNOR"],
  ["Tokens", "amaxInitialHolder", "AMAX is handed out by Distribution, never to one holder"],
  ["Tokens", "agpuGenesisRecipient", "genesis AGPU is handed out by Distribution, never to one holder"],
] as const;

/**
 * Checks a production deployment's parameters before it sends anything: a named guardian that is not the
 * deployer, a genesis distribution of every AMAX and AGPU minted (treasury, vesting, community; see
 * `parseDistribution`), the bridge's validators, and none of the parameters that would leave power with one key.
 * Throws a one-line error saying what to set or remove.
 */
export function checkProductionParameters(parameters: ProtocolParameters, deployer: Address): ProductionPlan {
  const parameter = (module: string, key: string): unknown =>
    (parameters[module] as Record<string, unknown> | undefined)?.[key];
  const missing: string[] = [];
  if (parameter("Authority", "guardian") === undefined) missing.push("Authority.guardian");
  if (parameters.Distribution === undefined) missing.push("Distribution");
  if (parameter("Bridge", "validators") === undefined) missing.push("Bridge.validators");
  if (parameter("Bridge", "threshold") === undefined) missing.push("Bridge.threshold");
  if (missing.length > 0) {
    throw new Error(
      "a production deployment names its guardian, its token distribution and the bridge's validators: set " +
        `${missing.join(", ")} in the STARMINER_DEPLOY_PARAMETERS file`,
    );
  }
  for (const [module, key, why] of REFUSED) {
    if (parameter(module, key) !== undefined) throw new Error(`${module}.${key}: ${why}; remove it`);
  }

  const guardianParameter = parameter("Authority", "guardian");
  if (typeof guardianParameter !== "string" || !isAddress(guardianParameter, { strict: false })) {
    throw new Error(`Authority.guardian must be an address (got ${JSON.stringify(guardianParameter)})`);
  }
  const guardian = getAddress(guardianParameter);
  if (guardian === deployer) {
    throw new Error("Authority.guardian is the deployer: name the security multisig that may pause the protocol");
  }

  const quorumPercent = integerParameter(
    "Governance.quorumPercent",
    parameter("Governance", "quorumPercent") ?? DEFAULT_GOVERNANCE_PARAMETERS.quorumPercent,
  );
  const distribution = parseDistribution(parameters.Distribution, {
    deployer,
    agpuGenesisSupply: integerParameter(
      "Tokens.agpuGenesisSupply",
      parameter("Tokens", "agpuGenesisSupply") ?? DEFAULT_TOKEN_PARAMETERS.genesisSupply,
    ),
    quorum: (AMAX_SUPPLY * quorumPercent) / 100n,
  });
  return { guardian, distribution };
}

/** An integer Ignition parameter: a number, a bigint, or a decimal string (Ignition's "123n" form included). */
function integerParameter(name: string, value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^\d+n?$/.test(value)) return BigInt(value.replace(/n$/, ""));
  throw new Error(`${name} must be a whole number (got ${JSON.stringify(value)})`);
}

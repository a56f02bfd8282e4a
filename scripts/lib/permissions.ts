import { type Abi, type AbiFunction, type Hex, toFunctionSelector } from "viem";

import { Role, type RoleId } from "./roles.js";

/** What every stateful (UUPS) contract shares: the guardian pauses, governance unpauses and upgrades. */
const UPGRADEABLE = {
  pause: Role.GUARDIAN,
  unpause: Role.GOVERNOR,
  upgradeToAndCall: Role.GOVERNOR,
} as const;

/**
 * Which role may call each privileged function, per contract. The deployment modules apply this table to the
 * AccessManager and the access-control tests check it, so it is the one place a permission is decided.
 *
 * A `restricted` function that is missing here stays callable by ADMIN only (the AccessManager's default),
 * which fails closed.
 */
export const PERMISSIONS = {
  AGPU: {
    mintEmission: Role.EMISSIONS_MINTER,
  },
  Treasury: {
    ...UPGRADEABLE,
    spend: Role.GOVERNOR,
  },
  Staking: {
    ...UPGRADEABLE,
    lockCollateral: Role.COLLATERAL_MANAGER,
    unlockCollateral: Role.COLLATERAL_MANAGER,
    slashCollateral: Role.SLASHER,
    forfeitCollateral: Role.SLASHER,
    setMinimumStake: Role.GOVERNOR,
    setUnbondingPeriod: Role.GOVERNOR,
    setSlashPolicy: Role.GOVERNOR,
  },
  NodeRegistry: {
    ...UPGRADEABLE,
    registerAttestation: Role.ATTESTER,
    clearAttestation: Role.ATTESTER,
    recordCapabilityProof: Role.CAPABILITY_VERIFIER,
    addZone: Role.GOVERNOR,
    setZoneEnabled: Role.GOVERNOR,
    setEnclaveMeasurementAllowed: Role.GOVERNOR,
  },
  Reputation: {
    ...UPGRADEABLE,
    recordOutcome: Role.REPUTATION_WRITER,
    setParameters: Role.GOVERNOR,
  },
  OracleHub: {
    ...UPGRADEABLE,
    addFeed: Role.GOVERNOR,
    setFeedMaxAge: Role.GOVERNOR,
    setQuorum: Role.GOVERNOR,
    setRoundTimeout: Role.GOVERNOR,
    setFeedOracles: Role.GOVERNOR,
    setParameters: Role.GOVERNOR,
  },
  PricingEngine: {
    ...UPGRADEABLE,
    recordDemand: Role.DEMAND_REPORTER,
    setMarketParameters: Role.GOVERNOR,
    setTiers: Role.GOVERNOR,
    setNeighbours: Role.GOVERNOR,
    removeNeighbours: Role.GOVERNOR,
    setCongestionThreshold: Role.GOVERNOR,
  },
  CapabilityRegistrar: {
    ...UPGRADEABLE,
  },
  JobMarket: {
    ...UPGRADEABLE,
    startDispute: Role.VERIFICATION_HUB,
    closeDispute: Role.VERIFICATION_HUB,
    holdClock: Role.VERIFICATION_HUB,
    setFeeSplit: Role.GOVERNOR,
    setMarketParameters: Role.GOVERNOR,
  },
  VerificationHub: {
    ...UPGRADEABLE,
    setMarket: Role.GOVERNOR,
    setWorkloadVerifier: Role.GOVERNOR,
    setParameters: Role.GOVERNOR,
  },
  BridgeGateway: {
    ...UPGRADEABLE,
    setValidators: Role.GOVERNOR,
    setCounterpart: Role.GOVERNOR,
    setRateLimit: Role.GOVERNOR,
  },
  BridgedAGPU: {
    mint: Role.BRIDGE_MINTER,
    burn: Role.BRIDGE_MINTER,
  },
} as const satisfies Record<string, Record<string, RoleId>>;

export type PermissionedContract = keyof typeof PERMISSIONS;

/**
 * The state-changing functions of each permissioned contract that are open by design: anyone may call them
 * (`initialize` only once, through the proxy's constructor), except `setAuthority`, which only the current
 * AccessManager may call. Every other state-changing function must be in PERMISSIONS.
 */
export const OPEN_FUNCTIONS: Record<PermissionedContract, readonly string[]> = {
  AGPU: ["approve", "burn", "burnFrom", "permit", "setAuthority", "transfer", "transferFrom"],
  Treasury: ["initialize", "receiveFee", "setAuthority"],
  Staking: [
    "claimBounty",
    "initialize",
    "requestUnbond",
    "setAuthority",
    "stake",
    "stakeWithPermit",
    "sweepToTreasury",
    "withdraw",
  ],
  NodeRegistry: [
    "commitCapability",
    "deactivate",
    "initialize",
    "reactivate",
    "register",
    "setAuthority",
    "setRuntimes",
    "syncCapacity",
    "updateMetadata",
    "updateRoles",
  ],
  Reputation: ["initialize", "setAuthority"],
  OracleHub: ["closeRound", "initialize", "report", "setAuthority"],
  PricingEngine: ["initialize", "poke", "setAuthority"],
  CapabilityRegistrar: ["initialize", "proveCapability", "setAuthority"],
  JobMarket: [
    "cancelJob",
    "claimMany",
    "claimSlot",
    "commitResult",
    "expireSlot",
    "finalize",
    "finalizeMany",
    "initialize",
    "releaseJobKey",
    "requestJobKey",
    "revealResult",
    "setAuthority",
    "submitJob",
    "submitResult",
    "sweepFees",
  ],
  VerificationHub: [
    "appeal",
    "commitVote",
    "drawAudit",
    "drawCommittee",
    "initialize",
    "joinPool",
    "leavePool",
    "openDispute",
    "reportAudit",
    "resolveDispute",
    "revealVote",
    // Answers to the market the hub is wired to (checked directly), not to a role.
    "scheduleAudit",
    "setAuthority",
  ],
  // Gated by validator signatures (complete, refund) or by the transfer itself (cancel: its recipient, or anyone when
  // it is over the incoming limit).
  BridgeGateway: ["cancel", "complete", "initialize", "refund", "send", "setAuthority"],
  BridgedAGPU: ["approve", "permit", "setAuthority", "transfer", "transferFrom"],
};

/** The function selectors of `contractName` grouped by the role that may call them. */
export function selectorsByRole(contractName: PermissionedContract, abi: Abi): Map<RoleId, Hex[]> {
  const byRole = new Map<RoleId, Hex[]>();
  for (const [functionName, role] of Object.entries(PERMISSIONS[contractName]) as [string, RoleId][]) {
    const selectors = byRole.get(role) ?? [];
    selectors.push(selectorOf(abi, contractName, functionName));
    byRole.set(role, selectors);
  }
  return byRole;
}

/** The selector of the one function called `functionName` in `abi`; overloads are refused as ambiguous. */
export function selectorOf(abi: Abi, contractName: string, functionName: string): Hex {
  const matches = abi.filter((item): item is AbiFunction => item.type === "function" && item.name === functionName);
  if (matches.length !== 1) {
    throw new Error(
      `${contractName}.${functionName}: expected exactly one function of that name, found ${matches.length}`,
    );
  }
  return toFunctionSelector(matches[0] as AbiFunction);
}

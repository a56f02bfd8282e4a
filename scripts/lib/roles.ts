/**
 * The roles of StarMiner's single AccessManager. Role ids are permanent: never renumber one, only add.
 *
 * Every privileged function of every protocol contract is mapped to exactly one of these roles in
 * `permissions.ts`; the AccessManager, not the contract, decides who holds it. docs/access-control.md
 * explains each role and who holds it in each phase of a deployment.
 */
export const Role = {
  /** The AccessManager's own admin (id 0): grants and revokes roles, maps functions to roles. The Timelock. */
  ADMIN: 0n,
  /** May pause any pausable contract at once; cannot unpause, upgrade or change anything else. */
  GUARDIAN: 1n,
  /** Governance's executor (the Timelock): unpause, upgrades, parameters, treasury spends. */
  GOVERNOR: 2n,
  /** May mint AGPU within the current epoch's emissions budget (the rewards path of the market). */
  EMISSIONS_MINTER: 3n,
  /** May slash stake for a proven fault (the verification hub and the job market). */
  SLASHER: 4n,
  /** May lock and unlock a provider's collateral for an assigned job (the job market). */
  COLLATERAL_MANAGER: 5n,
  /** May record outcomes that move a provider's reputation (the job market). */
  REPUTATION_WRITER: 6n,
  /** May report demand and served capacity to the pricing engine (the job market). */
  DEMAND_REPORTER: 7n,
  /** May register a node's TEE attestation once it is checked off-chain. */
  ATTESTER: 8n,
  /** May record a verified capability proof for a node (the capability registrar). */
  CAPABILITY_VERIFIER: 9n,
  /** May freeze a job for a dispute and carry out the committee's verdict (the verification hub). */
  VERIFICATION_HUB: 10n,
  /** May mint and burn bridged AGPU on a remote chain (the bridge gateway). */
  BRIDGE_MINTER: 11n,
} as const;

export type RoleName = keyof typeof Role;
export type RoleId = (typeof Role)[RoleName];

/** Every role but ADMIN, which the AccessManager labels itself. */
export const LABELLED_ROLES = (Object.keys(Role) as RoleName[]).filter((name) => name !== "ADMIN");

/** The role's name as the AccessManager labels it on-chain. */
export function roleName(id: bigint): RoleName {
  const entry = (Object.entries(Role) as [RoleName, bigint][]).find(([, value]) => value === id);
  if (entry === undefined) throw new Error(`unknown role id ${id}`);
  return entry[0];
}

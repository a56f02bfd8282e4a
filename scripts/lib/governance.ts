import { type Abi, type Address, type Hex, type PublicClient, keccak256, toHex, zeroAddress, zeroHash } from "viem";

import { type DeploymentManifest, type ManifestContract, manifestContract } from "./manifest.js";
import { Role, roleName } from "./roles.js";

/** The Timelock's roles (OpenZeppelin's TimelockController). */
export const TimelockRole = {
  DEFAULT_ADMIN: zeroHash,
  PROPOSER: keccak256(toHex("PROPOSER_ROLE")),
  EXECUTOR: keccak256(toHex("EXECUTOR_ROLE")),
  CANCELLER: keccak256(toHex("CANCELLER_ROLE")),
} as const;

/** A Governor proposal's states, as `IGovernor.ProposalState` numbers them. */
export const ProposalState = {
  Pending: 0,
  Active: 1,
  Canceled: 2,
  Defeated: 3,
  Succeeded: 4,
  Queued: 5,
  Expired: 6,
  Executed: 7,
} as const;

/** How a vote is cast (GovernorCountingSimple). */
export const VoteType = { Against: 0, For: 1, Abstain: 2 } as const;

/** A role some account still holds that, after a handover, only governance or the guardian may hold. */
export interface RoleViolation {
  readonly contract: "AccessManager" | "ProtocolTimelock";
  readonly role: string;
  readonly account: Address;
}

/**
 * Proves a deployment was handed over: every role of the AccessManager and of the Timelock is held by a contract,
 * except GUARDIAN (a security multisig may be a plain account) and the Timelock's executor role held by the zero
 * address (anyone may execute a ready operation). Returns what violates that; empty means handed over.
 */
export async function checkHandover(client: PublicClient, manifest: DeploymentManifest): Promise<RoleViolation[]> {
  const violations: RoleViolation[] = [];
  const isContract = async (account: Address) => ((await client.getCode({ address: account })) ?? "0x") !== "0x";
  const read = (contract: ManifestContract, functionName: string, args: unknown[]) =>
    client.readContract({ address: contract.address, abi: contract.abi as Abi, functionName, args });

  const manager = manifestContract(manifest, "AccessManager");
  const managerHolders = await heldGrants<bigint>(client, manager, "roleId", async (role, account) => {
    const [isMember] = (await read(manager, "hasRole", [role, account])) as [boolean, number];
    return isMember;
  });
  for (const { role, account } of managerHolders) {
    if (role === Role.GUARDIAN || (await isContract(account))) continue;
    violations.push({ contract: "AccessManager", role: roleName(role), account });
  }

  // A remote chain has no Timelock of its own: its AccessManager is all there is to check.
  if (manifest.contracts.ProtocolTimelock === undefined) return violations;
  const timelock = manifestContract(manifest, "ProtocolTimelock");
  const names = Object.fromEntries(Object.entries(TimelockRole).map(([name, id]) => [id, name]));
  const timelockHolders = await heldGrants<Hex>(
    client,
    timelock,
    "role",
    async (role, account) => (await read(timelock, "hasRole", [role, account])) as boolean,
  );
  for (const { role, account } of timelockHolders) {
    if (await isContract(account)) continue;
    if (role === TimelockRole.EXECUTOR && account === zeroAddress) continue;
    violations.push({ contract: "ProtocolTimelock", role: names[role] ?? role, account });
  }
  return violations;
}

/**
 * The (role, account) pairs `contract`'s RoleGranted events name, each once, in grant order, that `holds` says
 * still hold: what was granted and later revoked or renounced is left out.
 */
async function heldGrants<RoleT extends bigint | Hex>(
  client: PublicClient,
  contract: ManifestContract,
  roleArgument: "roleId" | "role",
  holds: (role: RoleT, account: Address) => Promise<boolean>,
): Promise<{ role: RoleT; account: Address }[]> {
  const granted = await client.getContractEvents({
    address: contract.address,
    abi: contract.abi as Abi,
    eventName: "RoleGranted",
    fromBlock: BigInt(contract.startBlock),
  });
  const pairs = new Map<string, { role: RoleT; account: Address }>();
  for (const log of granted) {
    const args = log.args as Record<string, unknown> & { account: Address };
    const role = args[roleArgument] as RoleT;
    pairs.set(`${role}:${args.account}`, { role, account: args.account });
  }
  const held: { role: RoleT; account: Address }[] = [];
  for (const pair of pairs.values()) if (await holds(pair.role, pair.account)) held.push(pair);
  return held;
}

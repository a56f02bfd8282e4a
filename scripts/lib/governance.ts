import { type Abi, type Address, type Hex, type PublicClient, keccak256, toHex, zeroAddress, zeroHash } from "viem";

import { type DeploymentManifest, manifestContract } from "./manifest.js";
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

  const manager = manifestContract(manifest, "AccessManager");
  const granted = await client.getContractEvents({
    address: manager.address,
    abi: manager.abi as Abi,
    eventName: "RoleGranted",
    fromBlock: BigInt(manager.startBlock),
  });
  const managerHolders = new Map<string, { role: bigint; account: Address }>();
  for (const log of granted) {
    const { roleId, account } = log.args as { roleId: bigint; account: Address };
    managerHolders.set(`${roleId}:${account}`, { role: roleId, account });
  }
  for (const { role, account } of managerHolders.values()) {
    const [isMember] = (await client.readContract({
      address: manager.address,
      abi: manager.abi as Abi,
      functionName: "hasRole",
      args: [role, account],
    })) as [boolean, number];
    if (!isMember || role === Role.GUARDIAN || (await isContract(account))) continue;
    violations.push({ contract: "AccessManager", role: roleName(role), account });
  }

  // A remote chain has no Timelock of its own: its AccessManager is all there is to check.
  if (manifest.contracts.ProtocolTimelock === undefined) return violations;
  const timelock = manifestContract(manifest, "ProtocolTimelock");
  const timelockGrants = await client.getContractEvents({
    address: timelock.address,
    abi: timelock.abi as Abi,
    eventName: "RoleGranted",
    fromBlock: BigInt(timelock.startBlock),
  });
  const names = Object.fromEntries(Object.entries(TimelockRole).map(([name, id]) => [id, name]));
  const seen = new Set<string>();
  for (const log of timelockGrants) {
    const { role, account } = log.args as { role: Hex; account: Address };
    if (seen.has(`${role}:${account}`)) continue;
    seen.add(`${role}:${account}`);
    const holds = (await client.readContract({
      address: timelock.address,
      abi: timelock.abi as Abi,
      functionName: "hasRole",
      args: [role, account],
    })) as boolean;
    if (!holds || (await isContract(account))) continue;
    if (role === TimelockRole.EXECUTOR && account === zeroAddress) continue;
    violations.push({ contract: "ProtocolTimelock", role: names[role] ?? role, account });
  }
  return violations;
}

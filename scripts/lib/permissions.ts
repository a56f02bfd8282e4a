import { type Abi, type AbiFunction, type Hex, toFunctionSelector } from "viem";

import { Role, type RoleId } from "./roles.js";

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
    pause: Role.GUARDIAN,
    unpause: Role.GOVERNOR,
    upgradeToAndCall: Role.GOVERNOR,
    spend: Role.GOVERNOR,
  },
} as const satisfies Record<string, Record<string, RoleId>>;

export type PermissionedContract = keyof typeof PERMISSIONS;

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

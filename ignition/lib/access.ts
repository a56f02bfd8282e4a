import type {
  ArgumentType,
  CallableContractFuture,
  ContractFuture,
  Future,
  IgnitionModuleBuilder,
} from "@nomicfoundation/ignition-core";
import type { Abi } from "viem";

import { type PermissionedContract, selectorsByRole } from "../../scripts/lib/permissions.js";
import { type RoleId, roleName } from "../../scripts/lib/roles.js";

type ManagerFuture = CallableContractFuture<string>;

/**
 * Maps every privileged function of `target` to its role, as `PERMISSIONS` says, once the futures in `after`
 * are done. Until then those functions need the manager's ADMIN role, which the deployer holds while it
 * assembles the protocol: that is how a module seeds initial state through governed functions.
 */
export function applyPermissions(
  m: IgnitionModuleBuilder,
  manager: ManagerFuture,
  target: ContractFuture<string>,
  contractName: PermissionedContract,
  abi: Abi,
  after: Future[] = [],
): void {
  for (const [role, selectors] of selectorsByRole(contractName, abi)) {
    m.call(manager, "setTargetFunctionRole", [target, selectors, role], {
      id: `${contractName}_permit_${roleName(role)}`,
      after,
    });
  }
}

/** Grants `role` to `account` with no execution delay. */
export function grantRole(
  m: IgnitionModuleBuilder,
  manager: ManagerFuture,
  role: RoleId,
  account: ArgumentType,
  id: string,
): void {
  m.call(manager, "grantRole", [role, account, 0n], { id });
}

/**
 * Deploys `contractName` behind an ERC-1967 proxy whose constructor calls `initialize(...initializeArgs)`, and
 * returns the proxy seen through the implementation's ABI. `libraries` are the linked libraries the implementation
 * calls (deployed with `m.library`).
 */
export function deployUupsProxy(
  m: IgnitionModuleBuilder,
  contractName: string,
  initializeArgs: ArgumentType[],
  libraries: Record<string, ContractFuture<string>> = {},
) {
  const implementation = m.contract(contractName, [], { id: `${contractName}Implementation`, libraries });
  const initializeCall = m.encodeFunctionCall(implementation, "initialize", initializeArgs);
  const proxy = m.contract("ERC1967Proxy", [implementation, initializeCall], { id: `${contractName}Proxy` });
  return m.contractAt(contractName, proxy, { id: contractName });
}

import {
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  formatUnits,
  keccak256,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";

import { type DeploymentManifest, type ManifestContract, manifestContract } from "./manifest.js";
import { Role, roleName } from "./roles.js";

/** The Timelock's roles (OpenZeppelin's TimelockController). */
export const TimelockRole = {
  DEFAULT_ADMIN: zeroHash,
  PROPOSER: keccak256(toHex("PROPOSER_ROLE")),
  EXECUTOR: keccak256(toHex("EXECUTOR_ROLE")),
  CANCELLER: keccak256(toHex("CANCELLER_ROLE")),
} as const;

/** Something a handed-over deployment must not have: a role where it should not be, or AMAX too concentrated. */
export interface HandoverViolation {
  readonly contract: "AccessManager" | "ProtocolTimelock" | "AMAX" | "AGPU";
  /** The role at fault, or "voting power" / "balance" for a token. */
  readonly role: string;
  readonly account: Address;
  /** One sentence saying what is wrong. */
  readonly problem: string;
}

export interface CheckHandoverOptions {
  /**
   * The contract that governs the chain. At home it is the manifest's ProtocolTimelock; a remote chain has none,
   * and names the multisig or timelock it handed ADMIN and GOVERNOR to.
   */
  readonly governance?: Address;
}

/** Roles only protocol contracts hold. (ATTESTER is the attestation service's, granted by a vote.) */
const CONTRACT_ROLES: readonly bigint[] = [
  Role.EMISSIONS_MINTER,
  Role.SLASHER,
  Role.COLLATERAL_MANAGER,
  Role.REPUTATION_WRITER,
  Role.DEMAND_REPORTER,
  Role.CAPABILITY_VERIFIER,
  Role.VERIFICATION_HUB,
  Role.BRIDGE_MINTER,
];

/**
 * Proves a deployment was handed over, by reading every grant the AccessManager and the Timelock ever made and
 * what each account holds now:
 * - ADMIN and GOVERNOR are held by the governing contract alone (the Timelock at home): no EOA and no other
 *   contract;
 * - GUARDIAN is held, and not by the deployer; ATTESTER, if anyone holds it, not by the deployer either;
 * - every other role only by the deployment's own contracts;
 * - the Timelock is its own admin, the Governor its only proposer and canceller, and execution is open (or the
 *   Governor's);
 * - at home, the deployer keeps no AMAX and no AGPU, and no account controls enough AMAX to meet the Governor's
 *   quorum alone: what it holds, what is delegated to it, and what its vesting wallets will release to it (the
 *   Timelock's and the Treasury's AMAX move only by a vote and are left aside).
 * Returns every violation; empty means handed over.
 */
export async function checkHandover(
  client: PublicClient,
  manifest: DeploymentManifest,
  options: CheckHandoverOptions = {},
): Promise<HandoverViolation[]> {
  const violations: HandoverViolation[] = [];
  const governance = options.governance ?? manifest.contracts.ProtocolTimelock?.address;
  if (governance === undefined) {
    throw new Error(`chain ${manifest.chainId} has no Timelock: name the contract that governs it`);
  }
  const deployer = manifest.deployer;
  const ownContracts = new Set(Object.values(manifest.contracts).map((c) => c.address));
  const read = <T>(contract: ManifestContract, functionName: string, args: unknown[] = []) =>
    readManifestContract<T>(client, contract, functionName, args);

  const manager = manifestContract(manifest, "AccessManager");
  const managerHolders = await heldGrants<bigint>(client, manager, "roleId", async (role, account) => {
    const [isMember] = await read<[boolean, number]>(manager, "hasRole", [role, account]);
    return isMember;
  });
  const managerViolation = (role: bigint, account: Address, problem: string) =>
    violations.push({ contract: "AccessManager", role: roleName(role), account, problem });
  for (const { role, account } of managerHolders) {
    const name = roleName(role);
    if (role === Role.ADMIN || role === Role.GOVERNOR) {
      if (account !== governance) managerViolation(role, account, `${account} holds ${name}: only ${governance} may`);
    } else if (role === Role.GUARDIAN || role === Role.ATTESTER) {
      if (account === deployer) managerViolation(role, account, `the deployer ${account} holds ${name}`);
    } else if (CONTRACT_ROLES.includes(role) && !ownContracts.has(account)) {
      managerViolation(role, account, `${account} holds ${name}, which only the deployment's own contracts may`);
    }
  }
  if (!managerHolders.some((h) => h.role === Role.GUARDIAN)) {
    managerViolation(Role.GUARDIAN, zeroAddress, "nobody holds GUARDIAN: nobody can pause the protocol quickly");
  }

  // A remote chain has no Timelock and no AMAX of its own: its AccessManager is all there is to check.
  if (manifest.contracts.ProtocolTimelock === undefined) return violations;
  const timelock = manifestContract(manifest, "ProtocolTimelock");
  const governorAddress = manifestContract(manifest, "AMAXGovernor").address;
  const allowed: Record<Hex, readonly Address[]> = {
    [TimelockRole.DEFAULT_ADMIN]: [timelock.address],
    [TimelockRole.PROPOSER]: [governorAddress],
    [TimelockRole.CANCELLER]: [governorAddress],
    [TimelockRole.EXECUTOR]: [zeroAddress, governorAddress],
  };
  const names = Object.fromEntries(Object.entries(TimelockRole).map(([name, id]) => [id, name]));
  const timelockHolders = await heldGrants<Hex>(client, timelock, "role", (role, account) =>
    read<boolean>(timelock, "hasRole", [role, account]),
  );
  for (const { role, account } of timelockHolders) {
    if (allowed[role]?.includes(account) === true) continue;
    const name = names[role] ?? role;
    violations.push({
      contract: "ProtocolTimelock",
      role: name,
      account,
      problem: `${account} holds the Timelock's ${name} role`,
    });
  }

  violations.push(
    ...(await checkTokens(client, manifest, [governance, manifestContract(manifest, "Treasury").address])),
  );
  return violations;
}

/** The deployer's leftover genesis tokens, and every account that could meet the Governor's quorum alone. */
async function checkTokens(
  client: PublicClient,
  manifest: DeploymentManifest,
  governed: readonly Address[],
): Promise<HandoverViolation[]> {
  const violations: HandoverViolation[] = [];
  const amax = manifestContract(manifest, "AMAX");
  const agpu = manifestContract(manifest, "AGPU");
  const governor = manifestContract(manifest, "AMAXGovernor");
  const read = <T>(contract: ManifestContract, functionName: string, args: unknown[] = []) =>
    readManifestContract<T>(client, contract, functionName, args);

  for (const token of [amax, agpu]) {
    const kept = await read<bigint>(token, "balanceOf", [manifest.deployer]);
    if (kept > 0n) {
      violations.push({
        contract: token.name as "AMAX" | "AGPU",
        role: "balance",
        account: manifest.deployer,
        problem: `the deployer still holds ${formatUnits(kept, 18)} ${token.name} of the genesis supply`,
      });
    }
  }

  const quorum =
    ((await read<bigint>(amax, "totalSupply")) * (await read<bigint>(governor, "quorumNumerator"))) /
    (await read<bigint>(governor, "quorumDenominator"));
  // Everyone who ever received AMAX or was delegated votes.
  const accounts = new Set<Address>();
  for (const [eventName, argument] of [
    ["Transfer", "to"],
    ["DelegateChanged", "toDelegate"],
  ] as const) {
    const logs = await client.getContractEvents({
      address: amax.address,
      abi: amax.abi as Abi,
      eventName,
      fromBlock: BigInt(amax.startBlock),
    });
    for (const log of logs) accounts.add((log.args as Record<string, Address>)[argument]!);
  }
  // What a vesting wallet holds will be its owner's: count it there, not in the wallet (which cannot vote).
  const vesting = new Map<Address, bigint>();
  const wallets = new Set(Object.values(manifest.vesting ?? {}));
  for (const wallet of wallets) {
    const owner = (await client.readContract({
      address: wallet,
      abi: VESTING_WALLET_ABI,
      functionName: "owner",
    })) as Address;
    const held = await read<bigint>(amax, "balanceOf", [wallet]);
    vesting.set(owner, (vesting.get(owner) ?? 0n) + held);
    accounts.add(owner);
  }
  for (const account of accounts) {
    if (account === zeroAddress || governed.includes(account) || wallets.has(account)) continue;
    const votes = await read<bigint>(amax, "getVotes", [account]);
    const delegate = await read<Address>(amax, "delegates", [account]);
    const own = delegate === account ? 0n : await read<bigint>(amax, "balanceOf", [account]);
    const power = votes + own + (vesting.get(account) ?? 0n);
    if (power >= quorum) {
      violations.push({
        contract: "AMAX",
        role: "voting power",
        account,
        problem:
          `${account} controls ${formatUnits(power, 18)} AMAX (held, delegated to it or vesting to it), enough ` +
          `to meet the ${formatUnits(quorum, 18)} AMAX quorum alone`,
      });
    }
  }
  return violations;
}

/** Calls a view of a manifest contract through its own ABI. */
async function readManifestContract<T>(
  client: PublicClient,
  contract: ManifestContract,
  functionName: string,
  args: unknown[],
): Promise<T> {
  return (await client.readContract({ address: contract.address, abi: contract.abi as Abi, functionName, args })) as T;
}

/** The part of OpenZeppelin's VestingWallet the handover check reads. */
const VESTING_WALLET_ABI = [
  { type: "function", name: "owner", stateMutability: "view", inputs: [], outputs: [{ type: "address" }] },
] as const;

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

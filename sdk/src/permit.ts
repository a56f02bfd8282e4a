import { type Abi, type Address, type PublicClient, type WalletClient, parseSignature } from "viem";

/** An EIP-2612 permit, signed and split for a `permit(owner, spender, value, deadline, v, r, s)` call. */
export interface SignedPermit {
  readonly owner: Address;
  readonly spender: Address;
  readonly value: bigint;
  readonly deadline: bigint;
  readonly v: number;
  readonly r: `0x${string}`;
  readonly s: `0x${string}`;
}

/** The EIP-712 type of an EIP-2612 permit. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** Signs an EIP-2612 permit of `value` from `owner` to `spender`, valid until `deadline`, for `token`. */
export async function signPermit(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  token: { address: Address; abi: Abi },
  owner: Address,
  spender: Address,
  value: bigint,
  deadline: bigint,
): Promise<SignedPermit> {
  const { publicClient, walletClient } = clients;
  const read = (functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address: token.address, abi: token.abi, functionName, args });
  const [name, nonce, chainId] = await Promise.all([
    read("name") as Promise<string>,
    read("nonces", [owner]) as Promise<bigint>,
    publicClient.getChainId(),
  ]);
  const signature = await walletClient.signTypedData({
    account: owner,
    domain: { name, version: "1", chainId, verifyingContract: token.address },
    types: PERMIT_TYPES,
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  const { v, r, s } = parseSignature(signature);
  if (v === undefined) throw new Error("the permit signature has no v");
  return { owner, spender, value, deadline, v: Number(v), r, s };
}

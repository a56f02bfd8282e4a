import { Signature, type Signer, type TypedDataDomain } from "ethers";

/** The EIP-712 type of an ERC-2612 permit. */
const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

interface PermitToken {
  getAddress(): Promise<string>;
  name(): Promise<string>;
  nonces(owner: string): Promise<bigint>;
}

/** Signs an ERC-2612 permit of `value` from `owner` to `spender` valid until `deadline`. */
export async function signPermit(
  token: PermitToken,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
  chainId: bigint,
) {
  const ownerAddress = await owner.getAddress();
  const domain: TypedDataDomain = {
    name: await token.name(),
    version: "1",
    chainId,
    verifyingContract: await token.getAddress(),
  };
  const nonce = await token.nonces(ownerAddress);
  const signature = await owner.signTypedData(domain, PERMIT_TYPES, {
    owner: ownerAddress,
    spender,
    value,
    nonce,
    deadline,
  });
  const { v, r, s } = Signature.from(signature);
  return { owner: ownerAddress, spender, value, deadline, v, r, s };
}

import { Signature, type Signer, type TypedDataDomain } from "ethers";
import { PERMIT_TYPES } from "@starminer/sdk";

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
  const signature = await owner.signTypedData(
    domain,
    { Permit: [...PERMIT_TYPES.Permit] },
    {
      owner: ownerAddress,
      spender,
      value,
      nonce,
      deadline,
    },
  );
  const { v, r, s } = Signature.from(signature);
  return { owner: ownerAddress, spender, value, deadline, v, r, s };
}

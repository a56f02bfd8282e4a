import { type Address, type Hex, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The development mnemonic every local Hardhat chain funds: its keys are public and worth nothing elsewhere. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The dev account at `index` of the mnemonic, with its private key. */
export function devAccount(index: number): { address: Address; privateKey: Hex } {
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  return { address: account.address, privateKey: toHex(account.getHdKey().privateKey!) };
}

/** The private key of the dev account with `address`, among the first `count`; throws for any other address. */
export function devKeyOf(address: string, count = 30): Hex {
  for (let index = 0; index < count; index++) {
    const account = devAccount(index);
    if (account.address.toLowerCase() === address.toLowerCase()) return account.privateKey;
  }
  throw new Error(`${address} is not one of the first ${count} development accounts`);
}

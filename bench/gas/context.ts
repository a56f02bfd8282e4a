import type { NetworkConnection } from "hardhat/types/network";
import {
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  custom,
} from "viem";

import { type DeploymentManifest, manifestContract } from "../../scripts/lib/manifest.js";

/** One measured operation: what it is and the gas its transaction used. */
export interface GasMeasurement {
  readonly contract: string;
  readonly operation: string;
  readonly gas: bigint;
}

/** What a benchmark suite gets: clients on the chain, the deployed manifest, funded accounts, and a recorder. */
export interface GasContext {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient;
  readonly manifest: DeploymentManifest;
  readonly accounts: readonly Address[];
  /** Sends `functionName(args)` to the manifest's `contract` from `from` and records its gas as `operation`. */
  send(
    contract: string,
    functionName: string,
    args: readonly unknown[],
    options: { from: Address; operation?: string },
  ): Promise<bigint>;
  /** Sends `functionName(args)` like `send`, without recording it: set-up that is not what is measured. */
  setup(contract: string, functionName: string, args: readonly unknown[], from: Address): Promise<void>;
  /** Moves the chain's clock forward by `seconds` and mines a block. */
  increaseTime(seconds: number): Promise<void>;
  /** Records the gas of a transaction sent some other way. */
  record(contract: string, operation: string, hash: Hex): Promise<bigint>;
  readonly measurements: GasMeasurement[];
}

/** What a caller may add to a context: a hook that sees each recorded operation with its transaction. */
export interface GasContextOptions {
  readonly onRecord?: (measurement: GasMeasurement, hash: Hex) => Promise<void>;
}

export async function createGasContext<C extends string>(
  connection: NetworkConnection<C>,
  manifest: DeploymentManifest,
  options: GasContextOptions = {},
): Promise<GasContext> {
  const transport = custom(connection.provider);
  const publicClient = createPublicClient({ transport });
  const walletClient = createWalletClient({ transport });
  const accounts = await walletClient.getAddresses();
  const measurements: GasMeasurement[] = [];

  const write = async (contract: string, functionName: string, args: readonly unknown[], from: Address) => {
    const entry = manifestContract(manifest, contract);
    return walletClient.writeContract({
      address: entry.address,
      abi: entry.abi as Abi,
      functionName,
      args: args as unknown[],
      account: from,
      chain: null,
    });
  };
  const mined = async (contract: string, operation: string, hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${contract}.${operation} reverted`);
    return receipt.gasUsed;
  };
  const record = async (contract: string, operation: string, hash: Hex) => {
    const gas = await mined(contract, operation, hash);
    const measurement = { contract, operation, gas };
    measurements.push(measurement);
    await options.onRecord?.(measurement, hash);
    return gas;
  };

  return {
    publicClient,
    walletClient,
    manifest,
    accounts,
    measurements,
    record,
    async increaseTime(seconds) {
      await connection.provider.request({ method: "evm_increaseTime", params: [seconds] });
      await connection.provider.request({ method: "evm_mine", params: [] });
    },
    async send(contract, functionName, args, { from, operation }) {
      return record(contract, operation ?? functionName, await write(contract, functionName, args, from));
    },
    async setup(contract, functionName, args, from) {
      await mined(contract, `${functionName} (set-up)`, await write(contract, functionName, args, from));
    },
  };
}

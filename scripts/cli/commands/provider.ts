import { parseArgs } from "node:util";

import { requireAccount } from "../../lib/client.js";
import { NodeRole, Tee, providerMetadata } from "../../lib/nodes.js";
import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseAgpu, parseInteger, parseZone } from "../parse.js";
import { send } from "../../lib/transactions.js";
import type { Command } from "./context.js";

const TEE_TYPES: Record<string, number> = {
  none: Tee.None,
  sgx: Tee.IntelSgx,
  tdx: Tee.IntelTdx,
  "sev-snp": Tee.AmdSevSnp,
  "nvidia-cc": Tee.NvidiaCc,
};

/**
 * `provider register --zone <label> --gpu <model> --vram <MiB> --compute-capability <x10> --tflops <TFLOPS x100>
 * --endpoint <url> [--tee none|sgx|tdx|sev-snp|nvidia-cc]`
 */
export const providerRegister: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({
    args,
    options: {
      zone: { type: "string" },
      gpu: { type: "string" },
      vram: { type: "string" },
      "compute-capability": { type: "string" },
      tflops: { type: "string" },
      endpoint: { type: "string" },
      tee: { type: "string", default: "none" },
    },
  });
  for (const required of ["zone", "gpu", "endpoint"] as const) {
    if (values[required] === undefined) throw new UsageError(`--${required} is required`);
  }
  const teeType = TEE_TYPES[values.tee];
  if (teeType === undefined) throw new UsageError(`--tee must be one of ${Object.keys(TEE_TYPES).join(", ")}`);
  const metadata = providerMetadata({
    zone: parseZone(values.zone!),
    gpuModel: values.gpu!,
    endpoint: values.endpoint!,
    vramMiB: parseInteger("vram", values.vram, 1, 2 ** 32 - 1),
    computeCapability: parseInteger("compute-capability", values["compute-capability"], 1, 65_535),
    tflopsCenti: parseInteger("tflops", values.tflops, 1, 2 ** 32 - 1),
    teeType,
  });
  const client = await protocol();
  const account = requireAccount(client);
  const { receipt } = await send(client, client.nodeRegistry, "register", [NodeRole.PROVIDER, metadata]);
  out.record({ provider: account.address, zone: values.zone, gpu: values.gpu, transaction: receipt.transactionHash });
};

/** `provider stake <AGPU>`: approves and stakes. */
export const providerStake: Command = async ({ args, out, protocol }) => {
  const amount = parseAgpu("the amount to stake", args[0]);
  const client = await protocol();
  const account = requireAccount(client);
  const balance = await client.agpu.read.balanceOf([account.address]);
  if (balance < amount) throw new Error(`${account.address} holds ${agpu(balance)}, less than ${agpu(amount)}`);
  await send(client, client.agpu, "approve", [client.staking.address, amount]);
  const { receipt } = await send(client, client.staking, "stake", [amount]);
  const staked = await client.staking.read.stakeOf([account.address]);
  out.record({
    provider: account.address,
    staked: out.json ? staked : agpu(staked),
    transaction: receipt.transactionHash,
  });
};

/** `provider unbond <AGPU>`: starts unbonding free stake; it can be withdrawn after the unbonding period. */
export const providerUnbond: Command = async ({ args, out, protocol }) => {
  const amount = parseAgpu("the amount to unbond", args[0]);
  const client = await protocol();
  const account = requireAccount(client);
  const { receipt } = await send(client, client.staking, "requestUnbond", [amount]);
  const period = await client.staking.read.unbondingPeriod();
  const block = await client.publicClient.getBlock({ blockHash: receipt.blockHash });
  out.record({
    provider: account.address,
    unbonding: out.json ? amount : agpu(amount),
    releaseAt: new Date(Number(block.timestamp + period) * 1_000).toISOString(),
    transaction: receipt.transactionHash,
  });
};

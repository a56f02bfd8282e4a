import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { parseEventLogs } from "viem";
import { type NodeMetadata, NodeRole, Tee, enumName, providerMetadata, writeAndWait, zoneLabel } from "@starminer/sdk";

import { requireAccount } from "../../lib/client.js";
import { UsageError } from "../errors.js";
import { agpu } from "../output.js";
import { parseAddress, parseAgpu, parseInteger } from "../parse.js";
import { enabledZone } from "../zones.js";
import type { Command } from "./context.js";

/** The flags of a node's metadata, shared by `register` and `update`, and the fields of a metadata file. */
const METADATA_OPTIONS = {
  zone: { type: "string" },
  gpu: { type: "string" },
  vram: { type: "string" },
  "compute-capability": { type: "string" },
  tflops: { type: "string" },
  endpoint: { type: "string" },
  tee: { type: "string" },
} as const;
const METADATA_FIELDS = Object.keys(METADATA_OPTIONS) as (keyof typeof METADATA_OPTIONS)[];
type MetadataFlags = Partial<Record<keyof typeof METADATA_OPTIONS, string>>;

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
  const { values: given } = parseArgs({
    args,
    options: { metadata: { type: "string" }, ...METADATA_OPTIONS },
  });
  const values = { tee: "none", ...(await readMetadataFile(given.metadata)), ...definedOnly(given) };
  for (const required of ["zone", "gpu", "endpoint"] as const) {
    if (values[required] === undefined) throw new UsageError(`--${required} is required`);
  }
  const teeType = TEE_TYPES[values.tee];
  if (teeType === undefined) throw new UsageError(`--tee must be one of ${Object.keys(TEE_TYPES).join(", ")}`);
  const client = await protocol();
  const metadata = providerMetadata({
    zone: await enabledZone(client, values.zone!),
    gpuModel: values.gpu!,
    endpoint: values.endpoint!,
    vramMiB: parseInteger("vram", values.vram, 1, 2 ** 32 - 1),
    computeCapability: parseInteger("compute-capability", values["compute-capability"], 1, 65_535),
    tflopsCenti: parseInteger("tflops", values.tflops, 1, 2 ** 32 - 1),
    teeType,
  });
  const account = requireAccount(client);
  const { receipt } = await writeAndWait(client, client.nodeRegistry, "register", [NodeRole.PROVIDER, metadata]);
  out.record({ provider: account.address, zone: values.zone, gpu: values.gpu, transaction: receipt.transactionHash });
};

/** The flags given, without those left out (so that they do not override a metadata file's values). */
const definedOnly = (values: Record<string, string | undefined>): MetadataFlags =>
  Object.fromEntries(Object.entries(values).filter(([key, value]) => key !== "metadata" && value !== undefined));

/**
 * A node metadata file (see examples/nodes/): a JSON object with the flags' names as keys (`zone`, `gpu`, `vram`,
 * `compute-capability`, `tflops`, `endpoint`, `tee`); flags given beside it win.
 */
async function readMetadataFile(path: string | undefined): Promise<MetadataFlags> {
  if (path === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch {
    throw new UsageError(`cannot read the metadata file ${path} as JSON`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UsageError(`the metadata file ${path} must hold a JSON object`);
  }
  const metadata: MetadataFlags = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(METADATA_FIELDS as readonly string[]).includes(key)) {
      throw new UsageError(`${path}: unknown field "${key}" (the fields are ${METADATA_FIELDS.join(", ")})`);
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw new UsageError(`${path}: "${key}" must be a string or a number`);
    }
    metadata[key as keyof MetadataFlags] = String(value);
  }
  return metadata;
}

/** `provider stake <AGPU>`: approves and stakes. */
export const providerStake: Command = async ({ args, out, protocol }) => {
  const amount = parseAgpu("the amount to stake", args[0]);
  const client = await protocol();
  const account = requireAccount(client);
  const balance = await client.agpu.read.balanceOf([account.address]);
  if (balance < amount) throw new Error(`${account.address} holds ${agpu(balance)}, less than ${agpu(amount)}`);
  // Exactly the amount, and only what is missing: no standing allowance is left behind.
  const allowance = await client.agpu.read.allowance([account.address, client.staking.address]);
  if (allowance < amount) await writeAndWait(client, client.agpu, "approve", [client.staking.address, amount]);
  const { receipt } = await writeAndWait(client, client.staking, "stake", [amount]);
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
  const { receipt } = await writeAndWait(client, client.staking, "requestUnbond", [amount]);
  const period = await client.staking.read.unbondingPeriod();
  const block = await client.publicClient.getBlock({ blockHash: receipt.blockHash });
  out.record({
    provider: account.address,
    unbonding: out.json ? amount : agpu(amount),
    releaseAt: new Date(Number(block.timestamp + period) * 1_000).toISOString(),
    transaction: receipt.transactionHash,
  });
};

/**
 * `provider update [--zone] [--gpu] [--vram] [--compute-capability] [--tflops] [--endpoint] [--tee]`: changes the
 * registered metadata; fields not given keep their registered values.
 */
export const providerUpdate: Command = async ({ args, out, protocol }) => {
  const { values } = parseArgs({
    args,
    options: METADATA_OPTIONS,
  });
  if (Object.values(values).every((value) => value === undefined)) {
    throw new UsageError(
      "nothing to update: give at least one of --zone --gpu --vram --compute-capability --tflops --endpoint --tee",
    );
  }
  const teeType = values.tee === undefined ? undefined : TEE_TYPES[values.tee];
  if (values.tee !== undefined && teeType === undefined) {
    throw new UsageError(`--tee must be one of ${Object.keys(TEE_TYPES).join(", ")}`);
  }
  const client = await protocol();
  const account = requireAccount(client);
  if (!(await client.nodeRegistry.read.isRegistered([account.address]))) {
    throw new Error(`${account.address} is not registered: use provider register`);
  }
  const current = (await client.nodeRegistry.read.getNode([account.address])).metadata;
  const metadata: NodeMetadata = {
    zone: values.zone === undefined ? current.zone : await enabledZone(client, values.zone),
    endpoint: values.endpoint ?? current.endpoint,
    gpuModel: values.gpu ?? current.gpuModel,
    vramMiB: values.vram === undefined ? current.vramMiB : parseInteger("vram", values.vram, 1, 2 ** 32 - 1),
    computeCapability:
      values["compute-capability"] === undefined
        ? current.computeCapability
        : parseInteger("compute-capability", values["compute-capability"], 1, 65_535),
    tflopsCenti:
      values.tflops === undefined ? current.tflopsCenti : parseInteger("tflops", values.tflops, 1, 2 ** 32 - 1),
    teeType: teeType ?? current.teeType,
  };
  const { receipt } = await writeAndWait(client, client.nodeRegistry, "updateMetadata", [metadata]);
  out.record({
    provider: account.address,
    zone: zoneLabel(metadata.zone),
    gpu: metadata.gpuModel,
    vramMiB: metadata.vramMiB,
    computeCapability: metadata.computeCapability,
    endpoint: metadata.endpoint,
    tee: enumName(Tee, metadata.teeType),
    transaction: receipt.transactionHash,
  });
};

/** `provider status [<address>]`: registration, stake and its parts, unbondings, bounties and reputation. */
export const providerStatus: Command = async ({ args, out, protocol }) => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const client = await protocol();
  const address =
    positionals[0] === undefined ? requireAccount(client).address : parseAddress("the provider", positionals[0]);
  const { nodeRegistry, staking, reputation } = client;
  const [registered, stake, locked, available, unbondings, bounty, offences] = await Promise.all([
    nodeRegistry.read.isRegistered([address]),
    staking.read.stakeOf([address]),
    staking.read.lockedOf([address]),
    staking.read.availableOf([address]),
    staking.read.unbondingsOf([address]),
    staking.read.unpaidBountyOf([address]),
    staking.read.recentOffences([address]),
  ]);
  const node = registered ? await nodeRegistry.read.getNode([address]) : undefined;
  const [eligible, composite] = registered
    ? await Promise.all([
        nodeRegistry.read.isEligible([address, NodeRole.PROVIDER]),
        reputation.read.compositeOf([address]),
      ])
    : [false, undefined];
  const show = (wei: bigint) => (out.json ? wei : agpu(wei));
  const time = (seconds: bigint | number) => new Date(Number(seconds) * 1_000).toISOString();
  out.record({
    provider: address,
    registered,
    eligible,
    active: node?.active ?? false,
    zone: node === undefined ? null : zoneLabel(node.metadata.zone),
    gpu: node?.metadata.gpuModel ?? null,
    vramMiB: node?.metadata.vramMiB ?? null,
    staked: show(stake),
    locked: show(locked),
    available: show(available),
    unbonding: out.json
      ? unbondings.map((u) => ({ amount: u.amount, releaseAt: time(u.releaseAt) }))
      : unbondings.map((u) => `${agpu(u.amount)} from ${time(u.releaseAt)}`).join("; ") || "none",
    unpaidBounty: show(bounty),
    recentOffences: offences,
    reputation: composite === undefined ? null : out.json ? composite : `${(composite / 100).toFixed(2)}%`,
  });
};

/** `provider withdraw`: withdraws every unbonding whose period is over; refused (nothing sent) when none is. */
export const providerWithdraw: Command = async ({ args, out, protocol }) => {
  if (args.length > 0) throw new UsageError("withdraw takes no arguments");
  const client = await protocol();
  const account = requireAccount(client);
  const { receipt } = await writeAndWait(client, client.staking, "withdraw", []);
  const [withdrawn] = parseEventLogs({ abi: client.staking.abi, logs: receipt.logs, eventName: "Withdrawn" });
  const amount = withdrawn?.args.amount ?? 0n;
  const left = await client.staking.read.unbondingOf([account.address]);
  out.record({
    provider: account.address,
    withdrawn: out.json ? amount : agpu(amount),
    stillUnbonding: out.json ? left : agpu(left),
    transaction: receipt.transactionHash,
  });
};

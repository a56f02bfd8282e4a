import { type Address, type Hex, formatEther, getContract, keccak256, parseEther, toHex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import {
  NodeRole,
  Tee,
  accessManagerAbi,
  providerMetadata,
  serviceNodeMetadata,
  writeAndWait,
  zoneId,
} from "@starminer/sdk";

import type { ProtocolClient } from "../client.js";
import { devAccount } from "../dev-accounts.js";
import { manifestContract } from "../manifest.js";
import type { Fault } from "../provider/daemon.js";
import type { Hardware } from "../provider/hardware.js";
import { Role } from "../roles.js";

/** The enclave measurement the devnet allowlists for its simulated TEE providers. */
export const DEVNET_MEASUREMENT = keccak256(toHex("starminer devnet enclave"));

/** The zones the devnet's providers work in, filled in this order. */
export const DEVNET_ZONES = ["eu-west", "us-east", "ap-southeast"] as const;

const GPUS: readonly Hardware[] = [
  { gpuModel: "NVIDIA H100 80GB", vramMiB: 81_920, computeCapability: 90 },
  { gpuModel: "NVIDIA A100 80GB", vramMiB: 81_920, computeCapability: 80 },
  { gpuModel: "NVIDIA L40S", vramMiB: 46_068, computeCapability: 89 },
];

/** One simulated provider: its key, zone and GPU, whether it runs in a (simulated) enclave, and any fault. */
export interface ProviderPlan {
  readonly name: string;
  readonly privateKey: Hex;
  readonly address: Address;
  readonly zone: string;
  readonly hardware: Hardware;
  /** The enclave's signing key when the provider is a TEE node. */
  readonly enclaveKey?: Hex;
  readonly fault?: Fault;
}

export interface Roster {
  readonly deployer: { address: Address; privateKey: Hex };
  readonly providers: ProviderPlan[];
  readonly requesters: { address: Address; privateKey: Hex }[];
  readonly validators: { address: Address; privateKey: Hex }[];
  /** Accounts no simulated actor uses, funded with AGPU: for people trying the CLI against the devnet. */
  readonly users: { address: Address; privateKey: Hex }[];
  /** The zones in use, each with how many honest providers it has. */
  readonly zones: { label: string; addresses: Address[]; honest: number; tee: number }[];
}

/**
 * Who plays what: dev account 0 deploys and governs; then the providers (spread over up to three zones, the first
 * honest one of each zone a TEE node, the last `dishonest` ones reporting wrong results), the validators and the
 * requesters, each a dev account of its own.
 */
export function planRoster(counts: { providers: number; dishonest: number; validators: number; requesters: number }) {
  let next = 1;
  const take = () => devAccount(next++);
  const zoneCount = Math.max(1, Math.min(DEVNET_ZONES.length, Math.floor(counts.providers / 3)));
  const zones = DEVNET_ZONES.slice(0, zoneCount).map((label) => ({
    label,
    addresses: [] as Address[],
    honest: 0,
    tee: 0,
  }));
  const providers: ProviderPlan[] = [];
  for (let i = 0; i < counts.providers; i++) {
    const account = take();
    const zone = zones[i % zoneCount]!;
    const dishonest = i >= counts.providers - counts.dishonest;
    const tee = !dishonest && zone.tee === 0;
    zone.addresses.push(account.address);
    if (!dishonest) zone.honest++;
    if (tee) zone.tee++;
    providers.push({
      name: `provider-${i + 1}`,
      ...account,
      zone: zone.label,
      hardware: GPUS[i % GPUS.length]!,
      ...(tee ? { enclaveKey: keccak256(toHex(`starminer devnet enclave ${i + 1}`)) } : {}),
      ...(dishonest ? { fault: "wrong-result" as const } : {}),
    });
  }
  const validators = Array.from({ length: counts.validators }, take);
  const requesters = Array.from({ length: counts.requesters }, take);
  const users = Array.from({ length: DEVNET_USERS }, take);
  return { deployer: devAccount(0), providers, requesters, validators, users, zones } satisfies Roster;
}

/** The ether each account of the roster has for gas, as the local node gives its first 20. */
const DEVNET_GAS_FUNDS = parseEther("10000");

/** How many funded accounts the devnet leaves to people (see {@link Roster.users}). */
export const DEVNET_USERS = 3;
/** The AGPU each of them gets. */
export const DEVNET_USER_FUNDS = parseEther("100000");

/** The accounts the devnet prints for people to use, each with what it is for (as `anvil` lists its keys). */
export function devnetAccounts(roster: Roster): { address: Address; privateKey: Hex; role: string }[] {
  return [
    { ...roster.deployer, role: "deployer: holds the AMAX supply (governance) and the protocol's roles" },
    ...roster.users.map((user) => ({ ...user, role: `free for you: ${formatEther(DEVNET_USER_FUNDS)} AGPU` })),
  ];
}

/** How long things take on the devnet's chain: short enough that jobs end within a minute of chain time warp. */
export const DEVNET_TIMING = {
  revealWindow: 5 * 60,
  challengeWindow: 10 * 60,
  votingPeriod: 60 * 60,
  revealPeriod: 60 * 60,
  appealPeriod: 60 * 60,
  /** The delivery window the simulated requesters give their jobs. */
  deliveryWindow: 600,
  /** One in five verified jobs is sampled for an audit. */
  auditRateBps: 2_000,
} as const;

/**
 * Sets the devnet up as governance would on a real chain (the dev deployment leaves every authority with the
 * deployer): short reveal, challenge and voting windows, the optimistic floor at neutral reputation so that new
 * providers can take optimistic jobs, an attester and an allowlisted enclave measurement; then funds, stakes and
 * registers every node, and attests the TEE providers.
 */
export async function prepareDevnet(
  deployer: ProtocolClient,
  roster: Roster,
  connect: (privateKey: Hex) => Promise<ProtocolClient>,
  progress: (message: string) => void,
) {
  const { jobMarket, verificationHub, nodeRegistry, agpu, staking } = deployer;
  const accessManager = getContract({
    address: manifestContract(deployer.manifest, "AccessManager").address,
    abi: accessManagerAbi,
    client: { public: deployer.publicClient, wallet: deployer.walletClient },
  });

  progress("governance: short windows for the devnet, an attester, the devnet enclave measurement");
  const market = await jobMarket.read.marketParameters();
  await writeAndWait(deployer, jobMarket, "setMarketParameters", [
    {
      ...market,
      optimisticReputationFloor: 5_000,
      revealWindow: DEVNET_TIMING.revealWindow,
      challengeWindow: DEVNET_TIMING.challengeWindow,
    },
  ]);
  const hub = await verificationHub.read.parameters();
  await writeAndWait(deployer, verificationHub, "setParameters", [
    {
      ...hub,
      auditRateBps: DEVNET_TIMING.auditRateBps,
      votingPeriod: DEVNET_TIMING.votingPeriod,
      revealPeriod: DEVNET_TIMING.revealPeriod,
      appealPeriod: DEVNET_TIMING.appealPeriod,
    },
  ]);
  await writeAndWait(deployer, accessManager, "grantRole", [Role.ATTESTER, roster.deployer.address, 0]);
  await writeAndWait(deployer, nodeRegistry, "setEnclaveMeasurementAllowed", [DEVNET_MEASUREMENT, true]);

  // The local node gives ether to the mnemonic's first 20 accounts only; a larger roster's others get theirs here.
  const everyone = [...roster.providers, ...roster.validators, ...roster.requesters, ...roster.users];
  for (const { address } of everyone) {
    if ((await deployer.publicClient.getBalance({ address })) > 0n) continue;
    await deployer.publicClient.request({
      method: "hardhat_setBalance" as never,
      params: [address, toHex(DEVNET_GAS_FUNDS)] as never,
    });
  }

  const providerStake = parseEther("10000");
  const validatorStake = parseEther("5000");
  const requesterFunds = parseEther("200000");
  progress(
    `funding and registering ${roster.providers.length} providers, ${roster.validators.length} validators, ` +
      `${roster.requesters.length} requesters`,
  );
  const stakeAndRegister = async (
    privateKey: Hex,
    stake: bigint,
    role: number,
    metadata: Parameters<typeof nodeRegistry.write.register>[0][1],
  ) => {
    const node = await connect(privateKey);
    await writeAndWait(deployer, agpu, "transfer", [node.account!.address, stake]);
    await writeAndWait(node, node.agpu, "approve", [staking.address, stake]);
    await writeAndWait(node, node.staking, "stake", [stake]);
    await writeAndWait(node, node.nodeRegistry, "register", [role, metadata]);
  };
  for (const [i, provider] of roster.providers.entries()) {
    await stakeAndRegister(
      provider.privateKey,
      providerStake,
      NodeRole.PROVIDER,
      providerMetadata({
        zone: zoneId(provider.zone),
        endpoint: `https://${provider.name}.devnet.starminer.local`,
        gpuModel: provider.hardware.gpuModel,
        vramMiB: provider.hardware.vramMiB,
        computeCapability: provider.hardware.computeCapability,
        tflopsCenti: 5_000 + 500 * i,
        teeType: provider.enclaveKey === undefined ? Tee.None : Tee.NvidiaCc,
      }),
    );
    if (provider.enclaveKey !== undefined) {
      const enclave = privateKeyToAddress(provider.enclaveKey);
      await writeAndWait(deployer, nodeRegistry, "registerAttestation", [
        provider.address,
        Tee.NvidiaCc,
        DEVNET_MEASUREMENT,
        keccak256(toHex(`attestation report of ${provider.name}`)),
        enclave,
      ]);
    }
  }
  for (const [i, validator] of roster.validators.entries()) {
    await stakeAndRegister(
      validator.privateKey,
      validatorStake,
      NodeRole.VALIDATOR,
      serviceNodeMetadata({ endpoint: `https://validator-${i + 1}.devnet.starminer.local` }),
    );
    // Validators sit on dispute committees only once they join the juror pool.
    const node = await connect(validator.privateKey);
    await writeAndWait(node, node.verificationHub, "joinPool", []);
  }
  for (const requester of roster.requesters) {
    await writeAndWait(deployer, agpu, "transfer", [requester.address, requesterFunds]);
  }
  for (const user of roster.users) await writeAndWait(deployer, agpu, "transfer", [user.address, DEVNET_USER_FUNDS]);
}

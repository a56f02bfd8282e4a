import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

import {
  type Account,
  type Address,
  type Chain,
  type GetContractReturnType,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  getContract,
  http,
  isHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type StarMinerClient,
  agpuAbi,
  amaxAbi,
  amaxGovernorAbi,
  jobMarketAbi,
  jobMarketLensAbi,
  nodeRegistryAbi,
  pricingEngineAbi,
  protocolTimelockAbi,
  reputationAbi,
  stakingAbi,
  verificationHubAbi,
  parseDeployment,
} from "@starminer/sdk";

import { unlockKeystoreFile } from "./keystore.js";
import { type DeploymentManifest, manifestContract, readManifest } from "./manifest.js";

/**
 * Where the tools find the chain and who they act as. Read from the environment, or from a JSON file named by
 * `--config` / `STARMINER_CONFIG` (environment variables win). A key is never read from source.
 */
export interface ClientConfig {
  readonly rpcUrl: string;
  /** The account that signs; absent for read-only commands. */
  readonly privateKey?: Hex;
  readonly manifestDir?: string;
  /** The indexer's base URL (the matcher and `node list` read it). */
  readonly indexerUrl: string;
  /** The content store's directory: job inputs and result outputs, filed by hash (see `ContentStore`). */
  readonly contentDir: string;
  /** The content gateway's base URL: manifest jobs' artifacts, job keys and outputs (see `gateway.ts`). */
  readonly gatewayUrl?: string;
  /** The bearer token for uploads to a gateway that asks for one. */
  readonly gatewayToken?: string;
}

interface ConfigFile {
  rpcUrl?: string;
  privateKey?: string;
  keystore?: string;
  manifestDir?: string;
  indexerUrl?: string;
  contentDir?: string;
  gatewayUrl?: string;
}

/** Settings given on the command line: they win over the environment and the config file. */
export interface ConfigFlags {
  readonly rpcUrl?: string;
  readonly privateKey?: string;
  /** An encrypted JSON keystore (Web3 Secret Storage), unlocked with STARMINER_PASSWORD. */
  readonly keystore?: string;
}

/**
 * The configuration from `file` (if any), overlaid with the environment, overlaid with `flags`; a one-line error for a
 * bad file, key or keystore.
 */
export async function loadConfig(
  file?: string,
  environment: NodeJS.ProcessEnv = process.env,
  flags: ConfigFlags = {},
): Promise<ClientConfig> {
  // An empty variable counts as unset.
  const env = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ""));
  let fromFile: ConfigFile = {};
  const path = file ?? env.STARMINER_CONFIG;
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      throw new Error(`cannot read the config file ${path}`);
    }
    try {
      fromFile = JSON.parse(text) as ConfigFile;
    } catch {
      throw new Error(`the config file ${path} is not valid JSON`);
    }
    if (typeof fromFile !== "object" || fromFile === null || Array.isArray(fromFile)) {
      throw new Error(`the config file ${path} must hold a JSON object`);
    }
  }
  // The signer from the first level that names one (flags, then the environment, then the file); one level naming
  // both a key and a keystore is ambiguous.
  const levels = [
    { key: flags.privateKey, keystore: flags.keystore, where: "the flags" },
    { key: env.STARMINER_PRIVATE_KEY, keystore: env.STARMINER_KEYSTORE, where: "the environment" },
    { key: fromFile.privateKey, keystore: fromFile.keystore, where: `the config file ${path ?? ""}` },
  ];
  const signer = levels.find((level) => level.key !== undefined || level.keystore !== undefined);
  if (signer?.key !== undefined && signer.keystore !== undefined) {
    throw new Error(`${signer.where} names both a private key and a keystore: give one`);
  }
  const { key: givenKey, keystore } = signer ?? {};
  if (givenKey !== undefined && !(isHex(givenKey) && givenKey.length === 66)) {
    throw new Error("the private key must be 32 bytes of hex, 0x-prefixed (STARMINER_PRIVATE_KEY or privateKey)");
  }
  const privateKey = keystore === undefined ? givenKey : await unlockKeystoreFile(keystore, env.STARMINER_PASSWORD);
  const manifestDir = env.STARMINER_MANIFEST_DIR ?? fromFile.manifestDir;
  const gatewayUrl = env.STARMINER_GATEWAY_URL ?? fromFile.gatewayUrl;
  return {
    rpcUrl: flags.rpcUrl ?? env.STARMINER_RPC_URL ?? fromFile.rpcUrl ?? "http://127.0.0.1:8545",
    ...(privateKey === undefined ? {} : { privateKey: privateKey as Hex }),
    ...(manifestDir === undefined ? {} : { manifestDir }),
    indexerUrl: env.STARMINER_INDEXER_URL ?? fromFile.indexerUrl ?? "http://127.0.0.1:42069",
    contentDir: resolve(env.STARMINER_CONTENT_DIR ?? fromFile.contentDir ?? join(starminerHome(env), "content")),
    ...(gatewayUrl === undefined ? {} : { gatewayUrl: gatewayUrl.replace(/\/+$/, "") }),
    ...(env.STARMINER_GATEWAY_TOKEN === undefined ? {} : { gatewayToken: env.STARMINER_GATEWAY_TOKEN }),
  };
}

/** Where the tools keep their own files (journals, the default content store): STARMINER_HOME or ~/.starminer. */
export function starminerHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STARMINER_HOME || join(homedir(), ".starminer"));
}

export type Contract<AbiT extends readonly unknown[]> = GetContractReturnType<
  AbiT,
  { public: PublicClient; wallet: WalletClient }
>;

/**
 * One chain StarMiner is deployed on: viem clients, the signing account if any, and the chain's manifest (and the
 * deployment read from it: a ChainClient is a {@link StarMinerClient}, so the SDK's actions take it as it is).
 */
export interface ChainClient extends StarMinerClient {
  readonly chain: Chain;
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient;
  readonly account: Account | undefined;
  readonly manifest: DeploymentManifest;
}

/** The protocol on one chain: its clients and the contracts the tools use, typed. */
export interface ProtocolClient extends ChainClient {
  readonly agpu: Contract<typeof agpuAbi>;
  readonly staking: Contract<typeof stakingAbi>;
  readonly nodeRegistry: Contract<typeof nodeRegistryAbi>;
  readonly reputation: Contract<typeof reputationAbi>;
  readonly pricingEngine: Contract<typeof pricingEngineAbi>;
  readonly verificationHub: Contract<typeof verificationHubAbi>;
  readonly jobMarket: Contract<typeof jobMarketAbi>;
  readonly jobMarketLens: Contract<typeof jobMarketLensAbi>;
  readonly amax: Contract<typeof amaxAbi>;
  readonly governor: Contract<typeof amaxGovernorAbi>;
  readonly timelock: Contract<typeof protocolTimelockAbi>;
}

/** A client of the chain at `rpcUrl` and that chain's id, or a one-line error when nothing answers there. */
export async function reachChain(rpcUrl: string): Promise<{ client: PublicClient; chainId: number }> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) }) as PublicClient;
  try {
    return { client, chainId: await client.getChainId() };
  } catch {
    throw new Error(`cannot reach the chain at ${rpcUrl}: is its node running and STARMINER_RPC_URL right?`);
  }
}

/** Connects to the chain at `rpcUrl` and reads its deployment manifest; `privateKey` makes its account the signer. */
export async function connectChain(
  rpcUrl: string,
  options: { privateKey?: Hex; manifestDir?: string } = {},
): Promise<ChainClient> {
  const { chainId } = await reachChain(rpcUrl);
  const manifest = await readManifest(chainId, options.manifestDir);
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { retryCount: 1, timeout: 30_000 });
  const account = options.privateKey === undefined ? undefined : privateKeyToAccount(options.privateKey);
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const walletClient = createWalletClient({ chain, transport, ...(account === undefined ? {} : { account }) });
  return { chain, publicClient, walletClient, account, manifest, deployment: parseDeployment(manifest) };
}

/** Binds the manifest's contract `name` to `chain`'s clients, typed with `AbiT`. */
export function bindContract<AbiT extends readonly unknown[]>(chain: ChainClient, name: string): Contract<AbiT> {
  const entry = manifestContract(chain.manifest, name);
  return getContract({
    address: entry.address,
    abi: entry.abi as unknown as AbiT,
    client: { public: chain.publicClient, wallet: chain.walletClient },
  }) as Contract<AbiT>;
}

/** The manifest's contracts a {@link ProtocolClient} binds. */
const PROTOCOL_CONTRACTS = [
  "AGPU",
  "Staking",
  "NodeRegistry",
  "Reputation",
  "PricingEngine",
  "VerificationHub",
  "JobMarket",
  "JobMarketLens",
  "AMAX",
  "AMAXGovernor",
  "ProtocolTimelock",
] as const;

/**
 * Checks that each of the manifest's contracts `names` has code on the chain: a manifest left from a chain that was
 * reset (or written for another chain with the same id) names empty addresses, where every call "succeeds" with
 * nothing and every transaction is sent for nothing.
 */
export async function requireCode(chain: ChainClient, names: readonly string[]): Promise<void> {
  const codes = await Promise.all(
    names.map((name) => chain.publicClient.getCode({ address: manifestContract(chain.manifest, name).address })),
  );
  const empty = names.filter((_, i) => codes[i] === undefined || codes[i] === "0x");
  if (empty.length === 0) return;
  const first = manifestContract(chain.manifest, empty[0]!);
  throw new Error(
    `the deployment manifest of chain ${chain.chain.id} names ${empty.length === names.length ? "contracts" : empty.join(", ")} ` +
      `with no code on this chain (${empty[0]} at ${first.address}): the chain was reset or the manifest is stale; ` +
      "redeploy, or point STARMINER_RPC_URL and STARMINER_MANIFEST_DIR at the right chain",
  );
}

/** Connects to the chain of `config`, reads its deployment manifest and binds the contracts. */
export async function connectProtocol(config: ClientConfig): Promise<ProtocolClient> {
  const connected = await connectChain(config.rpcUrl, {
    ...(config.privateKey === undefined ? {} : { privateKey: config.privateKey }),
    ...(config.manifestDir === undefined ? {} : { manifestDir: config.manifestDir }),
  });
  const bind = <AbiT extends readonly unknown[]>(name: string) => bindContract<AbiT>(connected, name);
  await requireCode(connected, PROTOCOL_CONTRACTS);
  return {
    ...connected,
    agpu: bind<typeof agpuAbi>("AGPU"),
    staking: bind<typeof stakingAbi>("Staking"),
    nodeRegistry: bind<typeof nodeRegistryAbi>("NodeRegistry"),
    reputation: bind<typeof reputationAbi>("Reputation"),
    pricingEngine: bind<typeof pricingEngineAbi>("PricingEngine"),
    verificationHub: bind<typeof verificationHubAbi>("VerificationHub"),
    jobMarket: bind<typeof jobMarketAbi>("JobMarket"),
    jobMarketLens: bind<typeof jobMarketLensAbi>("JobMarketLens"),
    amax: bind<typeof amaxAbi>("AMAX"),
    governor: bind<typeof amaxGovernorAbi>("AMAXGovernor"),
    timelock: bind<typeof protocolTimelockAbi>("ProtocolTimelock"),
  };
}

/** What the tools say when a command that sends transactions has no key. */
export const NO_KEY_MESSAGE =
  "this command sends transactions: set STARMINER_PRIVATE_KEY or privateKey in the config file";

/** The signing account, or a one-line error naming where a key comes from. */
export function requireAccount(protocol: Pick<ChainClient, "account">): Account & { address: Address } {
  if (protocol.account === undefined) throw new Error(NO_KEY_MESSAGE);
  return protocol.account;
}

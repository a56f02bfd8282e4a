/**
 * The StarMiner indexer's Ponder configuration. Addresses, start blocks and ABIs come from the deployment
 * manifest of the indexed chain; the literal ABI types (which type the handlers' event arguments) come from the
 * contracts' build artifacts.
 *
 * Environment (set by `npm run indexer`, which also guards against a restarted chain; see docs/operations.md):
 *   STARMINER_RPC_URL               the chain's JSON-RPC endpoint (default http://127.0.0.1:8545)
 *   STARMINER_CHAIN_ID              its chain id (default 31337)
 *   STARMINER_MANIFEST_DIR          where deployment manifests live (default ignition/manifests)
 *   STARMINER_INDEXER_POLL_MS       how often to poll for new blocks (default 250 on a local chain, else 2 000)
 *   STARMINER_INDEXER_RPC_LANES     request budgets the endpoint is given (default 64 on a local chain, else 1; see
 *                                   rpcLanes below)
 *   STARMINER_INDEXER_PGLITE_DIR    the embedded database's directory (default indexer/.ponder/pglite)
 *   DATABASE_URL                    use this PostgreSQL server instead of the embedded database
 *   STARMINER_INDEXER_POOL_MAX      connections to it per process (default 30; API replicas take 10 each)
 *   STARMINER_REMOTE_RPC_URL        a remote chain StarMiner's bridge reaches: its contracts (from its manifest) are
 *   STARMINER_REMOTE_CHAIN_ID       indexed beside the home chain's, so each transfer shows on both sides
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { createConfig } from "ponder";

import type { AccessManager$Type } from "../artifacts/@openzeppelin/contracts/access/manager/AccessManager.sol/artifacts.js";
import type { CapabilityRegistrar$Type } from "../artifacts/contracts/verification/CapabilityRegistrar.sol/artifacts.js";
import type { JobMarket$Type } from "../artifacts/contracts/market/JobMarket.sol/artifacts.js";
import type { NodeRegistry$Type } from "../artifacts/contracts/registry/NodeRegistry.sol/artifacts.js";
import type { OracleHub$Type } from "../artifacts/contracts/oracle/OracleHub.sol/artifacts.js";
import type { PricingEngine$Type } from "../artifacts/contracts/pricing/PricingEngine.sol/artifacts.js";
import type { Reputation$Type } from "../artifacts/contracts/reputation/Reputation.sol/artifacts.js";
import type { Staking$Type } from "../artifacts/contracts/staking/Staking.sol/artifacts.js";
import type { AGPU$Type } from "../artifacts/contracts/token/AGPU.sol/artifacts.js";
import type { AMAX$Type } from "../artifacts/contracts/token/AMAX.sol/artifacts.js";
import type { BridgedAGPU$Type } from "../artifacts/contracts/token/BridgedAGPU.sol/artifacts.js";
import type { BridgeGateway$Type } from "../artifacts/contracts/bridge/BridgeGateway.sol/artifacts.js";
import type { AMAXGovernor$Type } from "../artifacts/contracts/governance/AMAXGovernor.sol/artifacts.js";
import type { ProtocolTimelock$Type } from "../artifacts/contracts/governance/ProtocolTimelock.sol/artifacts.js";
import type { Treasury$Type } from "../artifacts/contracts/treasury/Treasury.sol/artifacts.js";
import type { VerificationHub$Type } from "../artifacts/contracts/verification/VerificationHub.sol/artifacts.js";
import { type ManifestContract, manifestPath } from "../scripts/lib/manifest.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOCAL_CHAIN_ID = 31337;

const chainId = Number(process.env.STARMINER_CHAIN_ID ?? LOCAL_CHAIN_ID);
if (!Number.isSafeInteger(chainId) || chainId <= 0) {
  throw new Error(`STARMINER_CHAIN_ID must be a positive integer, got "${process.env.STARMINER_CHAIN_ID}"`);
}
const rpc = process.env.STARMINER_RPC_URL ?? "http://127.0.0.1:8545";
const pollingInterval = Number(process.env.STARMINER_INDEXER_POLL_MS ?? (chainId === LOCAL_CHAIN_ID ? 250 : 2_000));

/**
 * How many request budgets Ponder gives the chain's endpoint. Ponder rate-limits each RPC URL on its own: it starts
 * every URL at 20 requests a second and raises the limit by 5% only after a run of successes at the current one, so
 * a backfill, which fetches each block with logs by one request, runs at about 20 blocks a second however fast the
 * node is. Listing the same URL N times gives it N budgets, each still backed off on its own when the endpoint
 * answers 429 (Ponder's 25 requests in flight per chain are unchanged). A local node is limited by its own speed
 * only, so it gets 64; a hosted endpoint keeps one, its provider's limit being real. bench/indexer.ts measures both.
 */
function rpcLanes(value: string | undefined): number {
  if (value === undefined) return chainId === LOCAL_CHAIN_ID ? 64 : 1;
  const lanes = Number(value);
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 128) {
    throw new Error(`STARMINER_INDEXER_RPC_LANES must be an integer of 1-128, got "${value}"`);
  }
  return lanes;
}
const lanes = rpcLanes(process.env.STARMINER_INDEXER_RPC_LANES);
const rpcEndpoints = (url: string): string | string[] => (lanes === 1 ? url : Array<string>(lanes).fill(url));

const manifestDir = process.env.STARMINER_MANIFEST_DIR ?? join(ROOT, "ignition", "manifests");

interface Manifest {
  chainId: number;
  contracts: Record<string, ManifestContract>;
}

function readManifestOf(id: number): Manifest {
  const file = manifestPath(id, manifestDir);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch (error) {
    throw new Error(`cannot read the deployment manifest ${file}: ${(error as Error).message}`);
  }
}

const manifest = readManifestOf(chainId);

// A remote chain the bridge reaches, when one is configured.
const remoteRpc = process.env.STARMINER_REMOTE_RPC_URL;
const remoteChainId = remoteRpc === undefined ? undefined : Number(process.env.STARMINER_REMOTE_CHAIN_ID);
if (remoteChainId !== undefined && (!Number.isSafeInteger(remoteChainId) || remoteChainId <= 0)) {
  throw new Error("STARMINER_REMOTE_CHAIN_ID must be a positive integer when STARMINER_REMOTE_RPC_URL is set");
}
if (remoteChainId === chainId) throw new Error(`the remote chain must differ from the home chain ${chainId}`);
const remoteManifest = remoteChainId === undefined ? undefined : readManifestOf(remoteChainId);

/** The chains the indexer follows: `remote` only when configured (typed always, so handlers may name it). */
type ChainName = "starminer" | "remote";
const chains = {
  starminer: { id: chainId, rpc: rpcEndpoints(rpc), pollingInterval },
  ...(remoteChainId === undefined
    ? {}
    : {
        remote: {
          id: remoteChainId,
          rpc: rpcEndpoints(remoteRpc!),
          pollingInterval: Number(process.env.STARMINER_INDEXER_POLL_MS ?? 250),
        },
      }),
} as Record<ChainName, { id: number; rpc: string | string[]; pollingInterval: number }>;

/** Where `name` is deployed on each followed chain (typed as if on both, like `chains`). */
function deployments(name: string) {
  const placed: Partial<Record<ChainName, { address: `0x${string}`; startBlock: number }>> = {};
  for (const [chain, source] of [
    ["starminer", manifest],
    ["remote", remoteManifest],
  ] as const) {
    const entry = source?.contracts[name];
    if (entry !== undefined) placed[chain] = { address: entry.address, startBlock: entry.startBlock };
  }
  if (Object.keys(placed).length === 0) throw new Error(`no followed chain's deployment manifest has ${name}`);
  return placed as Record<ChainName, { address: `0x${string}`; startBlock: number }>;
}

/** The contract `name` on every followed chain it is deployed on, with its ABI typed as the artifact's. */
function contract<AbiT>(name: string) {
  const entry = manifest.contracts[name] ?? remoteManifest?.contracts[name];
  if (entry === undefined) throw new Error(`no followed chain's deployment manifest has ${name}`);
  return { chain: deployments(name), abi: entry.abi as AbiT } as const;
}

const contracts = {
  AccessManager: contract<AccessManager$Type["abi"]>("AccessManager"),
  AGPU: contract<AGPU$Type["abi"]>("AGPU"),
  AMAX: contract<AMAX$Type["abi"]>("AMAX"),
  Treasury: contract<Treasury$Type["abi"]>("Treasury"),
  Staking: contract<Staking$Type["abi"]>("Staking"),
  NodeRegistry: contract<NodeRegistry$Type["abi"]>("NodeRegistry"),
  Reputation: contract<Reputation$Type["abi"]>("Reputation"),
  OracleHub: contract<OracleHub$Type["abi"]>("OracleHub"),
  PricingEngine: contract<PricingEngine$Type["abi"]>("PricingEngine"),
  CapabilityRegistrar: contract<CapabilityRegistrar$Type["abi"]>("CapabilityRegistrar"),
  VerificationHub: contract<VerificationHub$Type["abi"]>("VerificationHub"),
  JobMarket: contract<JobMarket$Type["abi"]>("JobMarket"),
  AMAXGovernor: contract<AMAXGovernor$Type["abi"]>("AMAXGovernor"),
  ProtocolTimelock: contract<ProtocolTimelock$Type["abi"]>("ProtocolTimelock"),
  BridgeGateway: contract<BridgeGateway$Type["abi"]>("BridgeGateway"),
  // Only on a remote chain: typed always, so that the handlers' event names do not depend on the configuration.
  ...((remoteManifest === undefined ? {} : { BridgedAGPU: contract<BridgedAGPU$Type["abi"]>("BridgedAGPU") }) as {
    BridgedAGPU: ReturnType<typeof contract<BridgedAGPU$Type["abi"]>>;
  }),
};

// The audit trail holds every protocol event: a deployed contract that emits events must be indexed.
for (const source of [manifest, remoteManifest]) {
  for (const entry of Object.values(source?.contracts ?? {})) {
    const emits = (entry.abi as readonly { type: string }[]).some((item) => item.type === "event");
    if (emits && !(entry.name in contracts)) {
      throw new Error(`${entry.name} emits events but is not indexed: add it to indexer/ponder.config.ts`);
    }
  }
}

/** The home chain's id: handlers tell its events from a remote chain's by it. */
export const HOME_CHAIN_ID = chainId;

/** The address of contract `name` on the home chain. */
export function homeAddress(name: keyof typeof contracts): `0x${string}` | undefined {
  return manifest.contracts[name]?.address;
}

/** Where the protocol is on a followed chain: each contract's address and first block (`/api/deployment`). */
function addressesOf(source: Manifest) {
  return {
    chainId: source.chainId,
    contracts: Object.fromEntries(
      Object.values(source.contracts).map(({ name, address, startBlock }) => [name, { address, startBlock }]),
    ),
  };
}

/** The home chain's deployment and, when the bridge's remote chain is followed, the remote one. */
export const DEPLOYMENTS = {
  home: addressesOf(manifest),
  remote: remoteManifest === undefined ? null : addressesOf(remoteManifest),
};

/** Connections each indexer or API replica opens to PostgreSQL (Ponder's default is 30). */
function poolSize(value: string | undefined): number {
  if (value === undefined) return 30;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 3 || size > 1_000) {
    throw new Error(`STARMINER_INDEXER_POOL_MAX must be an integer of 3-1000, got "${value}"`);
  }
  return size;
}

export default createConfig({
  database:
    process.env.DATABASE_URL === undefined
      ? {
          kind: "pglite",
          directory: process.env.STARMINER_INDEXER_PGLITE_DIR ?? join(ROOT, "indexer", ".ponder", "pglite"),
        }
      : {
          kind: "postgres",
          connectionString: process.env.DATABASE_URL,
          poolConfig: { max: poolSize(process.env.STARMINER_INDEXER_POOL_MAX) },
        },
  chains,
  contracts,
});

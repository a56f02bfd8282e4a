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
 *   STARMINER_INDEXER_PGLITE_DIR    the embedded database's directory (default indexer/.ponder/pglite)
 *   DATABASE_URL                    use this PostgreSQL server instead of the embedded database
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

const manifestFile = manifestPath(chainId, process.env.STARMINER_MANIFEST_DIR ?? join(ROOT, "ignition", "manifests"));
let manifest: { chainId: number; contracts: Record<string, ManifestContract> };
try {
  manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
} catch (error) {
  throw new Error(`cannot read the deployment manifest ${manifestFile}: ${(error as Error).message}`);
}

/** The manifest's entry for `name`, with its ABI typed as the artifact's. */
function contract<AbiT>(name: string) {
  const entry = manifest.contracts[name];
  if (entry === undefined) throw new Error(`the deployment manifest ${manifestFile} has no ${name}`);
  return { chain: "starminer", address: entry.address, startBlock: entry.startBlock, abi: entry.abi as AbiT } as const;
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
};

// The audit trail holds every protocol event: a deployed contract that emits events must be indexed.
for (const entry of Object.values(manifest.contracts)) {
  const emits = (entry.abi as readonly { type: string }[]).some((item) => item.type === "event");
  if (emits && !(entry.name in contracts)) {
    throw new Error(`${entry.name} emits events but is not indexed: add it to indexer/ponder.config.ts`);
  }
}

export default createConfig({
  database:
    process.env.DATABASE_URL === undefined
      ? {
          kind: "pglite",
          directory: process.env.STARMINER_INDEXER_PGLITE_DIR ?? join(ROOT, "indexer", ".ponder", "pglite"),
        }
      : { kind: "postgres", connectionString: process.env.DATABASE_URL },
  chains: { starminer: { id: chainId, rpc, pollingInterval } },
  contracts,
});

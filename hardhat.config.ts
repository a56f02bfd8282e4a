import { createRequire } from "node:module";
import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// StarMiner compiles offline: solc comes from the npm `solc` package (its wasm build), never from a download.
const require = createRequire(import.meta.url);
const SOLC_VERSION = "0.8.28";
const solcPath = require.resolve("solc/soljson.js");
// The job market and the verification hub sit close to EIP-170's size limit: they are compiled through the IR
// pipeline, which fits them (and costs less gas per job than the legacy pipeline), and so are their linked libraries
// (the hub's court, the market's settlement and its batched claims).
// Every build also emits each contract's storage layout, which OpenZeppelin's upgrade validator reads
// (`npm run upgrades:check`).
const STORAGE_LAYOUT = { "*": { "*": ["storageLayout"] } };
const VIA_IR = {
  evmVersion: "cancun",
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  outputSelection: STORAGE_LAYOUT,
} as const;
const OPTIMIZED = { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 }, outputSelection: STORAGE_LAYOUT };
const VIA_IR_FILES = [
  "contracts/market/JobMarket.sol",
  "contracts/market/Settlement.sol",
  "contracts/market/Claims.sol",
  "contracts/verification/VerificationHub.sol",
  "contracts/verification/DisputeCourt.sol",
  "test/market/JobMarket.invariant.t.sol",
];

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  solidity: {
    profiles: {
      // Fast edit-compile-test loop. Contracts whose unoptimized bytecode would exceed EIP-170's 24 576 bytes are
      // optimized here too, so that every test deploys under the same size limit as mainnet (and so are the
      // Solidity tests that deploy them).
      default: {
        compilers: [
          {
            version: SOLC_VERSION,
            path: solcPath,
            settings: { evmVersion: "cancun", optimizer: { enabled: false }, outputSelection: STORAGE_LAYOUT },
          },
        ],
        overrides: Object.fromEntries([
          ...["contracts/governance/AMAXGovernor.sol", "contracts/registry/NodeRegistry.sol"].map((file) => [
            file,
            { version: SOLC_VERSION, path: solcPath, settings: OPTIMIZED },
          ]),
          ...VIA_IR_FILES.map((file) => [file, { version: SOLC_VERSION, path: solcPath, settings: VIA_IR }]),
        ]),
      },
      // What gets deployed and what the gas benchmarks measure.
      production: {
        compilers: [{ version: SOLC_VERSION, path: solcPath, settings: OPTIMIZED }],
        overrides: Object.fromEntries(
          VIA_IR_FILES.map((file) => [file, { version: SOLC_VERSION, path: solcPath, settings: VIA_IR }]),
        ),
      },
    },
    // Third-party contracts the deployment modules deploy by artifact name.
    npmFilesToBuild: [
      "@openzeppelin/contracts/access/manager/AccessManager.sol",
      "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
    ],
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    // A `hardhat node` (or any dev chain) on this machine; STARMINER_LOCAL_RPC_URL moves it off port 8545.
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.STARMINER_LOCAL_RPC_URL ?? "http://127.0.0.1:8545",
    },
    // Any other chain: STARMINER_RPC_URL and STARMINER_DEPLOYER_KEY come from the environment or the keystore.
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("STARMINER_RPC_URL"),
      accounts: [configVariable("STARMINER_DEPLOYER_KEY")],
    },
  },
});

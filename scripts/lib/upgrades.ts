import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

import {
  type ProjectReport,
  type StorageLayout,
  getContractVersion,
  getStorageLayout,
  getStorageUpgradeReport,
  withValidationDefaults,
} from "@openzeppelin/upgrades-core";
import { getBuildInfoFiles } from "@openzeppelin/upgrades-core/dist/cli/validate/build-info-file.js";
import { getContractReports } from "@openzeppelin/upgrades-core/dist/cli/validate/contract-report.js";
import { getProjectReport } from "@openzeppelin/upgrades-core/dist/cli/validate/project-report.js";
import {
  findSpecifiedContracts,
  withCliDefaults,
} from "@openzeppelin/upgrades-core/dist/cli/validate/validate-upgrade-safety.js";
import {
  type SourceContract,
  validateBuildInfoContracts,
} from "@openzeppelin/upgrades-core/dist/cli/validate/validations.js";

import { writeFileAtomically } from "./files.js";
import { PROJECT_ROOT } from "./project-root.js";

/** Every contract StarMiner deploys behind a UUPS proxy. */
export const UPGRADEABLE_CONTRACTS = [
  "Treasury",
  "Staking",
  "NodeRegistry",
  "Reputation",
  "OracleHub",
  "PricingEngine",
  "CapabilityRegistrar",
  "JobMarket",
  "VerificationHub",
  "BridgeGateway",
] as const;
export type UpgradeableContract = (typeof UPGRADEABLE_CONTRACTS)[number];

/**
 * A next Treasury version that is unsafe on purpose (two fields of its namespace swapped): the project's check
 * leaves it out, and a test shows the validator refusing it.
 */
export const UNSAFE_UPGRADE_EXAMPLE = "contracts/mocks/TreasuryV2ReorderedMock.sol";

/** Where the storage layouts of the implementations last deployed are recorded (`npm run upgrades:record`). */
export const DEPLOYED_LAYOUTS_PATH = join(PROJECT_ROOT, "ignition", "layouts", "deployed.json");

/** A build-info directory holding only builds of the sources as they are now, and how to let it go. */
export interface CurrentBuildInfo {
  readonly dir: string;
  /** Project sources left out because a build-info file holds an older version of them (or of what they import). */
  readonly stale: readonly string[];
  dispose(): Promise<void>;
}

interface BuildInfo {
  input: { sources: Record<string, { content: string }> };
}
interface BuildOutput {
  output: {
    sources?: Record<string, { ast?: { nodes?: { nodeType: string; absolutePath?: string }[] } }>;
    contracts?: Record<string, unknown>;
  };
}

/**
 * Hardhat builds incrementally and merges compilation jobs: a build-info file can keep an older version of a
 * source that has changed since, compiled together with contracts that did not need rebuilding. The validator
 * would judge those old sources. This writes, in a temporary directory, a copy of each build-info file without the
 * sources that differ from the disk and without every source that imports one of them (directly or not), so that
 * what remains is exactly the current build.
 */
export async function currentBuildInfo(
  buildInfoDir = join(PROJECT_ROOT, "artifacts", "build-info"),
): Promise<CurrentBuildInfo> {
  const dir = await mkdtemp(join(tmpdir(), "starminer-build-info-"));
  const stale = new Set<string>();
  const onDisk = new Map<string, string>();
  const diskDigest = async (sourceName: string) => {
    if (!onDisk.has(sourceName)) {
      const text = await readFile(join(PROJECT_ROOT, sourceName.replace(/^project\//, "")), "utf8").catch(() => "");
      onDisk.set(sourceName, sha256(text));
    }
    return onDisk.get(sourceName)!;
  };
  for (const name of await readdir(buildInfoDir)) {
    if (!name.endsWith(".json") || name.endsWith(".output.json")) continue;
    const outputName = name.replace(/\.json$/, ".output.json");
    const build = JSON.parse(await readFile(join(buildInfoDir, name), "utf8")) as BuildInfo;
    const left = new Set<string>();
    for (const [sourceName, { content }] of Object.entries(build.input.sources)) {
      if (sourceName.startsWith("project/") && (await diskDigest(sourceName)) !== sha256(content)) left.add(sourceName);
    }
    if (left.size === 0) {
      await symlink(join(buildInfoDir, name), join(dir, name));
      await symlink(join(buildInfoDir, outputName), join(dir, outputName));
      continue;
    }
    const built = JSON.parse(await readFile(join(buildInfoDir, outputName), "utf8")) as BuildOutput;
    const sources = built.output.sources ?? {};
    const imports = (sourceName: string) =>
      (sources[sourceName]?.ast?.nodes ?? [])
        .filter((n) => n.nodeType === "ImportDirective")
        .map((n) => n.absolutePath);
    for (let grew = true; grew;) {
      grew = false;
      for (const sourceName of Object.keys(build.input.sources)) {
        if (!left.has(sourceName) && imports(sourceName).some((path) => path !== undefined && left.has(path))) {
          left.add(sourceName);
          grew = true;
        }
      }
    }
    for (const sourceName of left) {
      delete build.input.sources[sourceName];
      delete sources[sourceName];
      delete built.output.contracts?.[sourceName];
      stale.add(sourceName);
    }
    await writeFile(join(dir, name), JSON.stringify(build));
    await writeFile(join(dir, outputName), JSON.stringify(built));
  }
  return { dir, stale: [...stale], dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The contracts of every build-info file in `buildInfoDir`, each once. Hardhat compiles a source in every
 * compilation job that imports it (the default, optimised and IR jobs), and the validator would find a reference
 * such as `@custom:oz-upgrades-from Treasury` several times; once stale builds are left out (`currentBuildInfo`)
 * the copies are of the same source.
 */
async function sourceContracts(buildInfoDir: string): Promise<SourceContract[]> {
  const seen = new Set<string>();
  return validateBuildInfoContracts(await getBuildInfoFiles(buildInfoDir)).filter((contract) => {
    const key = contract.fullyQualifiedName.replace(/^project\//, "");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Runs OpenZeppelin's upgrade-safety validation over a build-info directory, as its `validate` command does:
 * every upgradeable contract alone (constructors, initializers, selfdestruct, delegatecall, linked libraries) and
 * every contract annotated `@custom:oz-upgrades-from` against the layout of the version it upgrades. `contract`
 * narrows it to one contract; `exclude` leaves out sources matching a glob.
 */
export async function validateUpgrades(
  buildInfoDir: string,
  options: { contract?: string; exclude?: readonly string[] } = {},
): Promise<ProjectReport> {
  const contracts = await sourceContracts(buildInfoDir);
  const dictionary = { "": contracts, [basename(buildInfoDir)]: contracts };
  const validation = withCliDefaults({});
  const specified =
    options.contract === undefined ? undefined : findSpecifiedContracts(dictionary, validation, options.contract);
  const reports = getContractReports(dictionary, validation, specified, [...(options.exclude ?? [])]);
  return getProjectReport(reports, specified !== undefined);
}

/** The storage layout of each upgradeable StarMiner contract in `buildInfoDir`, or of the contracts named. */
export async function storageLayouts<NameT extends string = UpgradeableContract>(
  buildInfoDir: string,
  names: readonly NameT[] = UPGRADEABLE_CONTRACTS as unknown as readonly NameT[],
): Promise<Record<NameT, StorageLayout>> {
  const contracts = await sourceContracts(buildInfoDir);
  const layouts: Partial<Record<NameT, StorageLayout>> = {};
  for (const name of names) {
    const source = contracts.find((c) => c.name === name && c.fullyQualifiedName.includes("contracts/"));
    if (source === undefined) {
      throw new Error(`${name} is not in ${buildInfoDir}: build the contracts first (npx hardhat build)`);
    }
    const version = getContractVersion(source.validationData, source.fullyQualifiedName);
    layouts[name] = getStorageLayout(source.validationData, version);
  }
  return layouts as Record<NameT, StorageLayout>;
}

/** How one contract's layout now compares with the layout of the implementation last deployed. */
export interface LayoutComparison {
  readonly contract: string;
  readonly ok: boolean;
  /** The validator's explanation of each unsafe change; empty when `ok`. */
  readonly explanation: string;
}

/**
 * Compares each contract's current layout with the one recorded for its last deployed implementation, with the
 * same rules the validator applies to an upgrade (fields only appended, namespaces kept, types unchanged). A
 * contract with no recorded layout is reported: it was never deployed, or the record is missing.
 */
export function compareLayouts(
  deployed: Partial<Record<string, StorageLayout>>,
  current: Partial<Record<string, StorageLayout>>,
): LayoutComparison[] {
  const options = withValidationDefaults({});
  return Object.entries(current).map(([contract, layout]) => {
    const recorded = deployed[contract];
    if (recorded === undefined) {
      return { contract, ok: false, explanation: `no deployed layout of ${contract} is recorded` };
    }
    const report = getStorageUpgradeReport(recorded, layout!, options);
    return { contract, ok: report.ok, explanation: report.ok ? "" : report.explain(false) };
  });
}

export async function readDeployedLayouts(path = DEPLOYED_LAYOUTS_PATH): Promise<Record<string, StorageLayout>> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as Record<string, StorageLayout>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`no deployed storage layouts at ${path}: record them with npm run upgrades:record`);
    }
    throw error;
  }
}

export async function writeDeployedLayouts(layouts: Record<string, StorageLayout>, path = DEPLOYED_LAYOUTS_PATH) {
  await writeFileAtomically(path, `${JSON.stringify(layouts, null, 2)}\n`);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

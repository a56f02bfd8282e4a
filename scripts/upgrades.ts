/**
 * Checks that every upgradeable contract can be upgraded safely, with OpenZeppelin's upgrade validator.
 *
 *   npm run upgrades:check    validate the build; compare each layout with the last deployed implementation's
 *   npm run upgrades:record   record the current layouts as deployed (after deploying a new implementation)
 *
 * `check` fails (exit 1) when the validator finds an unsafe contract (a constructor that sets state, a missing
 * initializer, selfdestruct or delegatecall, a namespace redeclared) or an unsafe layout change (a field removed,
 * reordered or retyped) against either the version a contract names with `@custom:oz-upgrades-from` or the layout
 * recorded in ignition/layouts/deployed.json. Both commands build the contracts first (see package.json).
 */
import { relative } from "node:path";

import {
  DEPLOYED_LAYOUTS_PATH,
  UNSAFE_UPGRADE_EXAMPLE,
  UPGRADEABLE_CONTRACTS,
  compareLayouts,
  currentBuildInfo,
  readDeployedLayouts,
  storageLayouts,
  validateUpgrades,
  writeDeployedLayouts,
} from "./lib/upgrades.js";

const USAGE = "usage: upgrades.ts check|record";

async function main(command: string | undefined): Promise<number> {
  if (command !== "check" && command !== "record") {
    console.error(USAGE);
    return 2;
  }
  const build = await currentBuildInfo();
  try {
    if (build.stale.length > 0) {
      console.log(`left out ${build.stale.length} older build(s) of sources changed since (incremental builds)`);
    }
    const layouts = await storageLayouts(build.dir);
    if (command === "record") {
      await writeDeployedLayouts(layouts);
      console.log(
        `recorded ${Object.keys(layouts).length} layouts in ${relative(process.cwd(), DEPLOYED_LAYOUTS_PATH)}`,
      );
      return 0;
    }

    const report = await validateUpgrades(build.dir, { exclude: [`**/${UNSAFE_UPGRADE_EXAMPLE}`] });
    const validated = new Set(report.upgradeableContractReports.map((r) => r.contract.split(":").pop()));
    const unvalidated = UPGRADEABLE_CONTRACTS.filter((name) => !validated.has(name));
    if (!report.ok) console.error(report.explain(false));
    if (unvalidated.length > 0) console.error(`not recognised as upgradeable: ${unvalidated.join(", ")}`);

    const comparisons = compareLayouts(await readDeployedLayouts(), layouts);
    for (const c of comparisons.filter((c) => !c.ok)) {
      console.error(`${c.contract}: unsafe against the deployed implementation\n${c.explanation}`);
    }
    const failures = comparisons.filter((c) => !c.ok).length + unvalidated.length + (report.ok ? 0 : 1);
    if (failures > 0) {
      console.error("upgrades: not safe");
      return 1;
    }
    console.log(
      `upgrades: ${report.numPassed} upgradeable contracts pass OpenZeppelin's validator; ` +
        `${comparisons.length} layouts are compatible with the deployed implementations`,
    );
    return 0;
  } finally {
    await build.dispose();
  }
}

try {
  process.exitCode = await main(process.argv[2]);
} catch (error) {
  console.error(`upgrades: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}

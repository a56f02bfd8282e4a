import { expect } from "chai";

import {
  type CurrentBuildInfo,
  UNSAFE_UPGRADE_EXAMPLE,
  UPGRADEABLE_CONTRACTS,
  compareLayouts,
  currentBuildInfo,
  readDeployedLayouts,
  storageLayouts,
  validateUpgrades,
} from "../../scripts/lib/upgrades.js";

describe("Upgrade safety, checked by OpenZeppelin's upgrade validator", function () {
  this.timeout(120_000);
  let build: CurrentBuildInfo;

  before(async () => {
    build = await currentBuildInfo();
  });
  after(() => build.dispose());

  it("passes every upgradeable contract, and the next Treasury version that appends a field", async () => {
    const report = await validateUpgrades(build.dir, { exclude: [`**/${UNSAFE_UPGRADE_EXAMPLE}`] });
    expect(report.ok, report.explain(false)).to.equal(true);
    const validated = report.upgradeableContractReports.map((r) => r.contract.split(":").pop());
    expect(validated).to.include.members([...UPGRADEABLE_CONTRACTS, "TreasuryV2Mock"]);
    const v2 = report.upgradeableContractReports.find((r) => r.contract.endsWith(":TreasuryV2Mock"));
    expect(v2?.reference).to.match(/treasury\/Treasury\.sol:Treasury$/);
  });

  it("refuses a next version that swaps two fields of a namespace", async () => {
    const report = await validateUpgrades(build.dir, { contract: "TreasuryV2ReorderedMock" });
    expect(report.ok).to.equal(false);
    const explanation = report.explain(false);
    expect(explanation).to.include("Deleted `totalReceived`");
    expect(explanation).to.include("Inserted `totalReceived`");
  });

  it("finds every layout compatible with the implementation last deployed", async () => {
    const comparisons = compareLayouts(await readDeployedLayouts(), await storageLayouts(build.dir));
    expect(comparisons.map((c) => c.contract)).to.have.members([...UPGRADEABLE_CONTRACTS]);
    for (const c of comparisons) expect(c.ok, `${c.contract}: ${c.explanation}`).to.equal(true);
  });

  it("catches the swapped fields against the deployed Treasury's recorded layout, and accepts the appended one", async () => {
    const deployed = await readDeployedLayouts();
    const next = await storageLayouts(build.dir, ["TreasuryV2ReorderedMock", "TreasuryV2Mock"]);
    const [swapped] = compareLayouts(deployed, { Treasury: next.TreasuryV2ReorderedMock });
    expect(swapped!.ok).to.equal(false);
    expect(swapped!.explanation).to.include("totalReceived");
    const [appended] = compareLayouts(deployed, { Treasury: next.TreasuryV2Mock });
    expect(appended!.ok, appended!.explanation).to.equal(true);
  });

  it("reports a contract whose deployed layout was never recorded", async () => {
    const { Treasury } = await storageLayouts(build.dir, ["Treasury"]);
    expect(compareLayouts({}, { Treasury })).to.deep.equal([
      { contract: "Treasury", ok: false, explanation: "no deployed layout of Treasury is recorded" },
    ]);
  });
});

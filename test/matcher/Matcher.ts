import { expect } from "chai";
import type { Hex } from "viem";
import { RUNTIME_BITS, zoneId } from "@starminer/sdk";

import { type Candidate, type JobRequirements, WEIGHTS, marketView, rankProviders } from "../../scripts/lib/matcher.js";

const EU_WEST = zoneId("eu-west");
const EU_CENTRAL = zoneId("eu-central");
const US_EAST = zoneId("us-east");
const AGPU = 10n ** 18n;

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Hex;

/** A capable, reputable, idle H100 provider in eu-west; any field overridden. */
function provider(n: number, overrides: Partial<Candidate> = {}): Candidate {
  return {
    address: address(n),
    active: true,
    zone: EU_WEST,
    vramMiB: 81_920,
    computeCapability: 90,
    tflopsCenti: 6_700,
    attested: false,
    capabilityVerified: false,
    runtimes: RUNTIME_BITS["dense-layer"] | RUNTIME_BITS.onnx,
    composite: 7_000,
    staked: 10_000n * AGPU,
    locked: 0n,
    slotsClaimed: 10,
    slotsDelivered: 10,
    slotsMissed: 0,
    slashCount: 0,
    ...overrides,
  };
}

const job: JobRequirements = {
  zone: EU_WEST,
  spilloverAllowed: false,
  minVramMiB: 40_960,
  minComputeCapability: 80,
  teeRequired: false,
  provenHardware: false,
  reputationFloor: 5_000,
};
const market = marketView(
  [
    [EU_WEST, 2n * AGPU],
    [EU_CENTRAL, AGPU],
    [US_EAST, 3n * AGPU],
  ],
  [[EU_WEST, EU_CENTRAL, 1_000]],
);
/**
 * Fractional numbers compared with a tolerance. (Hardhat's chai matchers take over `closeTo` and `within` for
 * integers and big integers, and refuse fractions.)
 */
const nearly = (a: number, b: number) => Math.abs(a - b) < 1e-12;

const ranked = (candidates: Candidate[], requirements = job, top = 3) =>
  rankProviders(requirements, candidates, market, top).ranked.map((entry) => entry.address);

describe("Matcher", () => {
  it("weighs its factors to a total of one", () => {
    expect(
      nearly(
        Object.values(WEIGHTS).reduce((sum, weight) => sum + weight, 0),
        1,
      ),
    ).to.equal(true);
  });

  it("returns the top three, best first, each score the weighted sum of factors in [0, 1]", () => {
    const candidates = [1, 2, 3, 4, 5].map((n) => provider(n, { composite: 5_000 + n * 500 }));
    const { ranked: top } = rankProviders(job, candidates, market);
    expect(top.map((entry) => entry.address)).to.deep.equal([address(5), address(4), address(3)]);
    for (const entry of top) {
      const factors = Object.entries(entry.factors) as [keyof typeof WEIGHTS, number][];
      expect(
        factors.every(([, value]) => value >= 0 && value <= 1),
        JSON.stringify(entry.factors),
      ).to.equal(true);
      const weighted = factors.reduce((sum, [factor, value]) => sum + WEIGHTS[factor] * value, 0);
      expect(nearly(entry.score, weighted), `${entry.score} against ${weighted}`).to.equal(true);
    }
  });

  it("leaves out, and counts, providers that cannot take the job", () => {
    const candidates = [
      provider(1, { active: false }),
      provider(2, { zone: US_EAST }),
      provider(3, { vramMiB: 24_576 }),
      provider(4, { computeCapability: 75 }),
      provider(5, { composite: 4_999 }),
      provider(6, { composite: null }),
      provider(7),
    ];
    const { ranked: top, excluded } = rankProviders(job, candidates, market);
    expect(top.map((entry) => entry.address)).to.deep.equal([address(7)]);
    expect(excluded).to.deep.equal({
      inactive: 1,
      "wrong zone": 1,
      "too little VRAM": 1,
      "compute capability too low": 1,
      "reputation below floor": 2,
    });
    const strict = { ...job, teeRequired: true, provenHardware: true };
    expect(ranked([provider(1, { attested: true }), provider(2, { capabilityVerified: true })], strict)).to.deep.equal(
      [],
    );
    expect(ranked([provider(3, { attested: true, capabilityVerified: true })], strict)).to.deep.equal([address(3)]);
  });

  it("ranks for a manifest job only the providers that advertise its runtime", () => {
    const wasm = { ...job, runtime: RUNTIME_BITS.wasm };
    const candidates = [
      provider(1),
      provider(2, { runtimes: 0 }),
      provider(3, { runtimes: RUNTIME_BITS.wasm }),
      provider(4, { runtimes: RUNTIME_BITS.onnx | RUNTIME_BITS.wasm }),
    ];
    const { ranked: top, excluded } = rankProviders(wasm, candidates, market);
    expect(top.map((entry) => entry.address)).to.have.members([address(3), address(4)]);
    expect(excluded).to.deep.equal({ "runtime not served": 2 });
    // A job that names no runtime (a dense-layer spec) is open to every provider, advertised or not.
    expect(ranked(candidates, job, 10)).to.have.length(4);
  });

  it("prefers, all else equal, the better history, the idler provider, the closer fit and the faster GPU", () => {
    expect(ranked([provider(1, { slotsDelivered: 5 }), provider(2)])[0]).to.equal(address(2));
    expect(ranked([provider(1), provider(2, { slashCount: 1 })])[0]).to.equal(address(1));
    expect(ranked([provider(1, { locked: 5_000n * AGPU }), provider(2)])[0]).to.equal(address(2));
    expect(ranked([provider(1, { vramMiB: 163_840 }), provider(2)])[0]).to.equal(address(2));
    expect(ranked([provider(1), provider(2, { tflopsCenti: 9_890 })])[0]).to.equal(address(2));
  });

  it("serves from a cheaper neighbour only when spillover is allowed, weighing its price against the distance", () => {
    const home = provider(1);
    const neighbour = provider(2, { zone: EU_CENTRAL });
    expect(ranked([home, neighbour])).to.deep.equal([address(1)]);
    const spill = rankProviders({ ...job, spilloverAllowed: true }, [home, neighbour], market).ranked;
    const [first, second] = spill;
    expect(first!.address).to.equal(address(2));
    expect(first!.factors).to.include({ price: 1, distance: 0.9 });
    expect(second!.factors).to.include({ price: 0.5, distance: 1 });
    // A zone that does not neighbour the job's stays out even with spillover.
    expect(ranked([provider(3, { zone: US_EAST })], { ...job, spilloverAllowed: true })).to.deep.equal([]);
  });

  it("breaks ties by address, so the same data always gives the same ranking", () => {
    const candidates = [4, 2, 9, 1].map((n) => provider(n));
    expect(ranked(candidates, job, 4)).to.deep.equal([address(1), address(2), address(4), address(9)]);
    expect(ranked([...candidates].reverse(), job, 4)).to.deep.equal([address(1), address(2), address(4), address(9)]);
  });
});

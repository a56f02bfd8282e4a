import { keccak256, toUtf8Bytes } from "ethers";

import { AGPU } from "./market.js";
import type { Protocol } from "./protocol.js";

/** What the treasury holds in `treasuryWithFeesFixture`: 1 000 AGPU. */
export const TREASURY_FEES = 1_000n * AGPU;

/** The reason the fixture's fee is received under. */
export const SETTLEMENT_FEE = keccak256(toUtf8Bytes("job.settlement"));

/**
 * A fixture for `loadFixture`: the deployed protocol, its treasury holding 1 000 AGPU of fees paid by the deployer.
 * Call it once per test file so that the fixture keeps its identity.
 */
export function treasuryWithFeesFixture(deployed: () => Promise<Protocol>) {
  return async function withFees() {
    const protocol = await deployed();
    const { agpu, treasury, accounts } = protocol;
    await agpu.connect(accounts.deployer).approve(await treasury.getAddress(), TREASURY_FEES);
    await treasury.connect(accounts.deployer).receiveFee(agpu, TREASURY_FEES, SETTLEMENT_FEE);
    return protocol;
  };
}

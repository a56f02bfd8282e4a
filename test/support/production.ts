import type { Address } from "viem";

import { deployProtocol } from "../../scripts/deploy/protocol.js";
import type { Connection } from "./protocol.js";

/** Who a production deployment in a test hands things to. */
export interface ProductionRecipients {
  readonly guardian: Address;
  /** Three AMAX holders, none able to meet the 4% quorum (4 000 000 AMAX) alone; the first two together can. */
  readonly voters: readonly [Address, Address, Address];
  /** Receives the one vested allocation. */
  readonly beneficiary: Address;
  readonly bridgeValidators: readonly Address[];
}

/** When the test distribution's vesting starts, and its cliff and duration. */
export const TEST_VESTING = { start: 1_900_000_000, cliffSeconds: 365 * 86_400, durationSeconds: 4 * 365 * 86_400 };

/**
 * Parameters a production deployment accepts, as a deployer would write them in STARMINER_DEPLOY_PARAMETERS
 * (JSON-ready): a guardian, the bridge's validators, the development ZK keys (a rehearsal) and a genesis distribution of all 100 000 000 AMAX and
 * 400 000 000 AGPU — 3 900 000, 3 000 000 and 1 000 000 AMAX to the voters, 500 000 AMAX and 1 000 000 AGPU vested
 * to the beneficiary, 2 000 000 AGPU to the first voter, the rest to the Treasury.
 */
export function productionParameters(recipients: ProductionRecipients) {
  const [alice, bob, carol] = recipients.voters;
  return {
    Authority: { guardian: recipients.guardian },
    // Tests run on Hardhat's development chain, with the development ZK keys.
    Ceremony: { developmentKeys: true },
    Bridge: {
      validators: [...recipients.bridgeValidators],
      threshold: Math.floor(recipients.bridgeValidators.length / 2) + 1,
    },
    Distribution: {
      treasury: { AMAX: "91600000", AGPU: "397000000" },
      vesting: [
        { label: "core_1", beneficiary: recipients.beneficiary, AMAX: "500000", AGPU: "1000000", ...TEST_VESTING },
      ],
      community: [
        { label: "voter_alice", account: alice, AMAX: "3900000", AGPU: "2000000" },
        { label: "voter_bob", account: bob, AMAX: "3000000" },
        { label: "voter_carol", account: carol, AMAX: "1000000" },
      ],
    },
  };
}

/**
 * The protocol deployed as production leaves it, handed over to governance, on `connection`: signers 1-7 are the
 * guardian, three voters (Alice, Bob, Carol), a stranger, the vested beneficiary and the bridge's validator.
 */
export async function deployHandedOver(connection: Connection) {
  const [deployer, guardian, alice, bob, carol, stranger, beneficiary, validator] =
    await connection.ethers.getSigners();
  const { manifest } = await deployProtocol(connection, {
    manifestDir: null,
    handOver: true,
    parameters: productionParameters({
      guardian: guardian!.address as Address,
      voters: [alice!.address as Address, bob!.address as Address, carol!.address as Address],
      beneficiary: beneficiary!.address as Address,
      bridgeValidators: [validator!.address as Address],
    }),
  });
  return {
    manifest,
    signers: { deployer: deployer!, guardian: guardian!, alice, bob, carol, stranger, beneficiary: beneficiary! },
  };
}

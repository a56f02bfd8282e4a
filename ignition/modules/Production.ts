import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, ContractFuture } from "@nomicfoundation/ignition-core";
import { stringToHex } from "viem";

import { GENESIS_TOKENS, type GenesisDistribution, type TokenAmounts } from "../../scripts/deploy/distribution.js";
import HandoverModule from "./Handover.js";

/** The module results that are vesting wallets (one per label), not protocol contracts: `vesting_<label>`. */
export const VESTING_RESULT_PREFIX = "vesting_";

/** The reason the Treasury records for the genesis allocation it receives. */
export const GENESIS_REASON = stringToHex("genesis", { size: 32 });

/**
 * A production deployment: the whole protocol handed over to governance (the Handover module), and every token
 * minted at genesis handed out as `distribution` says, from the deployer, which keeps nothing. The Treasury's
 * share is paid in through `receiveFee` (reason "genesis"); each vested allocation gets its own
 * `VestingAllocation` wallet, funded here; community allocations are plain transfers.
 *
 * Built from the distribution rather than from Ignition parameters, because Ignition cannot loop over a
 * parameter: `scripts/deploy/production.ts` checks the distribution before this module is built.
 */
export function productionModule(distribution: GenesisDistribution) {
  return buildModule("Production", (m) => {
    const protocol = m.useModule(HandoverModule);
    const token = { AMAX: protocol.amax, AGPU: protocol.agpu };
    const wallets: Record<string, ContractFuture<"VestingAllocation">> = {};

    /** Sends `recipient` each genesis token `amounts` gives it, one call per token, with ids `<token>_<kind>_<label>`. */
    const transferEach = (recipient: ArgumentType, amounts: TokenAmounts, kind: string, label: string) => {
      for (const name of GENESIS_TOKENS) {
        const amount = amounts[name];
        if (amount > 0n) m.call(token[name], "transfer", [recipient, amount], { id: `${name}_${kind}_${label}` });
      }
    };
    for (const schedule of distribution.vesting) {
      const wallet = m.contract(
        "VestingAllocation",
        [schedule.beneficiary, schedule.start, schedule.durationSeconds, schedule.cliffSeconds],
        { id: `VestingAllocation_${schedule.label}` },
      );
      wallets[`${VESTING_RESULT_PREFIX}${schedule.label}`] = wallet;
      transferEach(wallet, schedule.amounts, "vesting", schedule.label);
    }
    for (const allocation of distribution.community) {
      transferEach(allocation.account, allocation.amounts, "community", allocation.label);
    }
    for (const name of GENESIS_TOKENS) {
      const amount = distribution.treasury[name];
      if (amount === 0n) continue;
      const approved = m.call(token[name], "approve", [protocol.treasury, amount], { id: `${name}_approve_treasury` });
      m.call(protocol.treasury, "receiveFee", [token[name], amount, GENESIS_REASON], {
        id: `${name}_treasury`,
        after: [approved],
      });
    }

    return { ...protocol, ...wallets };
  });
}

import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { zeroAddress } from "viem";

import { TimelockRole } from "../../scripts/lib/governance.js";
import { Role } from "../../scripts/lib/roles.js";
import { grantRole } from "../lib/access.js";
import AuthorityModule from "./Authority.js";
import TokensModule from "./Tokens.js";

const DAY = 24n * 3600n;
const AMAX = 10n ** 18n;

/** The settings StarMiner's governance launches with (each bounded on chain; see docs/decisions.md). */
export const DEFAULT_GOVERNANCE_PARAMETERS = {
  timelockDelay: 2n * DAY,
  votingDelay: 1n * DAY,
  votingPeriod: 5n * DAY,
  /** 0.1% of AMAX's supply. */
  proposalThreshold: 100_000n * AMAX,
  quorumPercent: 4n,
} as const;

/**
 * AMAX holders' Governor and the Timelock it queues into. The Timelock becomes the AccessManager's admin and
 * holds GOVERNOR; the Governor is its only proposer and canceller; anyone may execute; the deployer gives up the
 * Timelock's admin role here. (Giving up the deployer's own ADMIN and GOVERNOR is the Handover module's job, last.)
 */
export default buildModule("Governance", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { amax } = m.useModule(TokensModule);
  const deployer = m.getAccount(0);

  const timelock = m.contract("ProtocolTimelock", [
    m.getParameter("timelockDelay", DEFAULT_GOVERNANCE_PARAMETERS.timelockDelay),
    [],
    [zeroAddress],
    deployer,
  ]);
  const governor = m.contract("AMAXGovernor", [
    amax,
    timelock,
    m.getParameter("votingDelay", DEFAULT_GOVERNANCE_PARAMETERS.votingDelay),
    m.getParameter("votingPeriod", DEFAULT_GOVERNANCE_PARAMETERS.votingPeriod),
    m.getParameter("proposalThreshold", DEFAULT_GOVERNANCE_PARAMETERS.proposalThreshold),
    m.getParameter("quorumPercent", DEFAULT_GOVERNANCE_PARAMETERS.quorumPercent),
  ]);
  const proposer = m.call(timelock, "grantRole", [TimelockRole.PROPOSER, governor], { id: "timelock_proposer" });
  const canceller = m.call(timelock, "grantRole", [TimelockRole.CANCELLER, governor], { id: "timelock_canceller" });
  m.call(timelock, "renounceRole", [TimelockRole.DEFAULT_ADMIN, deployer], {
    id: "timelock_renounce_admin",
    after: [proposer, canceller],
  });

  grantRole(m, accessManager, Role.ADMIN, timelock, "grant_ADMIN_timelock");
  grantRole(m, accessManager, Role.GOVERNOR, timelock, "grant_GOVERNOR_timelock");

  return { timelock, governor };
});

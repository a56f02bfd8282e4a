import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import AuthorityModule from "./Authority.js";
import TokensModule from "./Tokens.js";
import TreasuryModule from "./Treasury.js";

/** The whole protocol, one module per concern. What it returns is what the deployment manifest lists. */
export default buildModule("Protocol", (m) => {
  const { accessManager } = m.useModule(AuthorityModule);
  const { agpu, amax } = m.useModule(TokensModule);
  const { treasury } = m.useModule(TreasuryModule);

  return { accessManager, agpu, amax, treasury };
});

import type { NetworkConnection } from "hardhat/types/network";
import { type Address, createPublicClient, custom } from "viem";

import { checkHandover } from "../lib/governance.js";
import type { DeploymentManifest } from "../lib/manifest.js";

/**
 * Prints what a deploy script deployed and where its manifest went; for a production deployment, proves the
 * handover (`checkHandover`: roles only where they belong, no genesis tokens left with the deployer, no account
 * able to meet the quorum alone) and prints `handedOver`, or prints each violation and throws.
 */
export async function reportDeployment<ChainTypeT extends string>(
  connection: NetworkConnection<ChainTypeT>,
  deployed: { manifest: DeploymentManifest; manifestPath?: string },
  options: { development: boolean; handedOver: string; governance?: Address },
): Promise<void> {
  for (const contract of Object.values(deployed.manifest.contracts)) {
    console.log(`${contract.name.padEnd(16)} ${contract.address}  (block ${contract.startBlock})`);
  }
  console.log(`manifest: ${deployed.manifestPath}`);
  if (options.development) {
    console.log("development deployment: the deployer keeps ADMIN and GOVERNOR");
    return;
  }
  const client = createPublicClient({ transport: custom(connection.provider) });
  const violations = await checkHandover(
    client,
    deployed.manifest,
    options.governance === undefined ? {} : { governance: options.governance },
  );
  for (const v of violations) console.error(`not handed over: ${v.problem} (${v.contract})`);
  if (violations.length > 0) throw new Error(`not handed over: ${violations.length} violation(s), listed above`);
  console.log(options.handedOver);
}

import type { NetworkConnection } from "hardhat/types/network";
import { createPublicClient, custom } from "viem";

import { checkHandover } from "../lib/governance.js";
import type { DeploymentManifest } from "../lib/manifest.js";

/**
 * Prints what a deploy script deployed and where its manifest went; for a production deployment, proves the
 * handover (no plain account keeps a role but GUARDIAN) and prints `handedOver`, or throws naming what is left.
 */
export async function reportDeployment<ChainTypeT extends string>(
  connection: NetworkConnection<ChainTypeT>,
  deployed: { manifest: DeploymentManifest; manifestPath?: string },
  options: { development: boolean; handedOver: string },
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
  const violations = await checkHandover(client, deployed.manifest);
  for (const v of violations) console.error(`not handed over: ${v.account} holds ${v.role} on ${v.contract}`);
  if (violations.length > 0) throw new Error(`${violations.length} role(s) still held by plain accounts`);
  console.log(options.handedOver);
}

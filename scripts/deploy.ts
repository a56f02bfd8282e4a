/**
 * Deploys the protocol to the network Hardhat was given and writes its deployment manifest.
 *
 *   npm run deploy -- --network localhost
 *   STARMINER_RPC_URL=... STARMINER_DEPLOYER_KEY=... npm run deploy -- --network remote
 *
 * Ignition parameters may be given as a JSON file in STARMINER_DEPLOY_PARAMETERS (see docs/operations.md).
 * Re-running resumes or confirms the same Ignition deployment; it never deploys twice.
 */
import { readFile } from "node:fs/promises";
import { network } from "hardhat";

import { deployProtocol } from "./deploy/protocol.js";

const parametersFile = process.env.STARMINER_DEPLOY_PARAMETERS;
const parameters = parametersFile === undefined ? {} : JSON.parse(await readFile(parametersFile, "utf8"));

const connection = await network.create();
const { manifest, manifestPath } = await deployProtocol(connection, { parameters });
for (const contract of Object.values(manifest.contracts)) {
  console.log(`${contract.name.padEnd(16)} ${contract.address}  (block ${contract.startBlock})`);
}
console.log(`manifest: ${manifestPath}`);
await connection.close();

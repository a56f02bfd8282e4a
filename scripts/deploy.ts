/**
 * Deploys the protocol to the network Hardhat was given and writes its deployment manifest.
 *
 *   npm run deploy -- --network localhost
 *   STARMINER_RPC_URL=... STARMINER_DEPLOYER_KEY=... npm run deploy -- --network remote
 *
 * Environment (see docs/operations.md):
 *   STARMINER_DEPLOY_PARAMETERS  a JSON file of Ignition parameters, keyed by module id
 *   STARMINER_DEPLOYMENT_ID      Ignition's deployment id (default chain-<chainId>)
 *   STARMINER_DEPLOY_RESET=1     forget the journal of that deployment first (a restarted local node)
 *   STARMINER_DEPLOY_DEVELOPMENT=1  keep ADMIN and GOVERNOR with the deployer (a development chain); otherwise the
 *                                deployment ends by handing them to the Timelock, and checks that it did. A
 *                                production deployment must name the bridge's validators and threshold
 *                                (`Bridge.validators`, `Bridge.threshold`); a development one defaults to the
 *                                deployer alone
 *
 * Re-running resumes or confirms the same Ignition deployment; it never deploys twice.
 */
import { readFile } from "node:fs/promises";
import { network } from "hardhat";

import { deployProtocol } from "./deploy/protocol.js";
import { reportDeployment } from "./deploy/report.js";

try {
  const parametersFile = process.env.STARMINER_DEPLOY_PARAMETERS;
  const parameters = parametersFile === undefined ? {} : JSON.parse(await readFile(parametersFile, "utf8"));

  const connection = await network.create();
  const development = process.env.STARMINER_DEPLOY_DEVELOPMENT === "1";
  if (!development && (parameters.Bridge?.validators === undefined || parameters.Bridge?.threshold === undefined)) {
    throw new Error(
      "a production deployment names the bridge's validators: set Bridge.validators and Bridge.threshold in " +
        "the STARMINER_DEPLOY_PARAMETERS file",
    );
  }
  const { manifest, manifestPath } = await deployProtocol(connection, {
    parameters,
    handOver: !development,
    reset: process.env.STARMINER_DEPLOY_RESET === "1",
    ...(process.env.STARMINER_DEPLOYMENT_ID === undefined ? {} : { deploymentId: process.env.STARMINER_DEPLOYMENT_ID }),
  });
  await reportDeployment(
    connection,
    { manifest, manifestPath },
    {
      development,
      handedOver: "handed over: only governance holds ADMIN and GOVERNOR; no plain account holds a role but GUARDIAN",
    },
  );
  await connection.close();
} catch (error) {
  console.error(`deploy failed: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}

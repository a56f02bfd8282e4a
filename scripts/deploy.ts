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
 *   STARMINER_DEPLOY_DEVELOPMENT=1  keep ADMIN, GOVERNOR and every genesis token with the deployer (a development
 *                                chain). Otherwise the deployment is a production one: its parameters must name
 *                                a guardian that is not the deployer (`Authority.guardian`), the genesis
 *                                `Distribution` of every AMAX and AGPU, the bridge's validators
 *                                (`Bridge.validators`, `Bridge.threshold`) and the public phase-1 file its ZK keys
 *                                were made on (`Ceremony.ptau`: the keys must come from a verified multi-party
 *                                setup, docs/operations.md "Trusted setup"); it ends by handing out the tokens and
 *                                handing ADMIN and GOVERNOR to the Timelock, then proves it (`checkHandover`)
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
      handedOver:
        "handed over: only governance holds ADMIN and GOVERNOR, the guardian GUARDIAN, protocol contracts their " +
        "roles; every genesis token is handed out and no account can meet the quorum alone",
    },
  );
  await connection.close();
} catch (error) {
  console.error(`deploy failed: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}

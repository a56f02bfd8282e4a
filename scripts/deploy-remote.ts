/**
 * Deploys StarMiner's remote side — an AccessManager, BridgedAGPU and a Remote-mode BridgeGateway paired with the
 * home gateway — to the network Hardhat was given, and writes that chain's deployment manifest.
 *
 *   STARMINER_HOME_CHAIN_ID=31337 STARMINER_REMOTE_GOVERNOR=0x... npm run deploy:remote -- --network remote
 *
 * Environment (see docs/operations.md, "Bridging AGPU"):
 *   STARMINER_HOME_CHAIN_ID      the home chain; its manifest (in STARMINER_MANIFEST_DIR) gives the home gateway
 *   STARMINER_REMOTE_GOVERNOR    the contract (a multisig or a timelock) that governs StarMiner on this chain: the
 *                                deployment ends by handing it ADMIN and GOVERNOR, and checks that it did
 *   STARMINER_DEPLOY_DEVELOPMENT=1  no governor: the deployer keeps ADMIN and GOVERNOR (a development chain)
 *   STARMINER_DEPLOY_PARAMETERS  a JSON file of Ignition parameters; `RemoteBridge.validators` and
 *                                `RemoteBridge.threshold` are required in production, and `guardian` too
 *   STARMINER_DEPLOYMENT_ID      Ignition's deployment id (default chain-<chainId>)
 *   STARMINER_DEPLOY_RESET=1     forget the journal of that deployment first (a restarted local node)
 *
 * The home gateway must then be paired with this one: `BridgeGateway.setCounterpart(<this chain>, <gateway>)` on
 * the home chain, by a governance proposal (`starminer gov propose`).
 */
import { readFile } from "node:fs/promises";
import { network } from "hardhat";

import { type Address, isAddress } from "viem";

import { deployRemoteBridge } from "./deploy/protocol.js";
import { reportDeployment } from "./deploy/report.js";
import { readManifest } from "./lib/manifest.js";

try {
  const parametersFile = process.env.STARMINER_DEPLOY_PARAMETERS;
  const parameters = parametersFile === undefined ? {} : JSON.parse(await readFile(parametersFile, "utf8"));
  const homeChainId = Number(process.env.STARMINER_HOME_CHAIN_ID);
  if (!Number.isSafeInteger(homeChainId) || homeChainId <= 0) {
    throw new Error("STARMINER_HOME_CHAIN_ID must name the home chain (a positive integer)");
  }
  const development = process.env.STARMINER_DEPLOY_DEVELOPMENT === "1";
  const governor = process.env.STARMINER_REMOTE_GOVERNOR;
  if (!development) {
    if (governor === undefined || !isAddress(governor)) {
      throw new Error("STARMINER_REMOTE_GOVERNOR must be the address of the contract that governs this chain");
    }
    const given = parameters.RemoteBridge ?? {};
    if (given.validators === undefined || given.threshold === undefined || given.guardian === undefined) {
      throw new Error(
        "a production deployment names its validators, threshold and guardian: set RemoteBridge.validators, " +
          "RemoteBridge.threshold and RemoteBridge.guardian in the STARMINER_DEPLOY_PARAMETERS file",
      );
    }
  }

  const home = await readManifest(homeChainId);
  const connection = await network.create();
  const { manifest, manifestPath } = await deployRemoteBridge(connection, {
    home,
    parameters,
    reset: process.env.STARMINER_DEPLOY_RESET === "1",
    ...(development ? {} : { governor: governor as Address }),
    ...(process.env.STARMINER_DEPLOYMENT_ID === undefined ? {} : { deploymentId: process.env.STARMINER_DEPLOYMENT_ID }),
  });
  await reportDeployment(
    connection,
    { manifest, manifestPath },
    {
      development,
      handedOver: "handed over: only the governing contract holds ADMIN and GOVERNOR",
      ...(development ? {} : { governance: governor as Address }),
    },
  );
  console.log(
    `pair the home gateway with it: BridgeGateway.setCounterpart(${manifest.chainId}, ` +
      `${manifest.contracts.BridgeGateway!.address}) on chain ${home.chainId}`,
  );
  await connection.close();
} catch (error) {
  console.error(`deploy failed: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}

import type { Hono } from "hono";

import { DEPLOYMENTS } from "../../ponder.config";
import { send } from "./http";

/**
 * GET /api/deployment   where the indexed protocol lives: `{ chainId, contracts: { Name: { address, startBlock } },
 * remote }` (the bridge's remote chain the same way, or null). A dApp or the explorer needs nothing but the
 * indexer's URL to find the contracts.
 */
export function deploymentRoutes(app: Hono) {
  app.get("/api/deployment", (c) => send(c, { ...DEPLOYMENTS.home, remote: DEPLOYMENTS.remote }));
}

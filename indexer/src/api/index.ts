/**
 * The indexer's HTTP API: GraphQL at /graphql (bounded in depth, size and aliases; a query that cannot run is a
 * 400) and REST routes under /api for prices, reputation, job and node audit trails, the market heatmap,
 * governance, the bridge and the deployment. A request body is at most 64 KiB on any route, else a 413
 * (request-body.ts).
 * Successful answers are cached in memory until indexing moves on (response-cache.ts).
 */
import { db } from "ponder:api";
import schema from "ponder:schema";
import { graphql } from "ponder";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";

import { bridgeRoutes } from "./bridge";
import { deploymentRoutes } from "./deployment";
import { governanceRoutes } from "./governance";
import { heatmapRoutes } from "./heatmap";
import { jobQueriesKeptWhileUnchanged, jobRoutes } from "./jobs";
import { pricingRoutes } from "./pricing";
import { providerRoutes } from "./providers";
import { requestBodyLimit } from "./request-body";
import { responseCache } from "./response-cache";

/** Limits on one GraphQL operation; the deepest useful query (job → slots → provider → history) needs 5 levels. */
export const GRAPHQL_LIMITS = { maxOperationDepth: 8, maxOperationTokens: 2_000, maxOperationAliases: 20 };

const app = new Hono();

app.use("*", requestBodyLimit());
app.use("*", responseCache());
// Ponder answers GraphQL errors with 200; a query that produced no data at all (a syntax error, an unknown field,
// a limit exceeded) is the client's fault, so it becomes a 400 with the same body.
app.use("/graphql", async (c, next) => {
  await next();
  if (c.req.method !== "POST" || !c.res.headers.get("content-type")?.includes("json")) return;
  const body = (await c.res.clone().json()) as { data?: unknown; errors?: unknown[] };
  if (Array.isArray(body.errors) && body.errors.length > 0 && (body.data === undefined || body.data === null)) {
    c.res = new Response(JSON.stringify(body), { status: 400, headers: c.res.headers });
  }
});
app.use("/graphql", jobQueriesKeptWhileUnchanged());
app.use("/graphql", graphql({ db, schema }, GRAPHQL_LIMITS));

pricingRoutes(app);
providerRoutes(app);
jobRoutes(app);
heatmapRoutes(app);
governanceRoutes(app);
bridgeRoutes(app);
deploymentRoutes(app);

app.all("/api/*", (c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

app.onError((error, c) => {
  if (error instanceof HTTPException) return error.getResponse();
  console.error(error);
  return c.json({ error: "internal error" }, 500);
});

export default app;

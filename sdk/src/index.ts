/**
 * StarMiner's SDK: the protocol's ABIs and deployments, viem actions for each of its users, and readers of its
 * indexer. Every action takes a {@link StarMinerClient} (viem's clients and a deployment) first; import only what
 * you use, bundlers drop the rest.
 *
 * @packageDocumentation
 */
export * from "./abis/index.js";
export * from "./actions/bridge.js";
export * from "./actions/governance.js";
export * from "./actions/provider.js";
export * from "./actions/requester.js";
export * from "./actions/tokens.js";
export * from "./actions/validator.js";
export * from "./client-error.js";
export * from "./client.js";
export * from "./deployment.js";
export * from "./errors.js";
export * from "./governance-actions.js";
export * from "./indexer/client.js";
export type * from "./indexer/rows.js";
export * from "./job-views.js";
export * from "./market.js";
export * from "./nodes.js";
export * from "./permit.js";
export * from "./transactions.js";
export * from "./workloads/classes.js";
export * from "./workloads/dense-layer.js";
export * from "./workloads/field.js";
export * from "./workloads/poseidon.js";
export * from "./zones.js";

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
export * from "./actions/manifest-jobs.js";
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
export * from "./workloads/artifacts.js";
export * from "./workloads/bytes.js";
export * from "./workloads/canonical-json.js";
export * from "./workloads/canonical.js";
export * from "./workloads/cid.js";
export * from "./workloads/classes.js";
export * from "./workloads/dense-layer.js";
export * from "./workloads/encryption.js";
export * from "./workloads/errors.js";
export * from "./workloads/field.js";
export * from "./workloads/gateway-client.js";
export * from "./workloads/key-release.js";
export * from "./workloads/manifest-schema.js";
export * from "./workloads/manifest.js";
export * from "./workloads/poseidon.js";
export * from "./workloads/results.js";
export * from "./workloads/sha256.js";
export * from "./zones.js";

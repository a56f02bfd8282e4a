export { NodeRole, Tee, providerMetadata, serviceNodeMetadata } from "@starminer/sdk";

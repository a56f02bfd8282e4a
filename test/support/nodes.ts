export { NodeRole, Tee, providerMetadata, serviceNodeMetadata } from "../../scripts/lib/nodes.js";

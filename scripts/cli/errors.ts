export { describeError } from "@starminer/sdk";
export { UsageError } from "../lib/usage-error.js";

export { UsageError, describeError } from "../lib/errors.js";

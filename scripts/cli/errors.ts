export { describeError } from "../lib/errors.js";

/** A mistake in how the command was called: reported with a hint, exit code 2. */
export class UsageError extends Error {}

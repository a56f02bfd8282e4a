/** A mistake in how a tool was called: reported with a hint to its help, exit code 2. */
export class UsageError extends Error {}

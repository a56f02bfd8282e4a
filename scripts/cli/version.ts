import packageJson from "../../package.json" with { type: "json" };

/** The CLI's version: the project's. */
export const VERSION: string = packageJson.version;

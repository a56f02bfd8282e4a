#!/usr/bin/env node
// The `starminer` command. Runs the built CLI (dist/cli, `npm run build:cli`) when it is newer than every TypeScript
// source it was built from, and the sources themselves through tsx's loader otherwise (a checkout not built yet, or
// a source edited since the build), so that what runs is always what the sources say.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist", "cli", "main.mjs");

/** The newest modification time of the TypeScript files under `dir` (and package.json, whose version it shows). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function builtIsFresh() {
  try {
    const builtAt = statSync(built).mtimeMs;
    return (
      builtAt >= newestSource(join(root, "scripts")) &&
      builtAt >= newestSource(join(root, "sdk", "src")) &&
      builtAt >= statSync(join(root, "package.json")).mtimeMs
    );
  } catch {
    return false;
  }
}

if (builtIsFresh()) {
  await import(built);
} else {
  const { register } = await import("tsx/esm/api");
  // The project's tsconfig resolves `@starminer/sdk` to the SDK's sources, from whatever directory this runs in.
  register({ tsconfig: join(root, "tsconfig.json") });
  await import("../scripts/cli/main.ts");
}

/**
 * Builds the `starminer` command into plain JavaScript (`dist/cli/`): one ES module per command group, loaded on
 * first use, with the packages (viem, snarkjs) left to `node_modules` and the SDK compiled in from `sdk/src`.
 * `bin/starminer.mjs` runs the build when it is newer than every source file, and the TypeScript sources through
 * tsx's loader otherwise, so that an edited source is never shadowed by a stale build.
 *
 *   npm run build:cli        (also run by `npm ci` / `npm install`, as the package's `prepare` step)
 */
import { rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..", "..");
const OUT = join(ROOT, "dist", "cli");

await rm(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: join(ROOT, "scripts", "cli", "main.ts") },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external",
  // The SDK is compiled in from its sources (as tsconfig.json's `paths` resolve it for tsx and tsc), so the CLI never
  // runs a stale SDK build; aliases apply before `packages: "external"`.
  alias: { "@starminer/sdk": join(ROOT, "sdk", "src", "index.ts") },
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
});
await writeFile(join(OUT, "meta.json"), JSON.stringify(result.metafile));
const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith(".mjs"));
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`built the CLI into ${OUT}: ${outputs.length} modules, ${(bytes / 1024).toFixed(0)} KiB`);

import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

/**
 * The explorer builds to `dist/`, served by `npm run explorer` (or `npm start`) beside a proxy to the indexer and the
 * chain. The SDK is compiled in from its sources, as everywhere in this repository.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  resolve: {
    alias: { "@starminer/sdk": fileURLToPath(new URL("../sdk/src/index.ts", import.meta.url)) },
  },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, target: "es2022", chunkSizeWarningLimit: 600 },
  logLevel: "warn",
});

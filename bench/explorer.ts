/**
 * The explorer's weight and speed: the size of its build (raw, gzip, brotli: what a browser downloads), and how long a
 * cold browser takes to render each main page with the chain's data, in headless Chromium against a local chain with
 * the protocol deployed, its indexer and the explorer's server.
 *
 *   npm run bench:explorer      writes bench/results/explorer.json and bench/results/explorer.md
 *
 * Environment: BENCH_EXPLORER_RUNS (default 7 per page), STARMINER_CHROMIUM (default /usr/bin/chromium). Ports 8631
 * (chain), 8632 (indexer), 8633 (explorer).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";

import { EXPLORER_DIST, buildExplorerIfStale, startExplorerServer } from "../scripts/lib/explorer/server.js";
import {
  PROJECT_ROOT,
  deployWithScript,
  startHardhatNode,
  startIndexerProcess,
} from "../scripts/lib/devnet/processes.js";
import { launchChromium } from "../test/support/browser.js";

const RUNS = Number(process.env.BENCH_EXPLORER_RUNS ?? 7);
const [CHAIN_PORT, INDEXER_PORT, EXPLORER_PORT] = [8631, 8632, 8633];

/** The pages measured, and what shows that a page has rendered the indexer's data (not just its frame). */
const PAGES = [
  { route: "market", ready: "table.heatmap tbody tr" },
  { route: "jobs", ready: "main :is(table, p.muted:not([role]))" },
  { route: "providers", ready: "main :is(table tbody tr, p.muted:not([role]))" },
  { route: "governance", ready: "main :is(table, p.muted:not([role]))" },
] as const;

buildExplorerIfStale((line) => console.log(line));
const assets: { file: string; initial: boolean; bytes: number; gzip: number; brotli: number }[] = [];
// What the page loads first is what index.html names; the rest (the wallet's actions) loads when asked for.
const page = await readFile(join(EXPLORER_DIST, "index.html"), "utf8");
for (const file of (await readdir(join(EXPLORER_DIST, "assets"))).filter((f) => /\.(js|css)$/.test(f))) {
  const content = await readFile(join(EXPLORER_DIST, "assets", file));
  assets.push({
    file: file.replace(/-[\w-]{8}\./, "."),
    initial: page.includes(file),
    bytes: content.length,
    gzip: gzipSync(content, { level: 9 }).length,
    brotli: brotliCompressSync(content).length,
  });
}
const total = (key: "bytes" | "gzip" | "brotli", initial?: boolean) =>
  assets.filter((a) => initial === undefined || a.initial === initial).reduce((sum, a) => sum + a[key], 0);
const size = {
  assets,
  initialGzip: total("gzip", true),
  initialBrotli: total("brotli", true),
  onDemandGzip: total("gzip", false),
};
console.log(`bundle: ${JSON.stringify(size)}`);

const directory = await mkdtemp(join(tmpdir(), "starminer-bench-explorer-"));
const rpcUrl = `http://127.0.0.1:${CHAIN_PORT}`;
const chain = await startHardhatNode(CHAIN_PORT);
const figures: { page: string; firstPaint: Timing; rendered: Timing }[] = [];
type Timing = { median: number; worst: number };
try {
  const manifestDir = join(directory, "manifests");
  await deployWithScript(rpcUrl, manifestDir, "bench-explorer-31337");
  const indexer = await startIndexerProcess({
    rpcUrl,
    manifestDir,
    databaseDir: join(directory, "indexer-db"),
    port: INDEXER_PORT,
  });
  const explorer = await startExplorerServer({
    indexerUrl: indexer.graphqlUrl.replace(/\/graphql$/, ""),
    rpcUrl,
    port: EXPLORER_PORT,
  });
  const browser = await launchChromium();
  try {
    for (const { route, ready } of PAGES) {
      const paints: number[] = [];
      const renders: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // A new context each time: a cold cache, as a first visit.
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${explorer.url}/#/${route}`);
        await page.locator(ready).first().waitFor({ timeout: 60_000 });
        renders.push(performance.now() - started);
        const paint = await page.evaluate<number | undefined>(
          `performance.getEntriesByName("first-contentful-paint")[0]?.startTime`,
        );
        if (paint !== undefined) paints.push(paint);
        await context.close();
      }
      figures.push({ page: route, firstPaint: timing(paints), rendered: timing(renders) });
      console.log(`${route}: ${JSON.stringify(figures.at(-1))}`);
    }
  } finally {
    await browser.close();
    await explorer.close();
    await indexer.child.stop();
  }
} finally {
  await chain.stop();
  await rm(directory, { recursive: true, force: true });
  await rm(join(PROJECT_ROOT, "ignition", "deployments", "bench-explorer-31337"), { recursive: true, force: true });
}

function timing(milliseconds: number[]): Timing {
  const sorted = [...milliseconds].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), worst: Math.round(sorted.at(-1) ?? 0) };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const machine = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version };
const resultsDir = join(PROJECT_ROOT, "bench", "results");
await writeFile(
  join(resultsDir, "explorer.json"),
  `${JSON.stringify({ machine, runs: RUNS, size, figures }, null, 2)}\n`,
);
await writeFile(
  join(resultsDir, "explorer.md"),
  [
    "# Explorer: bundle size and first render",
    "",
    "Measured by `npm run bench:explorer` on",
    `${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, headless Chromium (Debian's), against a local chain`,
    "with the protocol deployed, its indexer (PGlite) and the explorer's server on loopback.",
    "",
    "## Bundle (`explorer/dist/assets`, production build)",
    "",
    "What a first visit downloads is the initial assets (named by `index.html`); the wallet's actions (viem's",
    "clients, the SDK's writes) load only when a visitor connects a wallet.",
    "",
    "| asset | loaded | bytes | gzip | brotli |",
    "| --- | --- | ---: | ---: | ---: |",
    ...assets.map(
      (a) =>
        `| ${a.file} | ${a.initial ? "initially" : "on demand"} | ${kib(a.bytes)} | ${kib(a.gzip)} | ${kib(a.brotli)} |`,
    ),
    `| **initial total** | | ${kib(total("bytes", true))} | ${kib(size.initialGzip)} | ${kib(size.initialBrotli)} |`,
    "",
    "## First render, cold cache",
    "",
    `Milliseconds from navigation to the browser's first contentful paint, and to the page showing the indexer's`,
    `data (its table or its empty-state line), the median and the worst of ${RUNS} visits, each in a new browser`,
    "context (nothing cached).",
    "",
    "| page | first paint: median | first paint: worst | data shown: median | data shown: worst |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...figures.map(
      (f) =>
        `| ${f.page} | ${f.firstPaint.median} | ${f.firstPaint.worst} | ${f.rendered.median} | ${f.rendered.worst} |`,
    ),
    "",
  ].join("\n"),
);

/**
 * Workload figures: how long a job takes in each runtime, on this machine's device, and how fast content is
 * addressed.
 *
 *   npm run bench:workloads    writes bench/results/workloads.json and bench/results/workloads.md
 *
 * - **Job latency**: `executeJob` on each example manifest (examples/workloads/), run after run in one process:
 *   a fresh worker, the model or module loaded, the run, the outputs canonicalised. For ONNX jobs the worker also
 *   reports model loading and inference alone.
 * - **Throughput**: the same models on a batch of 1,024 images (inferences per second, inference alone), and the
 *   Monte Carlo program on 2,000,000 paths (paths per second, whole job).
 * - **Content addressing**: the CID of 64 MiB of bytes (sha2-256), as readers check every artifact.
 * - **Content gateway**: 64 MiB uploaded to, and downloaded and checked from, a gateway on loopback; a job key's
 *   release through its mailboxes (request, release, unwrap).
 * - **Encryption**: sealing and opening 64 MiB (through OpenSSL under Node; sealing also in the JavaScript a browser
 *   runs), wrapping and unwrapping a job key.
 *
 * Environment: BENCH_WORKLOAD_RUNS (default 30).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { seededRandom } from "../scripts/lib/random.js";
import { filesByCid } from "../scripts/lib/workloads/artifact-store.js";
import { EXAMPLES_DIRECTORY } from "../scripts/lib/workloads/examples.js";
import { allRuntimes, executeJob } from "../scripts/lib/workloads/execute.js";
import { startGateway } from "../scripts/lib/workloads/gateway.js";
import { OnnxRuntime } from "../scripts/lib/workloads/runtimes/onnx.js";
import { drawDigit } from "../scripts/lib/zk/digits.js";
import { portableAesGcm } from "../sdk/src/workloads/aes-gcm.js";
import { zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  GatewayClient,
  type JobManifest,
  type OnnxManifest,
  artifactCid,
  envelopeSignerKey,
  fetchArtifacts,
  generateJobKey,
  mailboxName,
  openArtifact,
  parseJobManifest,
  portableSha256,
  sealArtifact,
  signEnvelope,
  unwrapKey,
  verifyContent,
  wrapKey,
} from "@starminer/sdk";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
const RUNS = Number(process.env.BENCH_WORKLOAD_RUNS ?? 30);
const BATCH = 1_024;

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function example(name: string): Promise<JobManifest> {
  return parseJobManifest(JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, `${name}.job.json`), "utf8")));
}

const onnx = new OnnxRuntime();
const runtimes = new Map([...allRuntimes(), ["onnx", onnx]] as const);
const source = await filesByCid(EXAMPLES_DIRECTORY);
const device = await onnx.device();
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} cores`;

interface LatencyRow {
  job: string;
  runtime: string;
  device: string;
  p50Ms: number;
  p95Ms: number;
  loadP50Ms?: number;
  inferenceP50Ms?: number;
}
const latency: LatencyRow[] = [];
for (const name of ["digits-mlp", "digits-cnn", "monte-carlo"]) {
  const manifest = await example(name);
  const artifacts = await fetchArtifacts(manifest, source);
  await executeJob(manifest, artifacts, runtimes); // warm-up
  const total: number[] = [];
  const load: number[] = [];
  const inference: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const outcome = await executeJob(manifest, artifacts, runtimes);
    if (outcome.status !== "completed") throw new Error(`${name} failed: ${outcome.error.message}`);
    total.push(outcome.elapsedMs);
    if (manifest.runtime === "onnx" && onnx.lastTimings) {
      load.push(onnx.lastTimings.loadMs);
      inference.push(onnx.lastTimings.inferenceMs);
    }
  }
  const { device: used } = await runtimes.get(manifest.runtime)!.device();
  latency.push({
    job: name,
    runtime: manifest.runtime,
    device: used,
    p50Ms: round(percentile(total, 50)),
    p95Ms: round(percentile(total, 95)),
    ...(load.length > 0
      ? { loadP50Ms: round(percentile(load, 50)), inferenceP50Ms: round(percentile(inference, 50), 2) }
      : {}),
  });
  console.log(`${name}: p50 ${latency.at(-1)!.p50Ms} ms`);
}

interface ThroughputRow {
  workload: string;
  device: string;
  perSecond: number;
  unit: string;
}
const throughput: ThroughputRow[] = [];
const uniform = seededRandom(1_024);
const images = Array.from({ length: BATCH }, (_, i) => drawDigit(i % 10, uniform));
for (const [name, inputShape, scale] of [
  ["digits-mlp", [BATCH, 64], 1],
  ["digits-cnn", [BATCH, 1, 8, 8], 1 / 127],
] as const) {
  const manifest = (await example(name)) as OnnxManifest;
  const bytes = new Uint8Array(Float32Array.from(images.flat(), (p) => p * scale).buffer);
  const batched = parseJobManifest({
    ...manifest,
    inputs: [{ ...manifest.inputs[0]!, shape: inputShape, data: { cid: artifactCid(bytes), bytes: bytes.length } }],
    outputs: [{ name: "scores", canonical: { kind: "argmax" } }],
  });
  const artifacts = new Map([...(await fetchArtifacts(manifest, source))].concat([[artifactCid(bytes), bytes]]));
  const inferences: number[] = [];
  for (let run = 0; run < 10; run++) {
    const outcome = await executeJob(batched, artifacts, runtimes);
    if (outcome.status !== "completed") throw new Error(`${name} failed: ${outcome.error.message}`);
    inferences.push(onnx.lastTimings!.inferenceMs);
  }
  throughput.push({
    workload: `${name}, batch of ${BATCH}`,
    device: device.device,
    perSecond: Math.round(BATCH / (percentile(inferences, 50) / 1000)),
    unit: "images/s",
  });
}
{
  const manifest = await example("monte-carlo");
  const paths = 2_000_000;
  const long = parseJobManifest({ ...manifest, args: [String(paths), "2026"] });
  const artifacts = await fetchArtifacts(long, source);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const outcome = await executeJob(long, artifacts, runtimes);
    if (outcome.status !== "completed") throw new Error(`monte-carlo failed: ${outcome.error.message}`);
    times.push(outcome.elapsedMs);
  }
  throughput.push({
    workload: `monte-carlo, ${paths.toLocaleString("en")} paths`,
    device: "cpu",
    perSecond: Math.round(paths / (percentile(times, 50) / 1000)),
    unit: "paths/s",
  });
}

const blob = new Uint8Array(64 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
const hashing = [
  ["artifactCid in Node (the SDK's sha2-256 through OpenSSL)", () => artifactCid(blob)],
  ["sha2-256 in JavaScript (@noble/hashes: what the SDK runs in a browser)", () => portableSha256(blob)],
] as const;
const addressing = hashing.map(([what, hash]) => {
  hash();
  const started = performance.now();
  hash();
  return { what, mbPerSecond: round(64 / ((performance.now() - started) / 1000)) };
});

const gatewayDirectory = await mkdtemp(join(tmpdir(), "starminer-bench-gateway-"));
const gateway = await startGateway({ directory: gatewayDirectory, uploads: "open", maxUploadBytes: blob.length });
const transfer: { what: string; mbPerSecond: number }[] = [];
let keyRelease = 0;
try {
  const client = new GatewayClient(gateway.url);
  const uploads: number[] = [];
  const downloads: number[] = [];
  for (let run = 0; run < 5; run++) {
    let started = performance.now();
    const ref = await client.put(blob);
    uploads.push(performance.now() - started);
    started = performance.now();
    verifyContent(ref.cid, (await client.get(ref))!);
    downloads.push(performance.now() - started);
  }
  transfer.push({
    what: "upload (PUT /ipfs/: hashed and filed by the gateway)",
    mbPerSecond: round(64 / (percentile(uploads, 50) / 1000)),
  });
  transfer.push({
    what: "download and check (GET /ipfs/<cid>, checked by gateway and reader)",
    mbPerSecond: round(64 / (percentile(downloads, 50) / 1000)),
  });
  // A job key's whole journey through the gateway's mailboxes, as a claimer and a requester make it.
  const claimerKey = generatePrivateKey();
  const claimer = privateKeyToAccount(claimerKey);
  const requester = privateKeyToAccount(generatePrivateKey());
  const jobKey = generateJobKey();
  const journeys: number[] = [];
  for (let jobId = 1n; jobId <= 21n; jobId++) {
    const started = performance.now();
    const place = { chainId: 31_337, market: zeroAddress, jobId, slot: 0 } as const;
    const request = mailboxName({ ...place, recipient: requester.address });
    const release = mailboxName({ ...place, recipient: claimer.address });
    await client.postEnvelope(request, claimer.address, await signEnvelope(claimer, request, {}));
    const asked = (await client.envelope(request, claimer.address))!;
    const wrappedKey = wrapKey(jobKey, await envelopeSignerKey(request, asked), {
      ...place,
      recipient: claimer.address,
    });
    await client.postEnvelope(
      release,
      requester.address,
      await signEnvelope(requester, release, { wrapped: wrappedKey }),
    );
    const given = (await client.envelope(release, requester.address))!;
    unwrapKey(given.envelope.wrapped!, claimerKey, { ...place, recipient: claimer.address });
    if (jobId > 1n) journeys.push(performance.now() - started); // the first warms up
  }
  keyRelease = round(percentile(journeys, 50), 2);
} finally {
  await gateway.close();
  await rm(gatewayDirectory, { recursive: true, force: true });
}

const key = generateJobKey();
const timed = (run: () => unknown, times = 3) => {
  run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return percentile(samples, 50);
};
const sealed = sealArtifact(blob, key);
const nonce = new Uint8Array(12).fill(7);
const binding = {
  chainId: 31_337,
  jobId: 1n,
  slot: 0,
  recipient: "0x0000000000000000000000000000000000000001",
} as const;
const recipient = privateKeyToAccount(generatePrivateKey());
const recipientKey = generatePrivateKey();
const wrapped = wrapKey(key, privateKeyToAccount(recipientKey).publicKey, binding);
const encryption = [
  { what: "seal (AES-256-GCM), 64 MiB", figure: `${round(64 / (timed(() => sealArtifact(blob, key)) / 1000))} MB/s` },
  { what: "open (AES-256-GCM), 64 MiB", figure: `${round(64 / (timed(() => openArtifact(sealed, key)) / 1000))} MB/s` },
  {
    what: "seal, 64 MiB, in JavaScript (@noble/ciphers: what the SDK runs in a browser)",
    figure: `${round(64 / (timed(() => portableAesGcm.encrypt(key, nonce, new Uint8Array(0), blob), 3) / 1000))} MB/s`,
  },
  {
    what: "wrap a job key (ECIES, secp256k1)",
    figure: `${round(
      timed(() => wrapKey(key, recipient.publicKey, binding), 200),
      3,
    )} ms`,
  },
  {
    what: "unwrap a job key",
    figure: `${round(
      timed(() => unwrapKey(wrapped, recipientKey, binding), 200),
      3,
    )} ms`,
  },
];

const figures = {
  machine,
  onnxDevice: device,
  runs: RUNS,
  latency,
  throughput,
  addressing,
  gateway: transfer,
  keyReleaseMs: keyRelease,
  encryption,
};
await writeFile(join(RESULTS_DIR, "workloads.json"), `${JSON.stringify(figures, null, 2)}\n`);
const lines = [
  "# Workloads",
  "",
  `Machine: ${machine}. ONNX Runtime device: **${device.device}** (${device.reason}).`,
  "",
  `## Job latency (\`executeJob\` on the example manifests, ${RUNS} runs after a warm-up)`,
  "",
  "Each run starts a fresh worker thread (wasm) or Node process (onnx), loads the model or module, runs it and",
  "canonicalises its outputs. The ONNX columns are measured inside that process: loading the session, and its first inference.",
  "",
  "| Job | Runtime | Device | p50 (ms) | p95 (ms) | model load p50 (ms) | inference p50 (ms) |",
  "| --- | --- | --- | ---: | ---: | ---: | ---: |",
  ...latency.map(
    (row) =>
      `| ${row.job} | ${row.runtime} | ${row.device} | ${row.p50Ms} | ${row.p95Ms} | ${row.loadP50Ms ?? "–"} | ${row.inferenceP50Ms ?? "–"} |`,
  ),
  "",
  "## Throughput",
  "",
  "| Workload | Device | Per second |",
  "| --- | --- | ---: |",
  ...throughput.map((row) => `| ${row.workload} | ${row.device} | ${row.perSecond.toLocaleString("en")} ${row.unit} |`),
  "",
  "ONNX rows: inference alone, the first of a fresh process as every job is (median of 10 batches). Monte Carlo: the whole",
  "job (median of 5).",
  "",
  "## Content addressing (64 MiB)",
  "",
  "| Hash | MB/s |",
  "| --- | ---: |",
  ...addressing.map((row) => `| ${row.what} | ${row.mbPerSecond} |`),
  "",
  "## Content gateway (64 MiB over loopback, median of 5)",
  "",
  "| Transfer | MB/s |",
  "| --- | ---: |",
  ...transfer.map((row) => `| ${row.what} | ${row.mbPerSecond} |`),
  "",
  `A job key's release through the gateway's mailboxes (a signed key request posted and read, the key wrapped to the`,
  `public key its signature gives, the signed release posted, read, checked and unwrapped): ${keyRelease} ms, median of 20.`,
  "",
  "## Encryption",
  "",
  "| Operation | Figure |",
  "| --- | ---: |",
  ...encryption.map((row) => `| ${row.what} | ${row.figure} |`),
  "",
];
await writeFile(join(RESULTS_DIR, "workloads.md"), lines.join("\n"));
console.log(`wrote ${join(RESULTS_DIR, "workloads.md")}`);

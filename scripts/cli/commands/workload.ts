import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  type ArtifactSource,
  GatewayClient,
  JOB_MANIFEST_SCHEMA,
  RUNTIME_NAMES,
  fetchArtifacts,
  jobManifestCid,
  manifestCommitments,
  parseJobManifest,
} from "@starminer/sdk";

import { filesByCid } from "../../lib/workloads/artifact-store.js";
import { DEFAULT_MAX_UPLOAD_BYTES, startGateway } from "../../lib/workloads/gateway.js";
import { allRuntimes, executeJob } from "../../lib/workloads/execute.js";
import { UsageError } from "../errors.js";
import { parseInteger, parseRuntimes } from "../parse.js";
import type { Command } from "./context.js";

/**
 * `workload run --manifest <job.json> [--files <dir> | --gateway <url>] [--runtimes onnx,wasm,dense-layer] [--output <file>]`: runs a
 * job's manifest on this machine, as a provider would, and prints its result (a requester's dry run, a provider's
 * check of its setup).
 */
export const workloadRun: Command = async ({ args, out }) => {
  const { values } = parseArgs({
    args,
    options: {
      manifest: { type: "string" },
      files: { type: "string" },
      gateway: { type: "string" },
      runtimes: { type: "string", default: RUNTIME_NAMES.join(",") },
      output: { type: "string" },
    },
  });
  if (values.manifest === undefined) throw new UsageError("--manifest is required");
  const served = parseRuntimes(values.runtimes);
  const manifest = parseJobManifest(await readJson(values.manifest));
  if (values.files !== undefined && values.gateway !== undefined)
    throw new UsageError("give --files or --gateway, not both");
  const source: ArtifactSource =
    values.gateway !== undefined
      ? new GatewayClient(values.gateway.replace(/\/+$/, ""))
      : await filesByCid(resolve(values.files ?? dirname(values.manifest)));
  const artifacts = await fetchArtifacts(manifest, source);
  const runtimes = new Map([...allRuntimes()].filter(([name]) => served.includes(name)));
  const outcome = await executeJob(manifest, artifacts, runtimes);
  if (outcome.status === "completed" && values.output !== undefined) await writeFile(values.output, outcome.output);
  out.record({
    manifest: jobManifestCid(manifest),
    modelCommitment: manifestCommitments(manifest).modelCommitment,
    runtime: manifest.runtime,
    device: outcome.device.device,
    deviceReason: outcome.device.reason,
    status: outcome.status,
    result: outcome.result,
    ...(outcome.status === "failed" ? { failure: `${outcome.error.code}: ${outcome.error.message}` } : {}),
    milliseconds: Math.round(outcome.elapsedMs),
  });
};

/** `workload schema`: the job manifest's JSON Schema. */
export const workloadSchema: Command = async () => {
  console.log(JSON.stringify(JOB_MANIFEST_SCHEMA, null, 2));
};

/** `workload check --manifest <job.json>`: validates a manifest and prints its CID and commitments. */
export const workloadCheck: Command = async ({ args, out }) => {
  const { values } = parseArgs({ args, options: { manifest: { type: "string" } } });
  if (values.manifest === undefined) throw new UsageError("--manifest is required");
  const manifest = parseJobManifest(await readJson(values.manifest));
  out.record({ manifest: jobManifestCid(manifest), runtime: manifest.runtime, ...manifestCommitments(manifest) });
};

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * `gateway serve --dir <dir> [--host <h>] [--port <n>] [--max-upload-bytes <n>] [--uploads open|token|none]
 * [--tls-cert <file> --tls-key <file>]`: serves artifacts by CID until interrupted. The upload token comes from
 * STARMINER_GATEWAY_TOKEN, never from the command line (where other users of the machine could read it).
 */
export const gatewayServe: Command = async ({ args, out }) => {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8090" },
      "max-upload-bytes": { type: "string", default: String(DEFAULT_MAX_UPLOAD_BYTES) },
      uploads: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
    },
  });
  if (values.dir === undefined) throw new UsageError("--dir is required");
  const token = process.env.STARMINER_GATEWAY_TOKEN;
  const uploads = values.uploads ?? (token ? "token" : "none");
  if (uploads !== "open" && uploads !== "token" && uploads !== "none") {
    throw new UsageError(`--uploads must be open, token or none, not "${uploads}"`);
  }
  if (uploads === "token" && !token) throw new UsageError("--uploads token needs STARMINER_GATEWAY_TOKEN");
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  const tls =
    values["tls-cert"] !== undefined && values["tls-key"] !== undefined
      ? { cert: await readFile(values["tls-cert"]), key: await readFile(values["tls-key"]) }
      : undefined;
  const gateway = await startGateway({
    directory: resolve(values.dir),
    host: values.host,
    port: parseInteger("port", values.port, 0, 65_535),
    maxUploadBytes: parseInteger("max-upload-bytes", values["max-upload-bytes"], 1, Number.MAX_SAFE_INTEGER),
    uploads,
    ...(token ? { uploadToken: token } : {}),
    ...(tls ? { tls } : {}),
  });
  out.record({ url: gateway.url, directory: resolve(values.dir), uploads });
  await new Promise<void>((stop) => {
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await gateway.close();
};

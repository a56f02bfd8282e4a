import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

import { filesByCid } from "../../lib/workloads/artifact-store.js";
import { allRuntimes, executeJob, fetchArtifacts } from "../../lib/workloads/execute.js";
import {
  jobManifestCid,
  manifestCommitments,
  parseJobManifest,
  RUNTIME_NAMES,
  type RuntimeName,
} from "../../lib/workloads/manifest.js";
import { JOB_MANIFEST_SCHEMA } from "../../lib/workloads/manifest-schema.js";
import { UsageError } from "../errors.js";
import type { Command } from "./context.js";

/**
 * `workload run --manifest <job.json> [--files <dir>] [--runtimes onnx,wasm,dense-layer] [--output <file>]`: runs a
 * job's manifest on this machine, as a provider would, and prints its result (a requester's dry run, a provider's
 * check of its setup).
 */
export const workloadRun: Command = async ({ args, out }) => {
  const { values } = parseArgs({
    args,
    options: {
      manifest: { type: "string" },
      files: { type: "string" },
      runtimes: { type: "string", default: RUNTIME_NAMES.join(",") },
      output: { type: "string" },
    },
  });
  if (values.manifest === undefined) throw new UsageError("--manifest is required");
  const served = parseRuntimes(values.runtimes);
  const manifest = parseJobManifest(await readJson(values.manifest));
  const source = await filesByCid(resolve(values.files ?? dirname(values.manifest)));
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

function parseRuntimes(list: string): RuntimeName[] {
  const names = list.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!RUNTIME_NAMES.includes(name as RuntimeName)) {
      throw new UsageError(`--runtimes: unknown runtime "${name}" (known: ${RUNTIME_NAMES.join(", ")})`);
    }
  }
  return names as RuntimeName[];
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { type Hex, isHex } from "viem";
import { GatewayClient, RUNTIME_NAMES } from "@starminer/sdk";

import { requireAccount, starminerHome } from "../../lib/client.js";
import { ContentStore } from "../../lib/content.js";
import { type DaemonEvent, type Fault, ProviderDaemon } from "../../lib/provider/daemon.js";
import { type Hardware, detectGpu } from "../../lib/provider/hardware.js";
import { allRuntimes } from "../../lib/workloads/execute.js";
import { releaseProver } from "../../lib/zk/groth16.js";
import { UsageError } from "../errors.js";
import { parseInteger, parseRuntimes } from "../parse.js";
import type { Command } from "./context.js";

const FAULTS: readonly Fault[] = ["wrong-result", "miss"];

/**
 * `provider run [--journal <file>] [--gpu <model> --vram <MiB> --compute-capability <x10>] [--enclave-key-file <f>]
 * [--max-jobs <n>] [--poll-ms <ms>] [--heartbeat-seconds <s>] [--rounds <n>] [--fault wrong-result|miss]
 * [--runtimes onnx,wasm,dense-layer] [--max-artifact-mib <n>]`
 *
 * Runs the provider daemon until Ctrl-C (or for `--rounds` rounds). Without `--gpu`, the GPU is detected with
 * nvidia-smi when there is one; otherwise the registration's hardware is taken as this machine's. Manifest jobs are
 * fetched from the content gateway (STARMINER_GATEWAY_URL) and run with the runtimes served; the start-up line
 * names each runtime's device (`onnx on cuda:0` with a GPU and CUDA, `cpu` otherwise).
 */
export const providerRun: Command = async ({ args, config, out, protocol }) => {
  const { values } = parseArgs({
    args,
    options: {
      journal: { type: "string" },
      gpu: { type: "string" },
      vram: { type: "string" },
      "compute-capability": { type: "string" },
      "enclave-key-file": { type: "string" },
      "max-jobs": { type: "string", default: "2" },
      "poll-ms": { type: "string", default: "2000" },
      "heartbeat-seconds": { type: "string", default: "60" },
      rounds: { type: "string" },
      fault: { type: "string" },
      runtimes: { type: "string", default: RUNTIME_NAMES.join(",") },
      "max-artifact-mib": { type: "string", default: "1024" },
    },
  });
  const told = [values.gpu, values.vram, values["compute-capability"]];
  if (told.some((value) => value !== undefined) && told.some((value) => value === undefined)) {
    throw new UsageError("--gpu, --vram and --compute-capability go together");
  }
  let hardware: Hardware | undefined =
    values.gpu === undefined
      ? undefined
      : {
          gpuModel: values.gpu,
          vramMiB: parseInteger("vram", values.vram, 1, 2 ** 32 - 1),
          computeCapability: parseInteger("compute-capability", values["compute-capability"], 1, 65_535),
        };
  const fault = values.fault as Fault | undefined;
  if (fault !== undefined && !FAULTS.includes(fault))
    throw new UsageError(`--fault must be one of ${FAULTS.join(", ")}`);
  const maxActiveJobs = parseInteger("max-jobs", values["max-jobs"], 1, 64);
  const pollMs = parseInteger("poll-ms", values["poll-ms"], 50, 3_600_000);
  const heartbeatMs = parseInteger("heartbeat-seconds", values["heartbeat-seconds"], 1, 86_400) * 1_000;
  const rounds = values.rounds === undefined ? undefined : parseInteger("rounds", values.rounds, 1);
  const enclaveKey = values["enclave-key-file"] === undefined ? undefined : await readKey(values["enclave-key-file"]);
  const served = parseRuntimes(values.runtimes);
  const runtimes = new Map([...allRuntimes()].filter(([name]) => served.includes(name)));
  const maxArtifactBytes = parseInteger("max-artifact-mib", values["max-artifact-mib"], 1, 1 << 20) * (1 << 20);

  const client = await protocol();
  const account = requireAccount(client);
  if (hardware === undefined) {
    hardware = await detectGpu();
    if (hardware !== undefined) out.progress(`detected ${hardware.gpuModel} (${hardware.vramMiB} MiB)`);
  }
  const journalPath =
    values.journal ??
    join(
      starminerHome(),
      "journals",
      `provider-${client.chain.id}-${client.jobMarket.address}-${account.address}.json`,
    );
  const log = (event: DaemonEvent) => {
    const line = { at: new Date().toISOString(), event: event.kind, job: event.jobId, message: event.message };
    if (out.json) console.log(JSON.stringify(line, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
    else console.log(`${line.at.slice(11, 19)}  ${event.kind.padEnd(9)}  ${event.message}`);
  };
  const daemon = await ProviderDaemon.start(client, {
    journalPath,
    content: new ContentStore(config.contentDir),
    ...(config.gatewayUrl === undefined ? {} : { gateway: new GatewayClient(config.gatewayUrl, config.gatewayToken) }),
    ...(config.privateKey === undefined ? {} : { nodeKey: config.privateKey }),
    runtimes,
    maxArtifactBytes,
    ...(hardware === undefined ? {} : { hardware }),
    ...(enclaveKey === undefined ? {} : { enclaveKey }),
    ...(fault === undefined ? {} : { fault }),
    maxActiveJobs,
    pollMs,
    heartbeatMs,
    log,
  });

  try {
    if (rounds !== undefined) {
      for (let i = 0; i < rounds; i++) await daemon.round();
      return;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    await daemon.run(stop.signal);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    log({ kind: "finished", message: `stopped; ${daemon.finishedCount()} job(s) seen to the end` });
  } finally {
    await releaseProver();
  }
};

async function readKey(path: string): Promise<Hex> {
  let text: string;
  try {
    text = (await readFile(path, "utf8")).trim();
  } catch {
    throw new UsageError(`cannot read the enclave key file ${path}`);
  }
  if (!isHex(text) || text.length !== 66) throw new UsageError(`${path} must hold a 32-byte key as 0x-hex`);
  return text;
}

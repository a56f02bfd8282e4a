import { execFile } from "node:child_process";

/** A provider's GPU as the market compares it with a job's requirements. */
export interface Hardware {
  readonly gpuModel: string;
  readonly vramMiB: number;
  /** Compute capability times ten (9.0 is 90), as the registry stores it. */
  readonly computeCapability: number;
}

/**
 * The first GPU `nvidia-smi` reports, or undefined when there is no NVIDIA driver on this machine (the daemon then
 * works from what it is told, or from its registration).
 */
export function detectGpu(): Promise<Hardware | undefined> {
  return new Promise((done) => {
    execFile(
      "nvidia-smi",
      ["--query-gpu=name,memory.total,compute_cap", "--format=csv,noheader,nounits"],
      { timeout: 10_000 },
      (error, stdout) => done(error === null ? parseNvidiaSmi(stdout) : undefined),
    );
  });
}

/** Reads `nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader,nounits` output. */
export function parseNvidiaSmi(output: string): Hardware | undefined {
  const first = output.split("\n").find((line) => line.trim() !== "");
  if (first === undefined) return undefined;
  const [name, memory, capability] = first.split(",").map((field) => field.trim());
  const vramMiB = Number(memory);
  const computeCapability = Math.round(Number(capability) * 10);
  if (!name || !Number.isInteger(vramMiB) || vramMiB <= 0 || !Number.isInteger(computeCapability)) return undefined;
  return { gpuModel: name, vramMiB, computeCapability };
}

/** Why `actual` cannot serve as the registered hardware, or undefined when it can. */
export function hardwareShortfall(registered: Hardware, actual: Hardware): string | undefined {
  if (actual.vramMiB < registered.vramMiB) {
    return `this machine's GPU has ${actual.vramMiB} MiB of VRAM but ${registered.vramMiB} MiB is registered`;
  }
  if (actual.computeCapability < registered.computeCapability) {
    return (
      `this machine's GPU has compute capability ${actual.computeCapability / 10} ` +
      `but ${registered.computeCapability / 10} is registered`
    );
  }
  return undefined;
}

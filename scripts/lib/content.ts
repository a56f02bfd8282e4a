import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { type Hex, isHex } from "viem";
import { type DenseLayerJob, jobCommitments, parseDenseLayerJob, resultOf } from "@starminer/sdk";

import { writeFileAtomically } from "./files.js";

/**
 * Content-addressed storage for what does not belong on chain: a job's model and input, filed under the job's spec
 * hash, and a result's output vector, filed under the result. Whoever reads an entry recomputes its address from
 * the content and refuses a mismatch, so the store itself is not trusted: a provider cannot be fed another job's
 * data, and a requester cannot be handed an output that does not match the result on chain.
 *
 * The store is a directory (one JSON file per entry, written atomically), which any file share, bucket mount or
 * synced folder can carry between requesters and providers.
 */
export class ContentStore {
  constructor(readonly directory: string) {}

  /** Files `job` under its spec hash and returns the commitments its spec must carry. */
  async putJob(job: DenseLayerJob) {
    const commitments = jobCommitments(job);
    await this.write(commitments.specHash, { kind: "dense-layer-job", model: job.model, input: job.input });
    return commitments;
  }

  /** The job filed under `specHash`, checked against it; undefined when the store does not have it. */
  async getJob(specHash: Hex): Promise<DenseLayerJob | undefined> {
    const entry = await this.read(specHash);
    if (entry === undefined) return undefined;
    const job = parseDenseLayerJob(entry);
    if (jobCommitments(job).specHash !== specHash.toLowerCase()) {
      throw new Error(`the content filed under ${specHash} does not hash to it: refused`);
    }
    return job;
  }

  /** Files an output vector under its result. */
  async putOutput(output: readonly number[]): Promise<Hex> {
    const result = resultOf(output);
    await this.write(result, { kind: "dense-layer-output", output });
    return result;
  }

  /** The output filed under `result`, checked against it; undefined when the store does not have it. */
  async getOutput(result: Hex): Promise<number[] | undefined> {
    const entry = (await this.read(result)) as { output?: unknown } | undefined;
    if (entry === undefined) return undefined;
    const output = entry.output;
    if (!Array.isArray(output) || !output.every(Number.isInteger)) {
      throw new Error(`the content filed under ${result} is not an output vector: refused`);
    }
    let matches: boolean;
    try {
      matches = resultOf(output as number[]) === result.toLowerCase();
    } catch {
      matches = false;
    }
    if (!matches) throw new Error(`the output filed under ${result} does not hash to it: refused`);
    return output as number[];
  }

  private path(key: Hex): string {
    if (!isHex(key) || key.length !== 66) throw new Error(`a content address is 32 bytes of hex, got ${key}`);
    return join(this.directory, `${key.toLowerCase()}.json`);
  }

  private async write(key: Hex, value: unknown): Promise<void> {
    await writeFileAtomically(this.path(key), JSON.stringify(value));
  }

  private async read(key: Hex): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path(key), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`the content filed under ${key} is not valid JSON: refused`);
    }
  }
}

import { mkdir, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

import { type ArtifactRef, type ArtifactSource, artifactCid, parseCid } from "@starminer/sdk";

import { writeFileAtomically } from "../files.js";

/** A directory of artifacts, one file per CID, written atomically; reads are checked against the CID. */
export class ArtifactDirectory implements ArtifactSource {
  constructor(readonly directory: string) {}

  /** Files `bytes` under their CID and returns the reference a manifest names them by. */
  async put(bytes: Uint8Array): Promise<ArtifactRef> {
    const cid = artifactCid(bytes);
    await mkdir(this.directory, { recursive: true });
    await writeFileAtomically(join(this.directory, cid), bytes);
    return { cid, bytes: bytes.length };
  }

  async get(ref: ArtifactRef): Promise<Uint8Array | undefined> {
    parseCid(ref.cid); // a CID never names a path outside the directory
    try {
      return await readFile(join(this.directory, ref.cid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }
}

/**
 * The files of a directory, by CID: every regular file is read and hashed once, so a requester's working folder
 * (a model, its inputs, named as they like) serves the artifacts its manifest names.
 */
export async function filesByCid(directory: string): Promise<ArtifactSource> {
  const byCid = new Map<string, string>();
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(directory, entry.name);
    byCid.set(artifactCid(await readFile(path)), path);
  }
  return {
    async get(ref) {
      const path = byCid.get(ref.cid);
      return path === undefined ? undefined : readFile(path);
    },
  };
}

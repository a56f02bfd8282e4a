import { type Address, type Hex, concatBytes, getAddress, isAddress } from "viem";

import type { ArtifactSource } from "./artifacts.js";
import { artifactCid } from "./cid.js";
import { WorkloadError } from "./errors.js";
import { type SignedEnvelope, envelopeSigner, parseSignedEnvelope } from "./key-release.js";
import type { ArtifactRef } from "./manifest.js";

/** The media type of a raw IPFS block, as a gateway serves an artifact. */
export const RAW_BLOCK_TYPE = "application/vnd.ipld.raw";

/**
 * A client of a StarMiner content gateway (artifacts by CID, in the IPFS gateway's path shape, and the key
 * mailboxes of `key-release.ts`); reading artifacts works against any IPFS gateway that holds raw blocks. Nothing it
 * is served is trusted: a body longer than its reference declares is refused as soon as it passes that length,
 * uploads are checked against the CID the gateway reports, envelopes against their sender's signature, and
 * `fetchSealedArtifacts` checks every artifact against its CID.
 */
export class GatewayClient implements ArtifactSource {
  /**
   * @param url - the gateway's base URL, without a trailing slash
   * @param uploadToken - the bearer token uploads and envelopes need when the gateway sets one
   */
  constructor(
    readonly url: string,
    private readonly uploadToken?: string,
  ) {}

  /** The bytes filed under `ref.cid`, at most `ref.bytes` of them; undefined when the gateway has none. */
  async get(ref: ArtifactRef): Promise<Uint8Array | undefined> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/ipfs/${ref.cid}?format=raw`, { headers: { accept: RAW_BLOCK_TYPE } });
    } catch (error) {
      throw new WorkloadError(
        "artifact-missing",
        `the gateway ${this.url} could not be reached: ${(error as Error).message}`,
      );
    }
    if (response.status === 404) return undefined;
    if (!response.ok || response.body === null)
      throw new WorkloadError("artifact-missing", `the gateway answered ${response.status} for ${ref.cid}`);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > ref.bytes) {
      await response.body.cancel();
      throw new WorkloadError(
        "content-mismatch",
        `the gateway offers ${declared} bytes for ${ref.cid}, more than the ${ref.bytes} expected: refused`,
      );
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        received += chunk.value.length;
        if (received > ref.bytes) {
          throw new WorkloadError(
            "content-mismatch",
            `the gateway sent more than the ${ref.bytes} bytes of ${ref.cid}: refused`,
          );
        }
        chunks.push(chunk.value);
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      if (error instanceof WorkloadError) throw error;
      throw new WorkloadError(
        "artifact-missing",
        `the download of ${ref.cid} was cut short: ${(error as Error).message}`,
      );
    }
    return concatBytes(chunks);
  }

  /** Uploads `bytes`; returns their reference, after checking the CID the gateway reports. */
  async put(bytes: Uint8Array): Promise<ArtifactRef> {
    const response = await this.send(`${this.url}/ipfs/`, bytes);
    const body = (await response.json().catch(() => ({}))) as { cid?: string; error?: string };
    if (!response.ok)
      throw new Error(`the gateway refused the upload (${response.status}): ${body.error ?? "no reason given"}`);
    const cid = artifactCid(bytes);
    if (body.cid !== cid) throw new Error(`the gateway filed the upload as ${body.cid}, not ${cid}`);
    return { cid, bytes: bytes.length };
  }

  /** Posts `signed` in the sender's box of mailbox `name` (replacing the sender's earlier envelope there). */
  async postEnvelope(name: Hex, sender: Address, signed: SignedEnvelope): Promise<void> {
    const response = await this.send(`${this.url}/keys/${name}/${sender}`, JSON.stringify(signed));
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      throw new Error(`the gateway refused the envelope (${response.status}): ${body.error ?? "no reason given"}`);
    }
  }

  /**
   * The envelope `sender` left in mailbox `name`, checked to be signed by `sender` (the gateway is not trusted), or
   * undefined when there is none yet.
   */
  async envelope(name: Hex, sender: Address): Promise<SignedEnvelope | undefined> {
    const response = await this.reach(`${this.url}/keys/${name}/${sender}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`the gateway answered ${response.status} for mailbox ${name}`);
    const signed = parseSignedEnvelope(await response.json());
    if ((await envelopeSigner(name, signed)) !== getAddress(sender)) {
      throw new Error(`the envelope in mailbox ${name} is not signed by ${sender}: refused`);
    }
    return signed;
  }

  /** The senders who left an envelope in mailbox `name` (each envelope is checked when read). */
  async senders(name: Hex): Promise<Address[]> {
    const response = await this.reach(`${this.url}/keys/${name}/`);
    if (!response.ok) throw new Error(`the gateway answered ${response.status} for mailbox ${name}`);
    const body = (await response.json()) as { senders?: unknown };
    if (!Array.isArray(body.senders)) throw new Error(`the gateway's listing of mailbox ${name} is not a list`);
    return body.senders.filter((sender): sender is Address => typeof sender === "string" && isAddress(sender));
  }

  private send(url: string, body: Uint8Array | string): Promise<Response> {
    return this.reach(url, {
      method: "PUT",
      body: body as RequestInit["body"],
      headers: this.uploadToken ? { authorization: `Bearer ${this.uploadToken}` } : {},
    });
  }

  private async reach(url: string, init?: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new Error(`the gateway ${this.url} could not be reached: ${(error as Error).message}`);
    }
  }
}

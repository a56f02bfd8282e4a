import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { get as httpsGet } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, toHex, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  GatewayClient,
  type WasmManifest,
  WorkloadError,
  artifactCid,
  fetchArtifacts,
  mailboxName,
  parseJobManifest,
  signEnvelope,
} from "@starminer/sdk";

import { EXAMPLES_DIRECTORY } from "../../scripts/lib/workloads/examples.js";
import { allRuntimes, executeJob } from "../../scripts/lib/workloads/execute.js";
import { type RunningGateway, startGateway } from "../../scripts/lib/workloads/gateway.js";
import { expectRejection } from "../support/assertions.js";
import { CLI, json } from "../support/cli.js";
import { Background, freePort, runNode } from "../support/processes.js";

const BYTES = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);
const CID = artifactCid(BYTES);

describe("The content gateway: artifacts by CID over HTTP, checked on the way in and out", function () {
  this.timeout(30_000);
  let directory: string;
  let gateway: RunningGateway;
  let client: GatewayClient;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-gateway-"));
    gateway = await startGateway({ directory, uploads: "open", maxUploadBytes: 200_000 });
    client = new GatewayClient(gateway.url);
  });

  afterEach(async () => {
    await gateway.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("files an upload under its CID and serves it back as a raw block, immutable", async () => {
    expect(await client.put(BYTES)).to.deep.equal({ cid: CID, bytes: BYTES.length });
    const response = await fetch(`${gateway.url}/ipfs/${CID}`);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("application/vnd.ipld.raw");
    expect(response.headers.get("etag")).to.equal(`"${CID}"`);
    expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(BYTES))).to.equal(true);
    const head = await fetch(`${gateway.url}/ipfs/${CID}`, { method: "HEAD" });
    expect(head.headers.get("content-length")).to.equal(String(BYTES.length));
    expect(await readdir(directory)).to.deep.equal([CID]);
  });

  it("answers byte ranges, and 416 for a range past the end", async () => {
    await client.put(BYTES);
    const range = async (header: string) => {
      const response = await fetch(`${gateway.url}/ipfs/${CID}`, { headers: { range: header } });
      return {
        status: response.status,
        contentRange: response.headers.get("content-range"),
        body: new Uint8Array(await response.arrayBuffer()),
      };
    };
    const first = await range("bytes=0-9");
    expect(first.status).to.equal(206);
    expect(first.contentRange).to.equal(`bytes 0-9/${BYTES.length}`);
    expect([...first.body]).to.deep.equal([...BYTES.subarray(0, 10)]);
    const tail = await range("bytes=-5");
    expect(tail.contentRange).to.equal(`bytes 99995-99999/${BYTES.length}`);
    expect([...tail.body]).to.deep.equal([...BYTES.subarray(99_995)]);
    expect((await range("bytes=99990-")).body.length).to.equal(10);
    const past = await range("bytes=100000-100010");
    expect(past.status).to.equal(416);
    expect(past.contentRange).to.equal(`bytes */${BYTES.length}`);
  });

  it("refuses an upload over its limit, declared or streamed, and keeps nothing of it", async () => {
    const declared = await fetch(`${gateway.url}/ipfs/`, { method: "PUT", body: new Uint8Array(300_000) });
    expect(declared.status).to.equal(413);
    expect(await declared.json()).to.deep.equal({
      error: "the upload is larger than this gateway's limit of 200000 bytes",
    });
    const chunks = async function* () {
      for (let i = 0; i < 30; i++) yield new Uint8Array(10_000);
    };
    const streamed = await fetch(`${gateway.url}/ipfs/`, {
      method: "PUT",
      body: ReadableStream.from(chunks()),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).to.equal(413);
    expect(await readdir(directory)).to.deep.equal([]);
  });

  it("takes uploads only with the token when it has one, and none when read-only", async () => {
    await gateway.close();
    gateway = await startGateway({ directory, uploadToken: "s3cret-token" });
    const without = await fetch(`${gateway.url}/ipfs/`, { method: "PUT", body: BYTES });
    expect(without.status).to.equal(401);
    const wrong = await fetch(`${gateway.url}/ipfs/`, {
      method: "PUT",
      body: BYTES,
      headers: { authorization: "Bearer s3cret-tokeN" },
    });
    expect(wrong.status).to.equal(401);
    expect(await new GatewayClient(gateway.url, "s3cret-token").put(BYTES)).to.deep.equal({
      cid: CID,
      bytes: BYTES.length,
    });
    await gateway.close();
    gateway = await startGateway({ directory });
    const readOnly = await fetch(`${gateway.url}/ipfs/`, { method: "PUT", body: BYTES });
    expect(readOnly.status).to.equal(403);
    expect(await readOnly.json()).to.deep.equal({ error: "this gateway does not take uploads" });
    expect((await fetch(`${gateway.url}/ipfs/${CID}`)).status).to.equal(200);
  });

  it("keeps mailboxes where each sender writes only its own box, and a reader checks the signature again", async () => {
    const alice = privateKeyToAccount(keccak256(toHex("mailbox alice")));
    const mallory = privateKeyToAccount(keccak256(toHex("mailbox mallory")));
    const name = mailboxName({ chainId: 31337, market: zeroAddress, jobId: 7n, slot: 0, recipient: mallory.address });
    const wrapped = { ephemeralPublicKey: "0x04aa", nonce: "0x0102", ciphertext: "0xbeef" } as const;
    expect(await client.envelope(name, alice.address)).to.equal(undefined);
    const signed = await signEnvelope(alice, name, { wrapped });
    await client.postEnvelope(name, alice.address, signed);
    expect(await client.envelope(name, alice.address)).to.deep.equal(signed);

    // Mallory cannot write Alice's box, neither with her own signature nor by replaying Alice's for another mailbox.
    const forged = await signEnvelope(mallory, name, { wrapped: { ...wrapped, ciphertext: "0xbad0" } });
    await expectRejection(
      client.postEnvelope(name, alice.address, forged),
      /^the gateway refused the envelope \(403\): the envelope is not signed by 0x\w+: only a sender writes its box$/,
    );
    const other = mailboxName({ chainId: 31337, market: zeroAddress, jobId: 8n, slot: 0, recipient: mallory.address });
    await expectRejection(client.postEnvelope(other, alice.address, signed), /\(403\)/);
    // A gateway that swaps the stored envelope is caught by the reader.
    const file = join(directory, ".keys", name, `${alice.address.toLowerCase()}.json`);
    await writeFile(file, JSON.stringify(forged));
    await expectRejection(
      client.envelope(name, alice.address),
      /^the envelope in mailbox 0x\w+ is not signed by 0x\w+: refused$/,
    );

    const put = (body: string) => fetch(`${gateway.url}/keys/${name}/${alice.address}`, { method: "PUT", body });
    expect((await put("not json")).status).to.equal(400);
    expect((await put("x".repeat(5_000))).status).to.equal(413);
    await gateway.close();
    gateway = await startGateway({ directory });
    expect((await put(JSON.stringify(signed))).status, "a read-only gateway takes no envelopes").to.equal(403);
  });

  it("says what is wrong with a request: not a CID, not held, not a route, not a method", async () => {
    const status = async (path: string, method = "GET") => (await fetch(`${gateway.url}${path}`, { method })).status;
    expect(await status("/ipfs/QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU")).to.equal(400);
    expect(await status("/ipfs/..%2F..%2Fetc%2Fpasswd")).to.equal(400);
    expect(await status(`/ipfs/${CID}`)).to.equal(404);
    expect(await status("/upload", "PUT")).to.equal(404);
    expect(await status(`/ipfs/${CID}`, "DELETE")).to.equal(405);
  });

  it("never serves a corrupted file whole: the connection is cut, and the reader says so", async () => {
    await client.put(BYTES);
    const corrupted = Buffer.from(BYTES);
    corrupted[corrupted.length - 1]! ^= 1;
    await writeFile(join(directory, CID), corrupted);
    const error = await client.get({ cid: CID, bytes: BYTES.length }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(WorkloadError);
    expect((error as WorkloadError).code).to.equal("artifact-missing");
    expect((error as WorkloadError).message).to.match(new RegExp(`^the download of ${CID} was cut short`));
  });

  it("a reader refuses a gateway that sends more than the artifact's size, or other bytes", async () => {
    const liar = createServer((request, response) => {
      const body = request.url?.includes("long") ? Buffer.alloc(BYTES.length + 1) : Buffer.alloc(BYTES.length);
      response.writeHead(200, { "content-length": body.length });
      response.end(body);
    });
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    try {
      const longer = await new GatewayClient(`${url}/long`)
        .get({ cid: CID, bytes: BYTES.length })
        .catch((e: unknown) => e);
      expect((longer as Error).message).to.equal(
        `the gateway offers ${BYTES.length + 1} bytes for ${CID}, more than the ${BYTES.length} expected: refused`,
      );
      const manifest = parseJobManifest({
        version: "starminer.job/1",
        runtime: "wasm",
        module: { cid: CID, bytes: BYTES.length },
        args: [],
        files: [],
        outputs: [{ path: "stdout" }],
        limits: { timeMs: 1000, memoryBytes: 1 << 20, outputBytes: 1000 },
      });
      const other = await fetchArtifacts(manifest, new GatewayClient(url)).catch((e: unknown) => e);
      expect((other as WorkloadError).code).to.equal("content-mismatch");
      const gone = await new GatewayClient("http://127.0.0.1:1").get({ cid: CID, bytes: 1 }).catch((e: unknown) => e);
      expect((gone as WorkloadError).code).to.equal("artifact-missing");
      expect((gone as WorkloadError).message).to.match(/^the gateway http:\/\/127\.0\.0\.1:1 could not be reached: /);
    } finally {
      liar.closeAllConnections();
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  it("carries a real job: the example program's artifacts uploaded, then fetched, checked and run", async () => {
    const manifest = parseJobManifest(
      JSON.parse(await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.job.json"), "utf8")),
    ) as WasmManifest;
    await client.put(await readFile(join(EXAMPLES_DIRECTORY, "monte-carlo.wasm")));
    await client.put(await readFile(join(EXAMPLES_DIRECTORY, "market.txt")));
    const outcome = await executeJob(manifest, await fetchArtifacts(manifest, client), allRuntimes());
    expect(outcome.status).to.equal("completed");
  });

  it("serves over TLS when given a certificate", async function () {
    const keyFile = join(directory, "..", `${CID.slice(-8)}.key`);
    const certFile = `${keyFile}.crt`;
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"].concat([
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ]),
      { stdio: "ignore" },
    );
    const [key, cert] = [await readFile(keyFile), await readFile(certFile)];
    await Promise.all([rm(keyFile), rm(certFile)]);
    await gateway.close();
    gateway = await startGateway({ directory, uploads: "open", tls: { key, cert } });
    expect(gateway.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    await writeFile(join(directory, CID), BYTES);
    const body = await new Promise<Buffer>((resolve, reject) => {
      httpsGet(`${gateway.url}/ipfs/${CID}`, { ca: cert }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(Buffer.concat(chunks)));
      }).on("error", reject);
    });
    expect(artifactCid(body)).to.equal(CID);
  });

  it("starminer gateway serve takes uploads with its token, and workload run reads a job from it", async () => {
    const port = await freePort();
    const served = Background.start([CLI, "gateway", "serve", "--dir", directory, "--port", String(port)], {
      STARMINER_GATEWAY_TOKEN: "devnet-token",
    });
    try {
      await served.waitForLine(/^url\s+http:\/\/127\.0\.0\.1:/, 30_000);
      const url = `http://127.0.0.1:${port}`;
      const uploader = new GatewayClient(url, "devnet-token");
      for (const name of ["digits-cnn.onnx", "digit-3.f32"])
        await uploader.put(await readFile(join(EXAMPLES_DIRECTORY, name)));
      const run = (...more: string[]) =>
        runNode([
          CLI,
          "--json",
          "workload",
          "run",
          "--manifest",
          join(EXAMPLES_DIRECTORY, "digits-cnn.job.json"),
          ...more,
        ]);
      const report = json<{ status: string; result: string }>(await run("--gateway", url));
      const local = json<{ result: string }>(await run());
      expect(report.status).to.equal("completed");
      expect(report.result).to.equal(local.result);
      const refused = await fetch(`${url}/ipfs/`, { method: "PUT", body: BYTES });
      expect(refused.status).to.equal(401);
    } finally {
      await served.stop();
    }
  });
});

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { type Hex, createPublicClient, createWalletClient, http, keccak256, toHex, zeroHash } from "viem";
import { privateKeyToAccount, privateKeyToAddress, publicKeyToAddress } from "viem/accounts";
import {
  type ArtifactSource,
  AUDIT_SLOT,
  type EncryptionChoice,
  type FetchJobOutputParameters,
  GatewayClient,
  type JobCommitments,
  type JobManifest,
  type KeyRelease,
  MANIFEST_INPUT_COMMITMENT,
  RUNTIME_BITS,
  StarMinerError,
  WorkloadError,
  artifactCid,
  artifactsOf,
  cidDigest,
  createStarMinerClient,
  decodeOutputs,
  decodeWrappedKey,
  encodeWrappedKey,
  failureOf,
  failureResult,
  fetchArtifacts,
  fetchJobOutput,
  fetchManifest,
  generateJobKey,
  isManifestJob,
  misreleasedSlots,
  openArtifacts,
  parseJobManifest,
  prepareManifestJob,
  publishManifestJob,
  readJobCommitments,
  readJobViews,
  releaseJobKeys,
  requestedPublicKey,
  resultOfOutputs,
  submitManifestJob,
  unwrapKey,
  validatorJobKey,
  waitForResult,
  wrapKey,
  writeAndWait,
} from "@starminer/sdk";

import { type ProtocolClient, connectProtocol } from "../../scripts/lib/client.js";
import { ContentStore } from "../../scripts/lib/content.js";
import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { upholds } from "../../scripts/lib/juror.js";
import { type DaemonEvent, type Fault, ProviderDaemon } from "../../scripts/lib/provider/daemon.js";
import { filesByCid } from "../../scripts/lib/workloads/artifact-store.js";
import { allRuntimes, executeJob } from "../../scripts/lib/workloads/execute.js";
import { type RunningGateway, startGateway } from "../../scripts/lib/workloads/gateway.js";
import { loadJobWork, recomputeResult } from "../../scripts/lib/workloads/job-work.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import {
  DAY,
  JobStatus,
  type JobSpec,
  type Market,
  Mode,
  admitNewProvidersToOptimistic,
  attestEnclave,
  jobSpec,
  setAuditRate,
  submit,
} from "../support/market.js";
import { CLI, as, json, writeSpec } from "../support/cli.js";
import { assembleWat, wasiCommand } from "../support/wat.js";
import { Background, ROOT, runNode } from "../support/processes.js";
import type { Connection, Signer } from "../support/protocol.js";
import { advance } from "../support/scenario.js";

const EXAMPLES = join(ROOT, "examples", "workloads");
const MEASUREMENT = keccak256(toHex("manifest jobs enclave build"));
const ENCLAVE_KEY = keccak256(toHex("manifest jobs enclave key"));
const MAX_OUTPUT = 1 << 20;

/** A job this test submitted: its id, the manifest the chain commits to, and the key the requester keeps. */
interface Submitted {
  readonly jobId: bigint;
  readonly manifest: JobManifest;
  readonly jobKey?: Uint8Array;
}

describe("Manifest jobs on chain: ONNX and WASM through every verification mode (end to end on a local node)", function () {
  this.timeout(600_000);

  let live: LiveMarket;
  let connection: Connection;
  let market: Market;
  let running: RunningGateway;
  let gateway: GatewayClient;
  let examples: ArtifactSource;
  let requester: ProtocolClient;
  const runtimes = allRuntimes();

  const clientOf = (signer: Signer) =>
    connectProtocol({
      rpcUrl: live.rpcUrl,
      manifestDir: live.manifestDir,
      privateKey: devKeyOf(signer.address),
      indexerUrl: "http://127.0.0.1:1",
      contentDir: join(live.workDir, "content"),
    });

  let journals = 0;
  /** A provider daemon in this process, serving manifest jobs from the gateway; its events kept. */
  const daemonOf = async (
    signer: Signer,
    options: { fault?: Fault; enclave?: boolean; maxArtifactBytes?: number } = {},
  ) => {
    const events: DaemonEvent[] = [];
    const daemon = await ProviderDaemon.start(await clientOf(signer), {
      journalPath: join(live.workDir, `journal-${journals++}.json`),
      content: new ContentStore(join(live.workDir, "content")),
      gateway,
      nodeKey: devKeyOf(signer.address),
      ...(options.enclave ? { enclaveKey: ENCLAVE_KEY } : {}),
      ...(options.fault === undefined ? {} : { fault: options.fault }),
      ...(options.maxArtifactBytes === undefined ? {} : { maxArtifactBytes: options.maxArtifactBytes }),
      maxActiveJobs: 8,
      pollMs: 100,
      heartbeatMs: 3_600_000,
      log: (event) => events.push(event),
    });
    return { daemon, events, signer };
  };
  type Daemon = Awaited<ReturnType<typeof daemonOf>>;

  const plainManifest = async (name: string) =>
    parseJobManifest(JSON.parse(await readFile(join(EXAMPLES, `${name}.job.json`), "utf8")));

  /** Publishes `manifest` (its artifacts sealed as `encrypt` says) and submits it as Alice. */
  const submitManifest = async (
    manifest: JobManifest,
    encrypt: EncryptionChoice,
    spec: Partial<JobSpec>,
    files: ArtifactSource = examples,
  ): Promise<Submitted> => {
    const prepared = await prepareManifestJob(manifest, files, encrypt);
    await publishManifestJob(gateway, prepared);
    const now = (await connection.ethers.provider.getBlock("latest"))!.timestamp;
    const jobId = await submit(
      market,
      jobSpec(now, {
        modelCommitment: prepared.modelCommitment,
        inputCommitment: prepared.inputCommitment,
        minVramMiB: 0,
        minComputeCapability: 0,
        ...spec,
      }),
    );
    return { jobId, manifest: prepared.manifest, ...(prepared.jobKey ? { jobKey: prepared.jobKey } : {}) };
  };

  /** Rounds of the daemons, the requester releasing keys between them, until `done` (or a bound on rounds). */
  const drive = async (daemons: Daemon[], jobs: Submitted[], done: () => Promise<boolean>, rounds = 12) => {
    for (let i = 0; i < rounds; i++) {
      for (const { daemon } of daemons) await daemon.round();
      for (const job of jobs) {
        if (job.jobKey !== undefined)
          await releaseJobKeys(requester, { gateway, jobId: job.jobId, jobKey: job.jobKey });
      }
      if (await done()) return;
    }
    const log = daemons.flatMap(({ events }) => events.map((event) => event.message)).join("\n");
    expect.fail(`the jobs did not get there in ${rounds} rounds:\n${log}`);
  };

  const statusOf = async (jobId: bigint) => Number((await market.jobMarket.jobOf(jobId)).status);
  const reaches = (jobId: bigint, status: number) => async () => (await statusOf(jobId)) === status;

  /** The result an honest provider reports: the plaintext manifest run here. */
  const expectedResult = async (manifest: JobManifest) =>
    (await executeJob(manifest, await fetchArtifacts(manifest, examples), runtimes)).result;

  const acceptedOf = async (jobId: bigint) => {
    const job = await market.jobMarket.jobOf(jobId);
    const slots = await market.jobMarket.slotsOf(jobId);
    return slots.filter((_, i) => (Number(job.acceptedSlots) & (1 << i)) !== 0);
  };

  const slashes = async () => market.staking.queryFilter(market.staking.filters.Slashed());

  /** The job's work as an auditor loads it: from the commitments its JobSubmitted event carries, via the gateway. */
  const workOf = async (jobId: bigint) => {
    const [submitted] = await market.jobMarket.queryFilter(market.jobMarket.filters.JobSubmitted(jobId));
    const { specHash, modelCommitment, inputCommitment } = submitted!.args;
    return loadJobWork({ specHash, modelCommitment, inputCommitment } as JobCommitments, { gateway });
  };

  /** The output the requester reads back: fetched, opened with Alice's key when sealed, and checked. */
  const outputOf = async (job: Submitted) => {
    const accepted = await acceptedOf(job.jobId);
    return fetchJobOutput(requester, {
      gateway,
      manifest: job.manifest,
      jobId: job.jobId,
      result: accepted[0]!.result as Hex,
      providers: accepted.map((slot) => slot.provider as Hex),
      requester: market.accounts.alice.address as Hex,
      requesterKey: devKeyOf(market.accounts.alice.address),
      maxOutputBytes: MAX_OUTPUT,
    });
  };

  before(async () => {
    live = await startLiveMarket("manifest-jobs");
    ({ connection, market } = live);
    running = await startGateway({ directory: join(live.workDir, "gateway"), uploads: "open" });
    gateway = new GatewayClient(running.url);
    examples = await filesByCid(EXAMPLES);
    requester = await clientOf(market.accounts.alice);
    // New providers may take optimistic jobs (their reputation is neutral); provider 0 runs in an attested enclave.
    await admitNewProvidersToOptimistic(market);
    await attestEnclave(market, market.providers[0]!, MEASUREMENT, ENCLAVE_KEY);
  });

  after(async () => {
    await running?.close();
    await live?.close();
  });

  for (const name of ["digits-mlp", "monte-carlo"] as const) {
    const runtime = name === "digits-mlp" ? "onnx" : "wasm";

    it(`${runtime}: Consensus, inputs encrypted: three providers agree on the canonical hash, are paid, and the requester reads the output`, async () => {
      const [, p1, p2, p3] = market.providers as [Signer, Signer, Signer, Signer];
      const daemons = [await daemonOf(p1), await daemonOf(p2), await daemonOf(p3)];
      const manifest = await plainManifest(name);
      const job = await submitManifest(manifest, "inputs", { mode: Mode.Consensus, redundancy: 3 });
      expect(job.jobKey, "the inputs are sealed under a job key").not.to.equal(undefined);
      await drive(daemons, [job], reaches(job.jobId, JobStatus.Verified));

      const accepted = await acceptedOf(job.jobId);
      expect(accepted.map((slot) => slot.provider)).to.have.members([p1.address, p2.address, p3.address]);
      const expected = await expectedResult(manifest);
      for (const slot of accepted) expect(slot.result).to.equal(expected);
      expect(failureOf(expected), "an output's result names no failure").to.equal(undefined);
      const output = await outputOf(job);
      expect(output, "the output, sealed to the requester, opened and checked against the result").not.to.equal(
        undefined,
      );
      const outputs = decodeOutputs(output!);
      expect(outputs.map((o) => o.name)).to.deep.equal(
        runtime === "onnx" ? ["scores", "probabilities"] : ["stdout", "out/histogram.csv"],
      );
      // The gateway holds the ciphertext only: the plaintext output is not there under its own address.
      expect(await gateway.get({ cid: artifactCid(output!), bytes: output!.length })).to.equal(undefined);

      const before = (await slashes()).length;
      await advance(connection, DAY + 1);
      await drive(daemons, [], reaches(job.jobId, JobStatus.Settled));
      const paid = await market.jobMarket.queryFilter(market.jobMarket.filters.ProviderPaid(job.jobId));
      expect(paid).to.have.length(3);
      expect((await slashes()).length, "nobody slashed").to.equal(before);
    });
  }

  it("a dApp with the SDK alone: submitManifestJob seals and publishes, releaseJobKeys answers the claimer, fetchJobOutput opens and checks the output", async () => {
    const [, p1] = market.providers as [Signer, Signer];
    const daemons = [await daemonOf(p1)];
    const aliceKey = devKeyOf(market.accounts.alice.address);
    const chain = requester.publicClient.chain!;
    const dapp = createStarMinerClient({
      deployment: requester.deployment,
      publicClient: createPublicClient({ chain, transport: http(live.rpcUrl) }),
      walletClient: createWalletClient({ account: privateKeyToAccount(aliceKey), chain, transport: http(live.rpcUrl) }),
    });
    const manifest = await plainManifest("monte-carlo");
    const spec = { mode: Mode.Optimistic, minVramMiB: 0, minComputeCapability: 0 };

    // Refused before anything is published or sent.
    const sealedAlready = await prepareManifestJob(manifest, examples, "all");
    const jobsBefore = await market.jobMarket.jobCount();
    const refusal = (submission: Promise<unknown>) =>
      submission.then(
        () => expect.fail("submitted"),
        (e: Error) => e,
      );
    const sealedAgain = await refusal(
      submitManifestJob(dapp, { manifest: sealedAlready.manifest, files: examples, gateway, spec }),
    );
    expect(sealedAgain).to.be.instanceOf(StarMinerError);
    expect(sealedAgain.message).to.equal(
      "the manifest already names sealed artifacts: give the manifest of the plaintext files",
    );
    const unknownChoice = await refusal(
      submitManifestJob(dapp, { manifest, files: examples, gateway, spec, encrypt: "some" as EncryptionChoice }),
    );
    expect(unknownChoice).to.be.instanceOf(StarMinerError);
    expect(unknownChoice.message).to.equal('encrypt must be one of none, inputs, all; got "some"');
    expect(await market.jobMarket.jobCount(), "no job submitted").to.equal(jobsBefore);

    const submitted = await submitManifestJob(dapp, { manifest, files: examples, gateway, encrypt: "all", spec });
    const { jobId, prepared } = submitted;
    expect(
      artifactsOf(prepared.manifest).every((ref) => ref.encrypted),
      "the module and its files sealed",
    ).to.equal(true);
    const commitments = await readJobCommitments(dapp, jobId);
    expect(isManifestJob(commitments)).to.equal(true);
    expect(
      await fetchManifest(gateway, commitments.modelCommitment),
      "the manifest the chain commits to",
    ).to.deep.equal(prepared.manifest);

    const releases: KeyRelease[] = [];
    for (let round = 0; round < 12 && (await statusOf(jobId)) === JobStatus.Open; round++) {
      for (const { daemon } of daemons) await daemon.round();
      // With the view a dApp that follows many jobs reads for all of them at once (the other tests let it read).
      const view = (await readJobViews(dapp, [jobId])).get(jobId)!;
      releases.push(...(await releaseJobKeys(dapp, { gateway, jobId, jobKey: prepared.jobKey!, view })));
    }
    expect(releases, "the key released once, on chain, to the claimer's node key").to.deep.equal([
      { slot: 0, to: p1.address },
    ]);
    expect(await misreleasedSlots(dapp, jobId, prepared.jobKey!)).to.deep.equal([]);

    const { result, view } = await waitForResult(dapp, jobId, { timeout: 10_000, pollingInterval: 100 });
    expect(result).to.equal(await expectedResult(manifest));
    const fetch = (overrides: Partial<FetchJobOutputParameters> = {}) =>
      fetchJobOutput(dapp, {
        gateway,
        manifest: prepared.manifest,
        jobId,
        result,
        providers: view.slots.map((slot) => slot.provider),
        requester: market.accounts.alice.address as Hex,
        requesterKey: aliceKey,
        ...overrides,
      });
    const output = await fetch();
    expect(output, "the output sealed to the requester, opened and checked").not.to.equal(undefined);
    expect(decodeOutputs(output!).map((o) => o.name)).to.deep.equal(["stdout", "out/histogram.csv"]);
    expect(resultOfOutputs(manifest, decodeOutputs(output!), output!)).to.equal(result);
    expect(await fetch({ requesterKey: undefined }), "sealed to the requester: nothing in the clear").to.equal(
      undefined,
    );
    expect(await fetch({ result: keccak256(toHex("another result")) }), "no copy matches another result").to.equal(
      undefined,
    );
    expect(await fetch({ requesterKey: devKeyOf(p1.address) }), "another key does not open it").to.equal(undefined);
  });

  it("onnx: Optimistic, audited: a validator re-executes the model from the gateway and finds the result right", async () => {
    const [, p1] = market.providers as [Signer, Signer];
    await setAuditRate(market, 10_000);
    const daemons = [await daemonOf(p1)];
    const job = await submitManifest(await plainManifest("digits-cnn"), "none", { mode: Mode.Optimistic });
    await drive(daemons, [job], reaches(job.jobId, JobStatus.Verified));
    const [slot] = await acceptedOf(job.jobId);
    expect(slot!.provider).to.equal(p1.address);

    const auditor = market.validators[0]!;
    const audited = await recomputeResult(await workOf(job.jobId), runtimes);
    expect(audited).to.equal(slot!.result);
    // The draw is read from the block after the one that follows the verification.
    await advance(connection, 1);
    await advance(connection, 1);
    expect(await market.verificationHub.isAuditSampled(job.jobId)).to.equal(true);
    await market.verificationHub.connect(auditor).reportAudit(job.jobId, audited);
    expect(await statusOf(job.jobId), "a matching audit opens nothing").to.equal(JobStatus.Verified);
    // The output was published in the clear, under the result's own address.
    expect(await outputOf(job)).not.to.equal(undefined);
    await setAuditRate(market, 0);
  });

  it("wasm: Optimistic, audited: a provider that reports a wrong result is caught by the audit's re-execution", async () => {
    const [, , , p3] = market.providers as [Signer, Signer, Signer, Signer];
    await setAuditRate(market, 10_000);
    const liar = await daemonOf(p3, { fault: "wrong-result" });
    const manifest = await plainManifest("monte-carlo");
    const job = await submitManifest(manifest, "none", { mode: Mode.Optimistic });
    await drive([liar], [job], reaches(job.jobId, JobStatus.Verified));
    const [slot] = await acceptedOf(job.jobId);
    const audited = await recomputeResult(await workOf(job.jobId), runtimes);
    expect(audited).to.equal(await expectedResult(manifest));
    expect(slot!.result, "the liar's result").not.to.equal(audited);
    await advance(connection, 1);
    await advance(connection, 1);
    expect(await market.verificationHub.isAuditSampled(job.jobId)).to.equal(true);
    await market.verificationHub.connect(market.validators[0]!).reportAudit(job.jobId, audited);
    expect(await statusOf(job.jobId), "the mismatch opens a dispute").to.equal(JobStatus.Disputed);
    await setAuditRate(market, 0);
  });

  it("an encrypted job sampled for audit: the requester releases the key to an eligible validator only, who re-executes it", async () => {
    const [, p1, p2] = market.providers as [Signer, Signer, Signer];
    await setAuditRate(market, 10_000);
    const manifest = await plainManifest("digits-cnn");
    const job = await submitManifest(manifest, "inputs", { mode: Mode.Optimistic });
    await drive([await daemonOf(p1)], [job], reaches(job.jobId, JobStatus.Verified));
    await advance(connection, 1);
    await advance(connection, 1);
    expect(await market.verificationHub.isAuditSampled(job.jobId)).to.equal(true);

    const auditor = market.validators[0]!;
    const auditorAccount = privateKeyToAccount(devKeyOf(auditor.address));
    const outsider = privateKeyToAccount(devKeyOf(p2.address));
    const ask = (account: typeof outsider) =>
      validatorJobKey(requester, {
        gateway,
        validatorKey: devKeyOf(account.address),
        jobId: job.jobId,
        requester: market.accounts.alice.address as Hex,
      });
    expect(await ask(auditorAccount), "asked, not yet released").to.equal(undefined);
    expect(await ask(outsider), "a provider asks too").to.equal(undefined);
    const released = await releaseJobKeys(requester, { gateway, jobId: job.jobId, jobKey: job.jobKey! });
    expect(released).to.deep.equal([{ slot: AUDIT_SLOT, to: auditor.address }]);
    expect(await ask(outsider), "a provider is not a validator: nothing released to it").to.equal(undefined);

    const key = await ask(auditorAccount);
    expect(key).to.deep.equal(job.jobKey);
    const audited = await recomputeResult(await workOf(job.jobId), runtimes, key);
    expect(audited).to.equal(await expectedResult(manifest));
    await market.verificationHub.connect(auditor).reportAudit(job.jobId, audited);
    expect(await statusOf(job.jobId)).to.equal(JobStatus.Verified);
    // Without the key, the same re-execution is the job's failure to open, not its result.
    expect(await recomputeResult(await workOf(job.jobId), runtimes)).to.equal(failureResult("decryption-failed"));
    await setAuditRate(market, 0);
  });

  for (const name of ["digits-mlp", "monte-carlo"] as const) {
    const runtime = name === "digits-mlp" ? "onnx" : "wasm";

    it(`${runtime}: TEE, inputs encrypted: the key is wrapped to the enclave, and a provider that did not claim cannot open it`, async () => {
      const [p0, p1] = market.providers as [Signer, Signer];
      const enclave = await daemonOf(p0, { enclave: true });
      const manifest = await plainManifest(name);
      const job = await submitManifest(manifest, "inputs", { mode: Mode.TEE, teeRequired: true });
      await drive([enclave], [job], reaches(job.jobId, JobStatus.Verified));
      const [slot] = await acceptedOf(job.jobId);
      expect(slot!.provider).to.equal(p0.address);
      expect(slot!.result).to.equal(await expectedResult(manifest));

      // The key was asked for with the enclave's key, and released on chain wrapped to it: p1 (which did not claim)
      // cannot unwrap it, neither as the recipient nor in the enclave's place.
      const enclaveAddress = privateKeyToAddress(ENCLAVE_KEY);
      const filter = { jobId: job.jobId, slot: 0n, provider: p0.address as Hex };
      const events = {
        address: requester.jobMarket.address,
        abi: requester.jobMarket.abi,
        args: filter,
        fromBlock: 0n,
      };
      const [asked] = await requester.publicClient.getContractEvents({ ...events, eventName: "JobKeyRequested" });
      expect(publicKeyToAddress(requestedPublicKey(asked!.args.publicKey!))).to.equal(enclaveAddress);
      const [released] = await requester.publicClient.getContractEvents({ ...events, eventName: "JobKeyReleased" });
      const wrapped = decodeWrappedKey(released!.args.wrappedKey!);
      const binding = { chainId: requester.chain.id, jobId: job.jobId, slot: 0 };
      for (const recipient of [p1.address as Hex, enclaveAddress]) {
        expect(() => unwrapKey(wrapped, devKeyOf(p1.address), { ...binding, recipient }))
          .to.throw(WorkloadError)
          .with.property("code", "decryption-failed");
      }
      // Without the key, the sealed inputs it can download do not open.
      const work = await workOf(job.jobId);
      if (work.kind !== "manifest") expect.fail("a manifest job");
      expect(work.encrypted).to.equal(true);
      expect(() => openArtifacts(work.manifest, work.sealed, undefined))
        .to.throw(WorkloadError)
        .with.property("code", "decryption-failed");
      // The recorded wrap is the job key's: whoever holds the key can check it.
      expect(await misreleasedSlots(requester, job.jobId, job.jobKey!)).to.deep.equal([]);
      // Nothing more is owed: the one claimer has its key.
      expect(await releaseJobKeys(requester, { gateway, jobId: job.jobId, jobKey: job.jobKey! })).to.deep.equal([]);
    });
  }

  it("a wrong output in a Consensus job is outvoted by the two providers that ran the model", async () => {
    const [, p1, p2, p3] = market.providers as [Signer, Signer, Signer, Signer];
    const daemons = [await daemonOf(p1), await daemonOf(p2), await daemonOf(p3, { fault: "wrong-result" })];
    const manifest = await plainManifest("digits-cnn");
    const job = await submitManifest(manifest, "none", { mode: Mode.Consensus, redundancy: 3 });
    await drive(daemons, [job], reaches(job.jobId, JobStatus.Verified));
    const accepted = await acceptedOf(job.jobId);
    expect(accepted.map((slot) => slot.provider)).to.have.members([p1.address, p2.address]);
    for (const slot of accepted) expect(slot.result).to.equal(await expectedResult(manifest));
  });

  const brokenJobs = [
    {
      what: "a model that does not load",
      code: "model-load" as const,
      example: "digits-mlp",
      broken: async () => new TextEncoder().encode("this is not an ONNX model"),
    },
    {
      what: "a WASM program that traps",
      code: "wasm-trap" as const,
      example: "monte-carlo",
      broken: async () => assembleWat(wasiCommand("unreachable")),
    },
  ];
  for (const { what, code, example, broken } of brokenJobs) {
    it(`${what} is the requester's failure: every provider reports ${code}, they agree and are paid, nobody is slashed`, async () => {
      const [, p1, p2, p3] = market.providers as [Signer, Signer, Signer, Signer];
      const daemons = [await daemonOf(p1), await daemonOf(p2), await daemonOf(p3)];
      const bytes = await broken();
      const plain = await plainManifest(example);
      const program = { cid: artifactCid(bytes), bytes: bytes.length };
      const manifest = (
        plain.runtime === "onnx" ? { ...plain, model: program } : { ...plain, module: program }
      ) as JobManifest;
      const files: ArtifactSource = { get: async (ref) => (ref.cid === program.cid ? bytes : examples.get(ref)) };
      const job = await submitManifest(manifest, "inputs", { mode: Mode.Consensus, redundancy: 3 }, files);
      await drive(daemons, [job], reaches(job.jobId, JobStatus.Verified));
      const accepted = await acceptedOf(job.jobId);
      expect(accepted).to.have.length(3);
      for (const slot of accepted) expect(slot.result).to.equal(failureResult(code));
      expect(failureOf(accepted[0]!.result as Hex), "the result names its failure").to.equal(code);
      const logged = daemons.flatMap(({ events }) => events.map((event) => event.message));
      expect(logged.some((line) => line.includes(`failed by the job's fault (${code}:`))).to.equal(true);
      const before = (await slashes()).length;
      await advance(connection, DAY + 1);
      await drive(daemons, [], reaches(job.jobId, JobStatus.Settled));
      expect(await market.jobMarket.queryFilter(market.jobMarket.filters.ProviderPaid(job.jobId))).to.have.length(3);
      expect((await slashes()).length).to.equal(before);
    });
  }

  it("a key the requester withholds is its failure: the provider reports key-withheld in time instead of missing", async () => {
    const [, p1] = market.providers as [Signer, Signer];
    const provider = await daemonOf(p1);
    const job = await submitManifest(await plainManifest("monte-carlo"), "inputs", { mode: Mode.Optimistic });
    // Rounds without the requester: the key is asked for and never comes.
    await provider.daemon.round();
    expect(provider.events.some((event) => /job key requested/.test(event.message))).to.equal(true);
    expect(await statusOf(job.jobId)).to.equal(JobStatus.Open);
    await advance(connection, 1_801); // half the hour left to deliver
    // The requester wakes up too late: from half the window on the market refuses the key, so the claimer's report
    // cannot be made false after the fact; releaseJobKeys releases nothing, and does not fail.
    expect(await releaseJobKeys(requester, { gateway, jobId: job.jobId, jobKey: job.jobKey! })).to.deep.equal([]);
    await provider.daemon.round();
    const [slot] = await acceptedOf(job.jobId);
    expect(slot!.result).to.equal(failureResult("key-withheld"));
    // The market saw the request go unanswered: the result is excused, accepted and paid; nobody is slashed.
    expect(await market.jobMarket.keyExchangeOf(job.jobId, 0)).to.deep.equal([p1.address, false]);
    expect(await statusOf(job.jobId)).to.equal(JobStatus.Verified);
    const before = (await slashes()).length;
    await advance(connection, DAY + 1);
    await drive([provider], [], reaches(job.jobId, JobStatus.Settled));
    expect(await market.jobMarket.queryFilter(market.jobMarket.filters.ProviderPaid(job.jobId))).to.have.length(1);
    expect((await slashes()).length).to.equal(before);
  });

  it("a key release that does not open is the requester's doing: the claimer reports decryption-failed, and the chain shows it", async () => {
    const [, p1] = market.providers as [Signer, Signer];
    const provider = await daemonOf(p1);
    const job = await submitManifest(await plainManifest("monte-carlo"), "inputs", { mode: Mode.Optimistic });
    await provider.daemon.round();
    // The requester answers the request with the wrap of another key: it opens for the claimer, to the wrong key.
    const [asked] = await requester.publicClient.getContractEvents({
      address: requester.jobMarket.address,
      abi: requester.jobMarket.abi,
      eventName: "JobKeyRequested",
      args: { jobId: job.jobId },
      fromBlock: 0n,
    });
    const publicKey = requestedPublicKey(asked!.args.publicKey!);
    const binding = { chainId: requester.chain.id, jobId: job.jobId, slot: 0, recipient: p1.address as Hex };
    const decoy = encodeWrappedKey(wrapKey(generateJobKey(), publicKey, binding));
    await writeAndWait(requester, requester.jobMarket, "releaseJobKey", [job.jobId, 0n, decoy]);
    await provider.daemon.round();
    const [slot] = await acceptedOf(job.jobId);
    expect(slot!.result).to.equal(failureResult("decryption-failed"));

    // Whoever holds the job key (a juror it was released to) recomputes the recorded wrap and finds it is not the key's.
    expect(await misreleasedSlots(requester, job.jobId, job.jobKey!)).to.deep.equal([0]);
    const correct = await recomputeResult(await workOf(job.jobId), runtimes, job.jobKey);
    expect(correct).not.to.equal(slot!.result);
    const requesterDispute = { result: zeroHash };
    expect(upholds(requesterDispute, slot!.result as Hex, correct, true), "the requester's own doing").to.equal(false);
    expect(upholds(requesterDispute, slot!.result as Hex, correct, false), "a faithful release").to.equal(true);
  });

  it("bad content is never claimed: a manifest missing or invalid, an artifact altered on the gateway or over the provider's limit", async () => {
    const [, p1] = market.providers as [Signer, Signer];
    const provider = await daemonOf(p1);
    const now = async () => (await connection.ethers.provider.getBlock("latest"))!.timestamp;
    const submitRaw = async (modelCommitment: Hex) =>
      submit(
        market,
        jobSpec(await now(), {
          modelCommitment,
          inputCommitment: MANIFEST_INPUT_COMMITMENT,
          minVramMiB: 0,
          minComputeCapability: 0,
        }),
      );
    const passed = (events: DaemonEvent[], jobId: bigint) =>
      events.find((event) => event.message.startsWith(`job ${jobId}: passed over`))?.message;

    // A manifest that does not validate (no module), published under its own address; a manifest nobody published.
    const invalid = new TextEncoder().encode(JSON.stringify({ version: "starminer.job/1", runtime: "wasm" }));
    const invalidJob = await submitRaw(cidDigest((await gateway.put(invalid)).cid));
    const missingJob = await submitRaw(keccak256(toHex("no such manifest")));
    // A job whose input file the gateway's disk altered after upload (same length, other bytes).
    const input = new TextEncoder().encode("100 100 0.05 0.2 1\n");
    const plain = await plainManifest("monte-carlo");
    if (plain.runtime !== "wasm") expect.fail("the Monte Carlo example is a WASM job");
    const altered = {
      ...plain,
      files: [{ path: "in/market.txt", data: { cid: artifactCid(input), bytes: input.length } }],
    } as JobManifest;
    const files: ArtifactSource = { get: async (ref) => (ref.cid === artifactCid(input) ? input : examples.get(ref)) };
    const alteredJob = await submitManifest(altered, "none", { mode: Mode.Optimistic }, files);
    await writeFile(
      join(live.workDir, "gateway", artifactCid(input)),
      input.map((byte) => byte ^ 1),
    );

    await provider.daemon.round();
    expect(passed(provider.events, invalidJob)).to.match(/manifest: must have required property 'module'/);
    expect(passed(provider.events, missingJob)).to.match(/the manifest .* was not found/);
    expect(passed(provider.events, alteredJob.jobId)).to.match(/the download of .* was cut short/);

    // A provider that takes artifacts of at most 1 KiB passes over the Monte Carlo module (about 23 KB).
    const small = await daemonOf(p1, { maxArtifactBytes: 1_024 });
    const big = await submitManifest(await plainManifest("monte-carlo"), "none", { mode: Mode.Optimistic });
    await small.daemon.round();
    expect(passed(small.events, big.jobId)).to.match(/declares \d+ bytes; this provider takes at most 1024/);

    for (const jobId of [invalidJob, missingJob, alteredJob.jobId])
      expect(await statusOf(jobId)).to.equal(JobStatus.Open);
    // Nothing was claimed, so the requester cancels and gets its escrow back in full.
    const balance = await market.agpu.balanceOf(market.accounts.alice.address);
    const escrow = (await market.jobMarket.jobOf(invalidJob)).escrow;
    await market.jobMarket.connect(market.accounts.alice).cancelJob(invalidJob);
    expect(await market.agpu.balanceOf(market.accounts.alice.address)).to.equal(balance + escrow);
    // The big job is still open for a provider that takes it.
    await provider.daemon.round();
    await provider.daemon.round();
    expect(await statusOf(big.jobId)).to.equal(JobStatus.Verified);
  });

  it("the command line: job submit --manifest seals, publishes and releases the key; provider run serves it; job result opens the output", async () => {
    const [, p1] = market.providers as [Signer, Signer];
    const environment = (signer: Signer) => ({
      STARMINER_RPC_URL: live.rpcUrl,
      STARMINER_MANIFEST_DIR: live.manifestDir,
      STARMINER_CONTENT_DIR: join(live.workDir, "content"),
      STARMINER_HOME: join(live.workDir, `home-${signer.address}`),
      STARMINER_GATEWAY_URL: running.url,
      ...as(signer.address),
    });
    const daemon = Background.start(
      [
        CLI,
        "provider",
        "run",
        "--journal",
        join(live.workDir, "cli-journal.json"),
        "--poll-ms",
        "200",
        "--runtimes",
        "onnx",
      ],
      environment(p1),
    );
    try {
      const started = await daemon.waitForLine(/started\s+provider/);
      // It serves ONNX only, and says so in the registry, for the matcher.
      expect(started).to.match(/runtimes onnx on cpu \(now advertised in the registry\);/);
      expect(await market.nodeRegistry.runtimesOf(p1.address)).to.equal(BigInt(RUNTIME_BITS.onnx));
      const spec = await writeSpec(live.workDir, "cli-manifest-spec.json", {
        zone: "eu-west",
        gpuHours: 1,
        maxTotal: "100000",
        mode: "optimistic",
      });
      const submitted = json<{ jobId: string; encrypted: boolean; modelCommitment: Hex }>(
        await runNode(
          [
            CLI,
            "--json",
            "job",
            "submit",
            "--spec",
            spec,
            "--manifest",
            join(EXAMPLES, "digits-mlp.job.json"),
            "--timeout-seconds",
            "120",
          ],
          environment(market.accounts.alice),
        ),
      );
      expect(submitted.encrypted).to.equal(true);
      const jobId = BigInt(submitted.jobId);
      expect(await statusOf(jobId), "the command returns once every slot has delivered").to.equal(JobStatus.Verified);
      await daemon.waitForLine(new RegExp(`job ${jobId}: onnx on cpu \\(.*\\), completed in \\d+ ms`));

      const outputFile = join(live.workDir, "digits-output.json");
      const result = json<{ runtime: string; result: Hex; output: unknown }>(
        await runNode(
          [CLI, "--json", "job", "result", jobId.toString(), "--output", outputFile],
          environment(market.accounts.alice),
        ),
      );
      expect(result.runtime).to.equal("onnx");
      const plain = await plainManifest("digits-mlp");
      const expected = await executeJob(plain, await fetchArtifacts(plain, examples), runtimes);
      if (expected.status !== "completed") expect.fail("the example runs");
      expect(result.result).to.equal(expected.result);
      expect(result.output, "the classes and scores, as this machine computes them").to.deep.equal(
        decodeOutputs(expected.output),
      );
      expect(new Uint8Array(await readFile(outputFile))).to.deep.equal(expected.output);

      // Someone else's key cannot open the sealed output: the command says it has none. (No test publishes this
      // output in the clear: a copy in the clear, under the result's own address, would be anyone's to read.)
      const stranger = json<{ output: unknown }>(
        await runNode([CLI, "--json", "job", "result", jobId.toString()], environment(p1)),
      );
      expect(stranger.output).to.equal(null);
    } finally {
      await daemon.kill();
    }
  });
});

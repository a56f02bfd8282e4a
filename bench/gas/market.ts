import { type Address, encodeAbiParameters, keccak256, parseEther, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type JobSpec,
  Mode,
  NodeRole,
  Tee,
  WorkloadClass,
  encodeWrappedKey,
  fieldToBytes32,
  generateJobKey,
  inputHash,
  jobSpec,
  modelHash,
  providerMetadata,
  requestPublicKey,
  resultCommitment,
  serviceNodeMetadata,
  wrapKey,
} from "@starminer/sdk";

import { devKeyOf } from "../../scripts/lib/dev-accounts.js";
import { manifestContract } from "../../scripts/lib/manifest.js";
import { proveResultCommitment, resultDigest } from "../../scripts/lib/zk/commitment.js";
import { proveDenseLayer } from "../../scripts/lib/zk/dense-layer.js";
import { commitmentEvidence, inferenceEvidence } from "../../scripts/lib/zk/workloads.js";
import { Role } from "../../scripts/lib/roles.js";
import type { GasContext } from "./context.js";

const MODEL_CREATOR: Address = "0x00000000000000000000000000000000000c0ffe";
const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
const HOUR = 3_600;
const DAY = 86_400;
const ANSWER = keccak256(toHex("answer"));
const MEASUREMENT = keccak256(toHex("enclave:bench"));
/** A fixed, public test key: the bench's enclave. */
const ENCLAVE = privateKeyToAccount("0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63");

/** Targets from the market's specification, printed beside the measured totals. */
export const MARKET_TARGETS = {
  optimisticSingle: 400_000n,
  consensusTriple: 1_000_000n,
  zkDenseLayer: 650_000n,
  batchedSettlementPerJob: 60_000n,
  batchedClaimPerJob: 60_000n,
} as const;

/** How many jobs the batched settlement and the batched claims are measured with. */
export const SETTLEMENT_BATCH = 32;

/** What the market measures beside its operations: whole jobs, and batched settlement's and claims' gas per job. */
export interface MarketFigures {
  readonly optimistic: bigint;
  readonly consensus: bigint;
  readonly zkDenseLayer: bigint;
  readonly batchedSettlementPerJob: bigint;
  readonly batchedClaimPerJob: bigint;
}

/**
 * The job lifecycle, step by step and end to end: a single-provider Optimistic job, a three-provider Consensus
 * job, a TEE delivery, a failover, a cancellation, an audit and a dispute with its committee.
 */
export async function measureMarket(context: GasContext): Promise<MarketFigures> {
  const { send, accounts } = context;
  const [deployer] = accounts as [Address];
  const requester = accounts[12] as Address;
  const providers = accounts.slice(13, 16) as Address[];
  const validators = accounts.slice(16, 20) as Address[];
  const { setup } = context;

  await setup("AccessManager", "grantRole", [Role.REPUTATION_WRITER, deployer, 0], deployer);
  await setup("AccessManager", "grantRole", [Role.GOVERNOR, deployer, 0], deployer);
  await setup("AccessManager", "grantRole", [Role.ATTESTER, deployer, 0], deployer);
  const market = manifestContract(context.manifest, "JobMarket").address;
  const hub = manifestContract(context.manifest, "VerificationHub").address;
  const staking = manifestContract(context.manifest, "Staking").address;
  await setup("AGPU", "transfer", [requester, parseEther("100000")], deployer);
  await setup("AGPU", "approve", [market, parseEther("100000")], requester);
  await setup("AGPU", "approve", [hub, parseEther("100000")], requester);
  for (const [index, node] of [...providers, ...validators].entries()) {
    const isProvider = index < providers.length;
    const stake = parseEther(isProvider ? "10000" : "5000");
    await setup("AGPU", "transfer", [node, stake], deployer);
    await setup("AGPU", "approve", [staking, stake], node);
    await setup("Staking", "stake", [stake], node);
    await setup(
      "NodeRegistry",
      "register",
      [isProvider ? NodeRole.PROVIDER : NodeRole.VALIDATOR, metadata(index, isProvider)],
      node,
    );
    if (!isProvider && index === providers.length) {
      await send("VerificationHub", "joinPool", [], { from: node, operation: "joinPool (a validator joins the pool)" });
    } else if (!isProvider) {
      await setup("VerificationHub", "joinPool", [], node);
    }
    if (isProvider) {
      for (let i = 1; i <= 4; i++) {
        const requester = toHex(0xa000 + i, { size: 20 });
        await setup(
          "Reputation",
          "recordOutcome",
          [node, 0, 10_000, toHex(i, { size: 32 }), parseEther("100"), requester],
          deployer,
        );
      }
    }
  }
  const [first, second, third] = providers as [Address, Address, Address];
  let jobs = 0n;
  const spec = async (overrides: Partial<JobSpec> = {}) =>
    jobSpec(await now(context), { modelCreator: MODEL_CREATOR, ...overrides });

  // A market already in use: one job has gone through it, so counters and balances are warm, as on a live chain.
  await setup("JobMarket", "submitJob", [await spec()], requester);
  const warmUp = ++jobs;
  await setup("JobMarket", "claimSlot", [warmUp], first);
  await setup("JobMarket", "submitResult", [warmUp, 0, ANSWER, "0x"], first);
  await context.increaseTime(DAY + 1);
  await setup("JobMarket", "finalize", [warmUp], first);

  // A single-provider Optimistic job: submit, claim, deliver, finalize after the challenge window.
  let optimistic = 0n;
  optimistic += await send("JobMarket", "submitJob", [await spec()], {
    from: requester,
    operation: "submitJob (Optimistic, 1 provider)",
  });
  const single = ++jobs;
  optimistic += await send("JobMarket", "claimSlot", [single], { from: first, operation: "claimSlot (first slot)" });
  optimistic += await send("JobMarket", "submitResult", [single, 0, ANSWER, "0x"], {
    from: first,
    operation: "submitResult (Optimistic, verifies the job)",
  });
  await context.increaseTime(DAY + 1);
  optimistic += await send("JobMarket", "finalize", [single], {
    from: first,
    operation: "finalize (1 provider, no model creator)",
  });
  await send("JobMarket", "sweepFees", [], { from: deployer });

  // A three-provider Consensus job with commit-reveal.
  let consensus = 0n;
  consensus += await send("JobMarket", "submitJob", [await spec({ mode: Mode.Consensus, redundancy: 3 })], {
    from: requester,
    operation: "submitJob (Consensus, 3 providers)",
  });
  const triple = ++jobs;
  for (const [slot, provider] of providers.entries()) {
    consensus += await send("JobMarket", "claimSlot", [triple], {
      from: provider,
      operation: `claimSlot (slot ${slot + 1} of 3)`,
    });
  }
  for (const [slot, provider] of providers.entries()) {
    consensus += await send(
      "JobMarket",
      "commitResult",
      [triple, slot, resultCommitment(triple, slot, provider, ANSWER, toHex(slot + 1, { size: 32 }))],
      {
        from: provider,
        operation: slot === 2 ? "commitResult (last, opens reveals)" : `commitResult (slot ${slot + 1} of 3)`,
      },
    );
  }
  for (const [slot, provider] of providers.entries()) {
    consensus += await send("JobMarket", "revealResult", [triple, slot, ANSWER, toHex(slot + 1, { size: 32 }), "0x"], {
      from: provider,
      operation: slot === 2 ? "revealResult (last, tallies 3 results)" : `revealResult (slot ${slot + 1} of 3)`,
    });
  }
  await context.increaseTime(DAY + 1);
  consensus += await send("JobMarket", "finalize", [triple], {
    from: first,
    operation: "finalize (3 providers, with model creator)",
  });

  // Batched claims and settlement: many small Optimistic jobs, claimed by one provider in one transaction and
  // delivered (its own batch), or claimed one by one and delivered by three (a keeper's batch), each batch then
  // finalized in one transaction after the challenge window.
  const submitted = async () => {
    const ids: bigint[] = [];
    for (let i = 0; i < SETTLEMENT_BATCH; i++) {
      await setup("JobMarket", "submitJob", [await spec({ modelCreator: ZERO_ADDRESS })], requester);
      ids.push(++jobs);
    }
    return ids;
  };
  const ownBatch = await submitted();
  const batchedClaim = await send("JobMarket", "claimMany", [ownBatch], {
    from: first,
    operation: `claimMany (${SETTLEMENT_BATCH} Optimistic jobs, 1 provider)`,
  });
  for (const jobId of ownBatch) await setup("JobMarket", "submitResult", [jobId, 0, ANSWER, "0x"], first);
  const batchedClaimPerJob = batchedClaim / BigInt(SETTLEMENT_BATCH);
  const keeperBatch = await submitted();
  for (const [i, jobId] of keeperBatch.entries()) {
    const provider = providers[i % providers.length] as Address;
    await setup("JobMarket", "claimSlot", [jobId], provider);
    await setup("JobMarket", "submitResult", [jobId, 0, ANSWER, "0x"], provider);
  }
  await context.increaseTime(DAY + 1);
  const batchedSettlement = await send("JobMarket", "finalizeMany", [ownBatch], {
    from: first,
    operation: `finalizeMany (${SETTLEMENT_BATCH} Optimistic jobs, 1 provider)`,
  });
  const keeperSettlement = await send("JobMarket", "finalizeMany", [keeperBatch], {
    from: deployer,
    operation: `finalizeMany (${SETTLEMENT_BATCH} Optimistic jobs, 3 providers)`,
  });
  await setup("JobMarket", "sweepFees", [], deployer);
  const batchedSettlementPerJob =
    (keeperSettlement > batchedSettlement ? keeperSettlement : batchedSettlement) / BigInt(SETTLEMENT_BATCH);

  // TEE: a result signed by the provider's enclave key.
  await send("NodeRegistry", "updateMetadata", [{ ...metadata(0, true), teeType: Tee.NvidiaCc }], {
    from: first,
    operation: "updateMetadata (declare a TEE)",
  });
  await setup("NodeRegistry", "setEnclaveMeasurementAllowed", [MEASUREMENT, true], deployer);
  await setup(
    "NodeRegistry",
    "registerAttestation",
    [first, Tee.NvidiaCc, MEASUREMENT, keccak256(toHex("report")), ENCLAVE.address],
    deployer,
  );
  await setup("JobMarket", "submitJob", [await spec({ mode: Mode.TEE })], requester);
  const tee = ++jobs;
  await setup("JobMarket", "claimSlot", [tee], first);
  const signature = await ENCLAVE.signTypedData({
    domain: { name: "StarMiner VerificationHub", version: "1", chainId: 31_337, verifyingContract: hub },
    types: {
      TeeResult: [
        { name: "jobId", type: "uint256" },
        { name: "provider", type: "address" },
        { name: "result", type: "bytes32" },
      ],
    },
    primaryType: "TeeResult",
    message: { jobId: tee, provider: first, result: ANSWER },
  });
  await send("JobMarket", "submitResult", [tee, 0, ANSWER, signature], {
    from: first,
    operation: "submitResult (TEE, checks the enclave signature)",
  });

  // ZK: a result proven with a real Groth16 proof, for each workload class.
  await setup(
    "JobMarket",
    "submitJob",
    [await spec({ mode: Mode.ZK, workloadClass: WorkloadClass.ComputeCommitment })],
    requester,
  );
  const committed = ++jobs;
  await setup("JobMarket", "claimSlot", [committed], second);
  const bound = await proveResultCommitment({
    jobId: committed,
    provider: second,
    resultDigest: resultDigest(toHex("result bytes")),
    salt: 7n,
  });
  await send(
    "JobMarket",
    "submitResult",
    [committed, 0, fieldToBytes32(bound.commitment), commitmentEvidence(bound.proof)],
    {
      from: second,
      operation: "submitResult (ZK, compute-commitment proof)",
    },
  );
  const model = {
    weights: Array.from({ length: 16 }, (_, j) => Array.from({ length: 16 }, (_, i) => ((i * 7 + j * 13) % 256) - 128)),
    biases: Array.from({ length: 16 }, (_, j) => j * 100 - 800),
  };
  const input = Array.from({ length: 16 }, (_, i) => ((i * 29) % 256) - 128);
  const layerSpec = await spec({
    mode: Mode.ZK,
    workloadClass: WorkloadClass.DenseLayer,
    modelCommitment: fieldToBytes32(modelHash(model)),
    inputCommitment: fieldToBytes32(inputHash(input)),
  });
  // A whole ZK job (a dense layer), finalized below once its challenge window has passed. Its claim is not the
  // zone's first of the epoch (the jobs above were claimed in it): the common case in a market in use.
  let zkDenseLayer = await send("JobMarket", "submitJob", [layerSpec], {
    from: requester,
    operation: "submitJob (ZK, dense layer)",
  });
  const layer = ++jobs;
  zkDenseLayer += await send("JobMarket", "claimSlot", [layer], {
    from: third,
    operation: "claimSlot (first slot, the zone's demand already recorded in the epoch)",
  });
  const proven = await proveDenseLayer(model, input, { jobId: layer, provider: third });
  zkDenseLayer += await send(
    "JobMarket",
    "submitResult",
    [layer, 0, fieldToBytes32(proven.hashes.outputHash), inferenceEvidence(proven.proof, proven.hashes)],
    { from: third, operation: "submitResult (ZK, dense-layer proof)" },
  );

  // A sealed job's key, exchanged on chain: the claimer asks with its node key, the requester records the wrap.
  await setup("JobMarket", "submitJob", [await spec()], requester);
  const sealed = ++jobs;
  await setup("JobMarket", "claimSlot", [sealed], first);
  const nodeKey = devKeyOf(first);
  await send("JobMarket", "requestJobKey", [sealed, 0, requestPublicKey(nodeKey)], {
    from: first,
    operation: "requestJobKey (a sealed job's claimer asks)",
  });
  const binding = { chainId: await context.publicClient.getChainId(), jobId: sealed, slot: 0, recipient: first };
  const wrapped = wrapKey(generateJobKey(), privateKeyToAccount(nodeKey).publicKey, binding);
  await send("JobMarket", "releaseJobKey", [sealed, 0, encodeWrappedKey(wrapped)], {
    from: requester,
    operation: "releaseJobKey (the requester records a 125-byte wrap)",
  });
  await setup("JobMarket", "submitResult", [sealed, 0, ANSWER, "0x"], first);

  // Failover: a missed delivery is slashed and the slot reopened; then a cancellation.
  await setup("JobMarket", "submitJob", [await spec()], requester);
  const missed = ++jobs;
  await setup("JobMarket", "claimSlot", [missed], second);
  await context.increaseTime(HOUR + 1);
  await send("JobMarket", "expireSlot", [missed, 0], {
    from: third,
    operation: "expireSlot (slash, reopen the slot)",
  });
  await send("JobMarket", "cancelJob", [missed], { from: requester, operation: "cancelJob (refund the escrow)" });

  // An audit that fails, and the committee's verdict; then a requester's dispute.
  await setup("VerificationHub", "setParameters", [hubParameters(10_000)], deployer);
  await setup("JobMarket", "submitJob", [await spec()], requester);
  const audited = ++jobs;
  await setup("JobMarket", "claimSlot", [audited], third);
  await setup("JobMarket", "submitResult", [audited, 0, ANSWER, "0x"], third);
  // The audit draw reads the hash of the block after the verification.
  await context.increaseTime(1);
  await send("VerificationHub", "drawAudit", [audited], {
    from: third,
    operation: "drawAudit (record a verified job's audit draw)",
  });
  await send("VerificationHub", "reportAudit", [audited, keccak256(toHex("other"))], {
    from: validators[0] as Address,
    operation: "reportAudit (mismatch, opens a dispute)",
  });
  await context.increaseTime(1);
  await send("VerificationHub", "drawCommittee", [audited], {
    from: deployer,
    operation: "drawCommittee (3 of 3 eligible validators, by stake)",
  });
  // Every juror commits, then reveals: measured for the audit's committee, set up for the requester's dispute.
  const vote = async (jobId: bigint, uphold: boolean, measured: boolean) => {
    const jurors = (await context.publicClient.readContract({
      address: hub,
      abi: manifestContract(context.manifest, "VerificationHub").abi,
      functionName: "jurorsOf",
      args: [jobId],
    })) as Address[];
    const salt = (index: number) => toHex(index + 1, { size: 32 });
    for (const [index, juror] of jurors.entries()) {
      const commitment = keccak256(
        encodeAbiParameters(
          [{ type: "uint256" }, { type: "address" }, { type: "bool" }, { type: "bytes32" }],
          [jobId, juror, uphold, salt(index)],
        ),
      );
      if (measured) {
        await send("VerificationHub", "commitVote", [jobId, commitment], {
          from: juror,
          operation: `commitVote (${index + 1} of 3)`,
        });
      } else await setup("VerificationHub", "commitVote", [jobId, commitment], juror);
    }
    for (const [index, juror] of jurors.entries()) {
      if (measured) {
        await send("VerificationHub", "revealVote", [jobId, uphold, salt(index)], {
          from: juror,
          operation: `revealVote (${index + 1} of 3)`,
        });
      } else await setup("VerificationHub", "revealVote", [jobId, uphold, salt(index)], juror);
    }
  };
  await vote(audited, true, true);
  // The ruling may be appealed for a day after the last vote.
  await context.increaseTime(DAY + 1);
  await send("VerificationHub", "resolveDispute", [audited], {
    from: deployer,
    operation: "resolveDispute (upheld: slash, refund, settle 3 jurors)",
  });
  zkDenseLayer += await send("JobMarket", "finalize", [layer], {
    from: third,
    operation: "finalize (ZK, dense layer, 1 provider)",
  });
  await setup("VerificationHub", "setParameters", [hubParameters(0)], deployer);
  await setup("JobMarket", "submitJob", [await spec()], requester);
  const disputed = ++jobs;
  await setup("JobMarket", "claimSlot", [disputed], second);
  await setup("JobMarket", "submitResult", [disputed, 0, ANSWER, "0x"], second);
  await send("VerificationHub", "openDispute", [disputed], {
    from: requester,
    operation: "openDispute (requester posts the bond)",
  });
  // The committee rejects the dispute; the requester appeals to a larger one.
  await context.increaseTime(1);
  await setup("VerificationHub", "drawCommittee", [disputed], deployer);
  await vote(disputed, false, false);
  await send("VerificationHub", "appeal", [disputed], {
    from: requester,
    operation: "appeal (one juror collateral; a committee of 7 to be drawn)",
  });
  return { optimistic, consensus, zkDenseLayer, batchedSettlementPerJob, batchedClaimPerJob };
}

function metadata(index: number, provider: boolean) {
  const endpoint = `https://market-${index}.example.net`;
  return provider ? providerMetadata({ endpoint }) : serviceNodeMetadata({ endpoint });
}

function hubParameters(auditRateBps: number) {
  return {
    auditRateBps,
    disputeBondBps: 1_000,
    votingPeriod: 2 * DAY,
    committeeSize: 3,
    revealPeriod: DAY,
    jurorCollateral: parseEther("250"),
    appealPeriod: DAY,
    jurorFeeBps: 4_500,
  };
}

async function now(context: GasContext): Promise<bigint> {
  return (await context.publicClient.getBlock({ blockTag: "latest" })).timestamp;
}

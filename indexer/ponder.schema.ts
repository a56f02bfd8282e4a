/**
 * What the indexer stores. Every table is rebuilt from protocol events alone; ids of rows made from one event are
 * Ponder's event id, which sorts in chain order (block, transaction, log). Amounts are AGPU wei, times are unix
 * seconds, basis points are out of 10 000.
 */
import { index, onchainEnum, onchainTable, relations } from "ponder";

export const jobStatus = onchainEnum("job_status", [
  "Open",
  "Verified",
  "Disputed",
  "Settled",
  "Refunded",
  "Cancelled",
]);
export const slotStatus = onchainEnum("slot_status", ["Open", "Claimed", "Committed", "Revealed", "Missed"]);
export const verificationMode = onchainEnum("verification_mode", ["Consensus", "Optimistic", "TEE", "ZK"]);
export const resultStatus = onchainEnum("result_status", ["Revealed", "Accepted", "Rejected", "Overturned"]);
export const reputationOutcome = onchainEnum("reputation_outcome", ["Completed", "Missed", "Faulty"]);
export const unbondingStatus = onchainEnum("unbonding_status", ["Pending", "Withdrawn"]);
export const disputeVerdict = onchainEnum("dispute_verdict", ["Pending", "Upheld", "Rejected", "NoDecision"]);
export const roundStatus = onchainEnum("round_status", ["Open", "Finalized", "Discarded"]);
export const priceSource = onchainEnum("price_source", ["Epoch", "Quote", "Tiers"]);

// -------------------------------------------------------------------------------------------------
// The audit trail
// -------------------------------------------------------------------------------------------------

/** Every event of every protocol contract, in chain order. */
export const protocolEvent = onchainTable(
  "protocol_event",
  (t) => ({
    id: t.text().primaryKey(),
    /** The chain it happened on: the home chain, or a remote chain the bridge reaches. */
    chainId: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    blockHash: t.hex().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    txIndex: t.integer().notNull(),
    logIndex: t.integer().notNull(),
    contract: t.text().notNull(),
    address: t.hex().notNull(),
    event: t.text().notNull(),
    /** The account that sent the transaction. */
    actor: t.hex().notNull(),
    /** The job the event belongs to: named by the event, or by another event of the same transaction. */
    jobId: t.bigint(),
    /** The decoded arguments, with integers as decimal strings. */
    args: t.json().notNull(),
  }),
  (table) => ({
    /** A job's trail in chain order, and its newest event: what its cached trail is checked by (src/api/jobs.ts). */
    jobIdx: index().on(table.jobId, table.id),
    /** Each chain's newest event: what the API's response cache is keyed by (src/api/indexed-head.ts). */
    chainIdx: index().on(table.chainId, table.id),
    txIdx: index().on(table.txHash),
    actorIdx: index().on(table.actor),
    contractEventIdx: index().on(table.contract, table.event),
  }),
);

/** A transaction that emitted protocol events, and the job it served. */
export const protocolTransaction = onchainTable(
  "protocol_transaction",
  (t) => ({
    id: t.hex().primaryKey(),
    chainId: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    from: t.hex().notNull(),
    to: t.hex(),
    jobId: t.bigint(),
    eventCount: t.integer().notNull(),
    /** Events of this transaction seen before any named its job: they take the job once one does. */
    unassignedEvents: t.json().$type<string[]>().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId) }),
);

/**
 * An account an event concerns: the transaction's sender and every address among the event's arguments (a slashed
 * node, a juror, a recipient). A node's own trail is every event it is a party to, whoever sent it.
 */
export const eventParty = onchainTable(
  "event_party",
  (t) => ({
    /** `<eventId>-<account>` */
    id: t.text().primaryKey(),
    eventId: t.text().notNull(),
    account: t.hex().notNull(),
    /** The argument naming the account (`provider`, `node`, ...), or `sender` for the transaction's sender. */
    roles: t.text().array().notNull(),
  }),
  (table) => ({ accountIdx: index().on(table.account, table.eventId) }),
);

/** The latest value of every parameter-setting event (`...Set`), per contract. */
export const protocolParameter = onchainTable("protocol_parameter", (t) => ({
  /** `<contract>.<event>`, or `<contract>@<chainId>.<event>` on a remote chain */
  id: t.text().primaryKey(),
  chainId: t.integer().notNull(),
  contract: t.text().notNull(),
  event: t.text().notNull(),
  value: t.json().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

// -------------------------------------------------------------------------------------------------
// Nodes, stakes and slashes
// -------------------------------------------------------------------------------------------------

/** A node: a provider, validator, oracle or requester, with its stake and reputation. */
export const node = onchainTable(
  "node",
  (t) => ({
    id: t.hex().primaryKey(),
    registered: t.boolean().notNull(),
    active: t.boolean().notNull(),
    roles: t.integer().notNull(),
    zone: t.hex(),
    endpoint: t.text(),
    gpuModel: t.text(),
    vramMiB: t.integer(),
    computeCapability: t.integer(),
    tflopsCenti: t.integer(),
    registeredAt: t.bigint(),
    teeType: t.integer(),
    enclaveMeasurement: t.hex(),
    enclaveSigner: t.hex(),
    capabilityCommitment: t.hex(),
    capabilityVerified: t.boolean().notNull(),
    /** The workload runtimes a provider advertises, one bit each: 1 the dense layer, 2 ONNX, 4 WebAssembly. */
    runtimes: t.integer().notNull(),
    /** Bonded stake, including the part locked as collateral. */
    staked: t.bigint().notNull(),
    locked: t.bigint().notNull(),
    unbonding: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
    slashCount: t.integer().notNull(),
    reliability: t.integer(),
    accuracy: t.integer(),
    speed: t.integer(),
    composite: t.integer(),
    reputationUpdates: t.integer().notNull(),
    /** When the scores above were written: the contract decays them toward neutral from then on. */
    reputationAt: t.bigint(),
    slotsClaimed: t.integer().notNull(),
    slotsDelivered: t.integer().notNull(),
    slotsMissed: t.integer().notNull(),
    /** Everything paid to the node as a provider. */
    earned: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ zoneIdx: index().on(table.zone) }),
);

/** A change of a node's stake, with the balances after it. */
export const stakeChange = onchainTable(
  "stake_change",
  (t) => ({
    id: t.text().primaryKey(),
    node: t.hex().notNull(),
    kind: t
      .text({
        enum: [
          "Staked",
          "UnbondingRequested",
          "Withdrawn",
          "CollateralLocked",
          "CollateralUnlocked",
          "Slashed",
          "CollateralForfeited",
        ],
      })
      .notNull(),
    amount: t.bigint().notNull(),
    staked: t.bigint().notNull(),
    locked: t.bigint().notNull(),
    unbonding: t.bigint().notNull(),
    jobId: t.bigint(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ nodeIdx: index().on(table.node) }),
);

/** One unbonding request and what became of it. */
export const unbonding = onchainTable(
  "unbonding",
  (t) => ({
    id: t.text().primaryKey(),
    node: t.hex().notNull(),
    amount: t.bigint().notNull(),
    /** What is still waiting: less than `amount` once a slash took part of it. */
    remaining: t.bigint().notNull(),
    releaseAt: t.bigint().notNull(),
    status: unbondingStatus("status").notNull(),
    requestedAt: t.bigint().notNull(),
    closedAt: t.bigint(),
  }),
  (table) => ({ nodeIdx: index().on(table.node) }),
);

/** A slash of a node's stake (the GraphQL plural is `slashings`). */
export const slashing = onchainTable(
  "slashing",
  (t) => ({
    id: t.text().primaryKey(),
    node: t.hex().notNull(),
    reason: t.hex().notNull(),
    prover: t.hex().notNull(),
    amount: t.bigint().notNull(),
    collateral: t.bigint().notNull(),
    bounty: t.bigint().notNull(),
    offence: t.integer().notNull(),
    jobId: t.bigint(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ nodeIdx: index().on(table.node, table.id), jobIdx: index().on(table.jobId) }),
);

export const reputationUpdate = onchainTable(
  "reputation_update",
  (t) => ({
    id: t.text().primaryKey(),
    provider: t.hex().notNull(),
    outcome: reputationOutcome("outcome").notNull(),
    reliability: t.integer().notNull(),
    accuracy: t.integer().notNull(),
    speed: t.integer().notNull(),
    composite: t.integer().notNull(),
    jobRef: t.hex().notNull(),
    /** The job, when `jobRef` names one the market ran. */
    jobId: t.bigint(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ providerIdx: index().on(table.provider, table.id) }),
);

// -------------------------------------------------------------------------------------------------
// Jobs
// -------------------------------------------------------------------------------------------------

export const job = onchainTable(
  "job",
  (t) => ({
    id: t.bigint().primaryKey(),
    requester: t.hex().notNull(),
    /** The zone the job is served in (a cheaper neighbour of `requestedZone` when it spilled over). */
    zone: t.hex().notNull(),
    requestedZone: t.hex().notNull(),
    tier: t.integer().notNull(),
    mode: verificationMode("mode").notNull(),
    redundancy: t.integer().notNull(),
    gpuHours: t.integer().notNull(),
    pricePerGpuHour: t.bigint().notNull(),
    escrow: t.bigint().notNull(),
    deadline: t.bigint().notNull(),
    specHash: t.hex().notNull(),
    status: jobStatus("status").notNull(),
    acceptedSlots: t.integer(),
    auditSeedBlock: t.bigint(),
    auditSampled: t.boolean(),
    revealEndsAt: t.bigint(),
    challengeEndsAt: t.bigint(),
    paid: t.bigint(),
    refund: t.bigint(),
    submittedAt: t.bigint().notNull(),
    submittedBlock: t.bigint().notNull(),
    submittedTx: t.hex().notNull(),
    verifiedAt: t.bigint(),
    /** When the job reached Settled, Refunded or Cancelled. */
    closedAt: t.bigint(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    requesterIdx: index().on(table.requester),
    statusIdx: index().on(table.status),
    cellIdx: index().on(table.zone, table.tier),
  }),
);

/** One provider's place in a job (`<jobId>-<index>`). */
export const slot = onchainTable(
  "slot",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    index: t.integer().notNull(),
    status: slotStatus("status").notNull(),
    /** The current claimant; for a reopened slot, the provider who missed it. */
    provider: t.hex(),
    collateral: t.bigint(),
    claimedAt: t.bigint(),
    deliverBy: t.bigint(),
    commitment: t.hex(),
    result: t.hex(),
    /** The result row of the latest delivery. */
    resultId: t.text(),
    misses: t.integer().notNull(),
    /** When the current claimer asked for a sealed job's key on chain, and when the requester released it. */
    keyRequestedAt: t.bigint(),
    keyReleasedAt: t.bigint(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId, table.index), providerIdx: index().on(table.provider) }),
);

/** A delivered result and what the protocol made of it. */
export const result = onchainTable(
  "result",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    slot: t.integer().notNull(),
    provider: t.hex().notNull(),
    result: t.hex().notNull(),
    status: resultStatus("status").notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId, table.id), providerIdx: index().on(table.provider) }),
);

export const payout = onchainTable(
  "payout",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    slot: t.integer().notNull(),
    provider: t.hex().notNull(),
    providerAmount: t.bigint().notNull(),
    modelCreatorAmount: t.bigint().notNull(),
    treasuryAmount: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId, table.id), providerIdx: index().on(table.provider) }),
);

export const audit = onchainTable(
  "audit",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    result: t.hex().notNull(),
    passed: t.boolean().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId, table.id) }),
);

/** A job's dispute (a job is disputed at most once, so the id is the job's). */
export const dispute = onchainTable("dispute", (t) => ({
  id: t.bigint().primaryKey(),
  challenger: t.hex().notNull(),
  bond: t.bigint().notNull(),
  /** Opened by a failed audit rather than by the requester. */
  fromAudit: t.boolean().notNull(),
  /** The block whose hash draws the committee. */
  drawBlock: t.bigint().notNull(),
  /** 0 for the first committee, +1 per appeal. */
  round: t.integer().notNull(),
  /** The drawn jurors of the current round (empty until its draw). */
  jurors: t.hex().array().notNull(),
  /** The ends of the commit and reveal phases (null until the committee is drawn). */
  commitEndsAt: t.bigint(),
  votingEndsAt: t.bigint(),
  verdict: disputeVerdict("verdict").notNull(),
  upholdVotes: t.integer().notNull(),
  rejectVotes: t.integer().notNull(),
  bondReturned: t.bigint(),
  bondForfeited: t.bigint(),
  openedAt: t.bigint().notNull(),
  resolvedAt: t.bigint(),
}));

export const disputeVote = onchainTable(
  "dispute_vote",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    uphold: t.boolean().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId, table.id) }),
);

// -------------------------------------------------------------------------------------------------
// Prices, zones and the market
// -------------------------------------------------------------------------------------------------

export const zone = onchainTable("zone", (t) => ({
  id: t.hex().primaryKey(),
  label: t.text().notNull(),
  enabled: t.boolean().notNull(),
  /** The base price last written by the pricing engine (null until its first epoch update). */
  basePrice: t.bigint(),
  epoch: t.bigint(),
  utilisationBps: t.integer(),
  epochDemand: t.bigint(),
  addedAt: t.bigint().notNull(),
  updatedAt: t.bigint().notNull(),
}));

export const tier = onchainTable("tier", (t) => ({
  id: t.integer().primaryKey(),
  name: t.text().notNull(),
  multiplierBps: t.integer().notNull(),
  reputationFloorBps: t.integer().notNull(),
}));

/** Two zones the pricing engine lets jobs spill over between, in both orders (`<zoneA>-<zoneB>`). */
export const zoneNeighbour = onchainTable("zone_neighbour", (t) => ({
  id: t.text().primaryKey(),
  zone: t.hex().notNull(),
  neighbour: t.hex().notNull(),
  penaltyBps: t.integer().notNull(),
}));

/** A GPU-hour price of one (zone, tier): from an epoch update, a tier change, or a job's quote. */
export const pricePoint = onchainTable(
  "price_point",
  (t) => ({
    id: t.text().primaryKey(),
    zone: t.hex().notNull(),
    tier: t.integer().notNull(),
    pricePerGpuHour: t.bigint().notNull(),
    basePrice: t.bigint(),
    utilisationBps: t.integer(),
    epoch: t.bigint(),
    source: priceSource("source").notNull(),
    jobId: t.bigint(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ cellIdx: index().on(table.zone, table.tier, table.id) }),
);

/** The market in one (zone, tier): the heatmap's cell. */
export const marketCell = onchainTable("market_cell", (t) => ({
  /** `<zone>-<tier>` */
  id: t.text().primaryKey(),
  zone: t.hex().notNull(),
  tier: t.integer().notNull(),
  /** Jobs not yet Settled, Refunded or Cancelled. */
  activeJobs: t.integer().notNull(),
  /** Slots of Open jobs waiting for a provider. */
  openSlots: t.integer().notNull(),
  /** Slots claimed and not yet delivered. */
  busySlots: t.integer().notNull(),
  jobsSubmitted: t.integer().notNull(),
  jobsSettled: t.integer().notNull(),
  jobsRefunded: t.integer().notNull(),
  jobsCancelled: t.integer().notNull(),
  gpuHoursSubmitted: t.bigint().notNull(),
  escrowSubmitted: t.bigint().notNull(),
  paidToProviders: t.bigint().notNull(),
  updatedAt: t.bigint().notNull(),
}));

// -------------------------------------------------------------------------------------------------
// Oracles
// -------------------------------------------------------------------------------------------------

export const oracleFeed = onchainTable("oracle_feed", (t) => ({
  id: t.hex().primaryKey(),
  description: t.text().notNull(),
  maxAge: t.integer().notNull(),
  latestRound: t.bigint(),
  latestAnswer: t.bigint(),
  updatedAt: t.bigint(),
}));

export const oracleRound = onchainTable(
  "oracle_round",
  (t) => ({
    /** `<feedId>-<roundId>` */
    id: t.text().primaryKey(),
    feedId: t.hex().notNull(),
    roundId: t.bigint().notNull(),
    status: roundStatus("status").notNull(),
    reports: t.integer().notNull(),
    answer: t.bigint(),
    openedAt: t.bigint().notNull(),
    closedAt: t.bigint(),
  }),
  (table) => ({ feedIdx: index().on(table.feedId, table.roundId) }),
);

export const oracleReport = onchainTable(
  "oracle_report",
  (t) => ({
    /** `<feedId>-<roundId>-<oracle>`: an oracle reports once a round */
    id: t.text().primaryKey(),
    /** The round's id, `<feedId>-<roundId>` */
    roundId: t.text().notNull(),
    oracle: t.hex().notNull(),
    value: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    /** Further from the round's median than the deviation bound: the oracle's report bond was slashed */
    penalized: t.boolean().notNull(),
    /** What the penalty took from the oracle's stake (at most the bond, as far as its free stake went) */
    slashed: t.bigint().notNull(),
  }),
  (table) => ({ roundIdx: index().on(table.roundId) }),
);

// -------------------------------------------------------------------------------------------------
// Governance
// -------------------------------------------------------------------------------------------------

export const proposalStatus = onchainEnum("proposal_status", ["Proposed", "Queued", "Executed", "Canceled"]);

/**
 * A Governor proposal. `status` is the last lifecycle event; whether a Proposed one is Pending, Active,
 * Succeeded, Defeated or Expired follows from `voteStart`, `voteEnd`, the tallies and the quorum at read time.
 */
export const proposal = onchainTable(
  "proposal",
  (t) => ({
    id: t.bigint().primaryKey(),
    proposer: t.hex().notNull(),
    description: t.text().notNull(),
    /** The calls: `[{ target, value, calldata, contract, function }]`, decoded where the target is a protocol contract. */
    actions: t.json().notNull(),
    voteStart: t.bigint().notNull(),
    voteEnd: t.bigint().notNull(),
    status: proposalStatus("status").notNull(),
    forVotes: t.bigint().notNull(),
    againstVotes: t.bigint().notNull(),
    abstainVotes: t.bigint().notNull(),
    voters: t.integer().notNull(),
    /** When a queued proposal may be executed (the Timelock's delay after queueing). */
    eta: t.bigint(),
    proposedAt: t.bigint().notNull(),
    queuedAt: t.bigint(),
    executedAt: t.bigint(),
    canceledAt: t.bigint(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({
    statusIdx: index().on(table.status, table.proposedAt, table.id),
    proposerIdx: index().on(table.proposer),
    proposedIdx: index().on(table.proposedAt, table.id),
  }),
);

/** A vote on a proposal (one per voter). */
export const proposalVote = onchainTable(
  "proposal_vote",
  (t) => ({
    /** `<proposalId>-<voter>` */
    id: t.text().primaryKey(),
    proposalId: t.bigint().notNull(),
    voter: t.hex().notNull(),
    /** Against, For or Abstain. */
    support: t.text().notNull(),
    weight: t.bigint().notNull(),
    reason: t.text().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({
    proposalIdx: index().on(table.proposalId, table.timestamp, table.id),
    voterIdx: index().on(table.voter),
  }),
);

/** A batch of calls scheduled in the Timelock, and the proposal that queued it. */
export const timelockOperation = onchainTable(
  "timelock_operation",
  (t) => ({
    /** The Timelock's operation id. */
    id: t.hex().primaryKey(),
    proposalId: t.bigint(),
    calls: t.integer().notNull(),
    scheduledAt: t.bigint().notNull(),
    /** When it may be executed. */
    readyAt: t.bigint().notNull(),
    executedAt: t.bigint(),
    cancelledAt: t.bigint(),
  }),
  (table) => ({ proposalIdx: index().on(table.proposalId) }),
);

/** A call the Timelock executed: what governance actually changed, and when. */
export const governanceAction = onchainTable(
  "governance_action",
  (t) => ({
    /** `<operationId>-<index>` */
    id: t.text().primaryKey(),
    timelockOperationId: t.hex().notNull(),
    index: t.integer().notNull(),
    target: t.hex().notNull(),
    value: t.bigint().notNull(),
    calldata: t.hex().notNull(),
    /** The target's name in the deployment and the function called, when the target is a protocol contract. */
    contract: t.text(),
    function: t.text(),
    /** The proposal that queued it, when the Governor did. */
    proposalId: t.bigint(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ targetIdx: index().on(table.target), proposalIdx: index().on(table.proposalId, table.index) }),
);

// -------------------------------------------------------------------------------------------------
// Relations (GraphQL follows them). A relation to a node is named apart from the address column it follows
// (`provider` is the address, `providerNode` the node), since GraphQL cannot give one field both types.
// -------------------------------------------------------------------------------------------------

export const jobRelations = relations(job, ({ one, many }) => ({
  slots: many(slot),
  results: many(result),
  payouts: many(payout),
  audits: many(audit),
  dispute: one(dispute, { fields: [job.id], references: [dispute.id] }),
  events: many(protocolEvent),
  slashes: many(slashing),
  zoneInfo: one(zone, { fields: [job.zone], references: [zone.id] }),
}));

export const slotRelations = relations(slot, ({ one }) => ({
  job: one(job, { fields: [slot.jobId], references: [job.id] }),
  providerNode: one(node, { fields: [slot.provider], references: [node.id] }),
  latestResult: one(result, { fields: [slot.resultId], references: [result.id] }),
}));

export const resultRelations = relations(result, ({ one }) => ({
  job: one(job, { fields: [result.jobId], references: [job.id] }),
  providerNode: one(node, { fields: [result.provider], references: [node.id] }),
}));

export const payoutRelations = relations(payout, ({ one }) => ({
  job: one(job, { fields: [payout.jobId], references: [job.id] }),
  providerNode: one(node, { fields: [payout.provider], references: [node.id] }),
}));

export const auditRelations = relations(audit, ({ one }) => ({
  job: one(job, { fields: [audit.jobId], references: [job.id] }),
  validatorNode: one(node, { fields: [audit.validator], references: [node.id] }),
}));

export const disputeRelations = relations(dispute, ({ one, many }) => ({
  job: one(job, { fields: [dispute.id], references: [job.id] }),
  votes: many(disputeVote),
}));

export const disputeVoteRelations = relations(disputeVote, ({ one }) => ({
  dispute: one(dispute, { fields: [disputeVote.jobId], references: [dispute.id] }),
  validatorNode: one(node, { fields: [disputeVote.validator], references: [node.id] }),
}));

export const nodeRelations = relations(node, ({ one, many }) => ({
  zoneInfo: one(zone, { fields: [node.zone], references: [zone.id] }),
  slots: many(slot),
  results: many(result),
  payouts: many(payout),
  slashes: many(slashing),
  unbondings: many(unbonding),
  stakeChanges: many(stakeChange),
  reputationHistory: many(reputationUpdate),
}));

export const stakeChangeRelations = relations(stakeChange, ({ one }) => ({
  account: one(node, { fields: [stakeChange.node], references: [node.id] }),
}));

export const unbondingRelations = relations(unbonding, ({ one }) => ({
  account: one(node, { fields: [unbonding.node], references: [node.id] }),
}));

export const slashingRelations = relations(slashing, ({ one }) => ({
  account: one(node, { fields: [slashing.node], references: [node.id] }),
  job: one(job, { fields: [slashing.jobId], references: [job.id] }),
}));

export const reputationUpdateRelations = relations(reputationUpdate, ({ one }) => ({
  providerNode: one(node, { fields: [reputationUpdate.provider], references: [node.id] }),
  job: one(job, { fields: [reputationUpdate.jobId], references: [job.id] }),
}));

export const protocolEventRelations = relations(protocolEvent, ({ one, many }) => ({
  job: one(job, { fields: [protocolEvent.jobId], references: [job.id] }),
  parties: many(eventParty),
  transaction: one(protocolTransaction, { fields: [protocolEvent.txHash], references: [protocolTransaction.id] }),
}));

export const eventPartyRelations = relations(eventParty, ({ one }) => ({
  event: one(protocolEvent, { fields: [eventParty.eventId], references: [protocolEvent.id] }),
}));

export const protocolTransactionRelations = relations(protocolTransaction, ({ one, many }) => ({
  job: one(job, { fields: [protocolTransaction.jobId], references: [job.id] }),
  events: many(protocolEvent),
}));

export const zoneRelations = relations(zone, ({ many }) => ({
  neighbours: many(zoneNeighbour),
  prices: many(pricePoint),
  cells: many(marketCell),
  nodes: many(node),
}));

export const zoneNeighbourRelations = relations(zoneNeighbour, ({ one }) => ({
  zoneInfo: one(zone, { fields: [zoneNeighbour.zone], references: [zone.id] }),
}));

export const pricePointRelations = relations(pricePoint, ({ one }) => ({
  zoneInfo: one(zone, { fields: [pricePoint.zone], references: [zone.id] }),
}));

export const marketCellRelations = relations(marketCell, ({ one }) => ({
  zoneInfo: one(zone, { fields: [marketCell.zone], references: [zone.id] }),
  tierInfo: one(tier, { fields: [marketCell.tier], references: [tier.id] }),
}));

export const oracleFeedRelations = relations(oracleFeed, ({ many }) => ({
  rounds: many(oracleRound),
}));

export const oracleRoundRelations = relations(oracleRound, ({ one, many }) => ({
  feed: one(oracleFeed, { fields: [oracleRound.feedId], references: [oracleFeed.id] }),
  // Not `reports`: that is the round's count of them, a column GraphQL must still reach.
  oracleReports: many(oracleReport),
}));

export const oracleReportRelations = relations(oracleReport, ({ one }) => ({
  round: one(oracleRound, { fields: [oracleReport.roundId], references: [oracleRound.id] }),
}));

export const proposalRelations = relations(proposal, ({ many }) => ({
  votes: many(proposalVote),
  executedActions: many(governanceAction),
}));

export const proposalVoteRelations = relations(proposalVote, ({ one }) => ({
  proposal: one(proposal, { fields: [proposalVote.proposalId], references: [proposal.id] }),
}));

export const governanceActionRelations = relations(governanceAction, ({ one }) => ({
  proposal: one(proposal, { fields: [governanceAction.proposalId], references: [proposal.id] }),
}));

// -------------------------------------------------------------------------------------------------
// The bridge
// -------------------------------------------------------------------------------------------------

export const bridgeTransferStatus = onchainEnum("bridge_transfer_status", [
  "Sent",
  "Completed",
  "Cancelled",
  "Refunded",
]);

/**
 * A transfer of AGPU between two chains, seen from both sides: sent (locked or burnt) on the source chain, then
 * completed (released or minted) on the destination, or cancelled there and refunded on the source. Keyed by the
 * digest both gateways name it by.
 */
export const bridgeTransfer = onchainTable(
  "bridge_transfer",
  (t) => ({
    /** The EIP-712 digest the validators signed: TransferSent and TransferCompleted both carry it. */
    id: t.hex().primaryKey(),
    sourceChainId: t.integer().notNull(),
    destinationChainId: t.integer().notNull(),
    nonce: t.bigint().notNull(),
    sender: t.hex().notNull(),
    recipient: t.hex().notNull(),
    amount: t.bigint().notNull(),
    /**
     * Sent: seen leaving the source; Completed: paid out on the destination; Cancelled: declined or over the
     * destination's limit, never to complete; Refunded: paid back to the sender on the source.
     */
    status: bridgeTransferStatus("status").notNull(),
    sentAt: t.bigint(),
    sentTxHash: t.hex(),
    completedAt: t.bigint(),
    completedTxHash: t.hex(),
    cancelledAt: t.bigint(),
    cancelledTxHash: t.hex(),
    refundedAt: t.bigint(),
    refundedTxHash: t.hex(),
  }),
  (table) => ({
    senderIdx: index().on(table.sender, table.sourceChainId, table.nonce),
    recipientIdx: index().on(table.recipient, table.sourceChainId, table.nonce),
    laneIdx: index().on(table.sourceChainId, table.nonce),
  }),
);

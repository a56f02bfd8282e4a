import type { Command, CommandContext } from "./context.js";

/**
 * A command loaded on first use: the table below imports no command's module (nor viem, nor snarkjs), so that
 * `--help` and `--version` answer at once and each command loads only what it needs.
 */
function lazy<ModuleT>(load: () => Promise<ModuleT>, name: keyof ModuleT): Command {
  return async (context: CommandContext) => {
    const command = (await load())[name] as Command;
    return command(context);
  };
}

const bridge = () => import("./bridge.js");
const devnet = () => import("./devnet.js");
const dispute = () => import("./dispute.js");
const gov = () => import("./gov.js");
const job = () => import("./job.js");
const jobManifest = () => import("./job-manifest.js");
const key = () => import("./key.js");
const matcher = () => import("./match.js");
const node = () => import("./node.js");
const price = () => import("./price.js");
const provider = () => import("./provider.js");
const providerDaemon = () => import("./provider-run.js");
const token = () => import("./token.js");
const workload = () => import("./workload.js");

/** What a command reads from its environment, for its `--help`. */
export const ENVIRONMENT = {
  rpc: ["STARMINER_RPC_URL", "the chain's JSON-RPC endpoint (or --rpc-url)"],
  key: ["STARMINER_PRIVATE_KEY", "the signing key (or --private-key; or STARMINER_KEYSTORE + STARMINER_PASSWORD)"],
  manifest: ["STARMINER_MANIFEST_DIR", "where the deployment manifests are (the project's by default)"],
  indexer: ["STARMINER_INDEXER_URL", "the indexer's base URL (http://127.0.0.1:42069)"],
  content: ["STARMINER_CONTENT_DIR", "the content store's directory (~/.starminer/content)"],
  home: ["STARMINER_HOME", "where journals and vote salts are kept (~/.starminer)"],
  password: ["STARMINER_PASSWORD", "the keystore's password"],
  gateway: ["STARMINER_GATEWAY_URL", "the content gateway's base URL (manifest jobs' artifacts, keys and outputs)"],
  gatewayToken: ["STARMINER_GATEWAY_TOKEN", "the content gateway's upload token"],
} as const satisfies Record<string, readonly [string, string]>;

export interface CommandEntry {
  readonly run: Command;
  /** The arguments, as the usage line shows them. */
  readonly usage: string;
  /** One line: what it does. */
  readonly summary: string;
  /** More lines for `--help`. */
  readonly details?: readonly string[];
  readonly reads: readonly (keyof typeof ENVIRONMENT)[];
}

const READ = ["rpc", "manifest"] as const;
const SEND = ["rpc", "key", "manifest"] as const;

export const COMMANDS: Record<string, Record<string, CommandEntry>> = {
  price: {
    quote: {
      run: lazy(price, "priceQuote"),
      usage: "--zone <label> [--tier economy|standard|priority] --hours <n> [--redundancy <n>] [--spillover]",
      summary: "what a job would cost now, in AGPU",
      reads: READ,
    },
  },
  job: {
    submit: {
      run: lazy(job, "jobSubmit"),
      usage:
        "--spec <file.json> [--manifest <job.json> [--files <dir>] [--encrypt none|inputs|all] [--detach] [--timeout-seconds <s>]]",
      summary: "submit a job: approve exactly its price, escrow it, publish its workload or manifest",
      details: [
        'The spec\'s fields are described in docs/operations.md ("The command line"); examples/jobs/ has some.',
        "With --manifest, the manifest's artifacts (read from --files, the manifest's folder by default) are sealed under",
        "a fresh job key (inputs only by default) and published to the content gateway with the manifest; the command",
        "then releases the key to each claimer until every slot has delivered (--detach: leave it to job release-keys).",
      ],
      reads: [...SEND, "content", "gateway", "gatewayToken", "home"],
    },
    list: {
      run: lazy(job, "jobList"),
      usage: "[--requester <address|me>] [--status <status>] [--limit <n>]",
      summary: "the newest jobs on chain, with their status",
      reads: [...READ, "key"],
    },
    status: { run: lazy(job, "jobStatus"), usage: "<id>", summary: "a job and its slots", reads: READ },
    watch: {
      run: lazy(job, "jobWatch"),
      usage: "<id> [--until verified|ended] [--interval-ms <ms>] [--timeout-seconds <s>]",
      summary: "print a job's status each time it changes",
      reads: READ,
    },
    result: {
      run: lazy(job, "jobResult"),
      usage: "<id> [--output <file>]",
      summary: "a verified job's accepted result, and its output checked against it",
      details: ["A manifest job's output comes from the content gateway, opened with the requester's key when sealed."],
      reads: [...READ, "key", "content", "gateway"],
    },
    "release-keys": {
      run: lazy(jobManifest, "jobReleaseKeys"),
      usage: "<id> [--until verified|ended] [--interval-ms <ms>] [--timeout-seconds <s>]",
      summary: "release a manifest job's key to its claimers, auditors and jurors until the job ends",
      reads: [...SEND, "gateway", "gatewayToken", "home"],
    },
    cancel: {
      run: lazy(job, "jobCancel"),
      usage: "<id>",
      summary: "cancel an unclaimed job and refund it",
      reads: SEND,
    },
    dispute: {
      run: lazy(job, "jobDispute"),
      usage: "<id>",
      summary: "dispute a verified result within its challenge window (posts the bond)",
      reads: SEND,
    },
    finalize: {
      run: lazy(job, "jobFinalize"),
      usage: "<id>",
      summary: "settle a verified job whose challenge window is over (anyone may)",
      reads: SEND,
    },
    expire: {
      run: lazy(job, "jobExpire"),
      usage: "<id> [--slot <n>]",
      summary: "expire the job's overdue slots (anyone may): a missed delivery is slashed, the slot reopened",
      reads: SEND,
    },
  },
  provider: {
    register: {
      run: lazy(provider, "providerRegister"),
      usage:
        "[--metadata <file.json>] --zone <label> --gpu <model> --vram <MiB> --compute-capability <x10> " +
        "--tflops <x100> --endpoint <url> [--tee none|sgx|tdx|sev-snp|nvidia-cc]",
      summary: "register this key as a provider",
      details: ["A metadata file (examples/nodes/) holds the same fields by the flags' names; flags given win."],
      reads: SEND,
    },
    update: {
      run: lazy(provider, "providerUpdate"),
      usage: "[--zone <label>] [--gpu <model>] [--vram <MiB>] [--compute-capability <x10>] [--tflops <x100>] ...",
      summary: "change the provider's registered metadata (the flags given; the rest stays)",
      details: ["Flags: --zone --gpu --vram --compute-capability --tflops --endpoint --tee."],
      reads: SEND,
    },
    status: {
      run: lazy(provider, "providerStatus"),
      usage: "[<address>]",
      summary: "a provider's registration, stake, collateral, unbonding, bounties and reputation",
      reads: [...READ, "key"],
    },
    stake: { run: lazy(provider, "providerStake"), usage: "<AGPU>", summary: "approve exactly and stake", reads: SEND },
    unbond: {
      run: lazy(provider, "providerUnbond"),
      usage: "<AGPU>",
      summary: "start unbonding free stake",
      reads: SEND,
    },
    withdraw: {
      run: lazy(provider, "providerWithdraw"),
      usage: "",
      summary: "withdraw the stake whose unbonding period is over",
      reads: SEND,
    },
    run: {
      run: lazy(providerDaemon, "providerRun"),
      usage:
        "[--journal <file>] [--gpu <model> --vram <MiB> --compute-capability <x10>] [--enclave-key-file <file>] " +
        "[--max-jobs <n>] [--poll-ms <ms>] [--heartbeat-seconds <s>] [--rounds <n>] [--fault wrong-result|miss] " +
        "[--runtimes onnx,wasm,dense-layer] [--max-artifact-mib <n>]",
      summary: "the provider daemon: claim, compute, deliver and finalize jobs until stopped",
      details: [
        "Manifest jobs (ONNX, WASM) come from the content gateway; the first line names each runtime's device",
        "(onnx on cuda:0 when an NVIDIA GPU and CUDA's provider library are present, cpu otherwise).",
      ],
      reads: [...SEND, "content", "gateway", "gatewayToken", "home"],
    },
  },
  node: {
    list: {
      run: lazy(node, "nodeList"),
      usage: "[--zone <label>] [--limit <n>]",
      summary: "registered nodes, best reputation first",
      reads: ["indexer"],
    },
    "claim-bounty": {
      run: lazy(node, "nodeClaimBounty"),
      usage: "",
      summary: "collect the slashing bounties owed to this key",
      reads: SEND,
    },
  },
  match: {
    providers: {
      run: lazy(matcher, "match"),
      usage: "--spec <file.json> [--runtime onnx|wasm|dense-layer] [--top <n>]",
      summary: "the providers best placed to serve a spec (a manifest job's runtime: only providers serving it)",
      reads: [...READ, "indexer"],
    },
  },
  dispute: {
    status: {
      run: lazy(dispute, "disputeStatus"),
      usage: "<job id>",
      summary: "a dispute's committee, votes and phases",
      reads: READ,
    },
    vote: {
      run: lazy(dispute, "disputeVote"),
      usage: "<job id> uphold|reject",
      summary: "as a drawn juror: commit the vote, or reveal it once the reveal phase opens (run it twice)",
      details: [
        "The vote's salt is kept in STARMINER_HOME/votes, so that the reveal needs only the same command again.",
      ],
      reads: [...SEND, "home"],
    },
    resolve: {
      run: lazy(dispute, "disputeResolve"),
      usage: "<job id>",
      summary: "move a dispute on (anyone may): draw its committee, or resolve it once its votes are in",
      reads: SEND,
    },
  },
  gov: {
    list: {
      run: lazy(gov, "govList"),
      usage: "[--limit <n>]",
      summary: "proposals, newest first, with short ids",
      reads: READ,
    },
    propose: {
      run: lazy(gov, "govPropose"),
      usage: "--actions <file.json> --description <text>",
      summary: "propose actions (see examples/governance/)",
      reads: SEND,
    },
    vote: {
      run: lazy(gov, "govVote"),
      usage: "<id> for|against|abstain [--reason <text>] [--sign-only | --signature <0x...> --voter <address>]",
      summary: "vote on an active proposal, or sign a vote for someone to relay",
      reads: SEND,
    },
    queue: {
      run: lazy(gov, "govQueue"),
      usage: "<id>",
      summary: "queue a passed proposal in the Timelock",
      reads: SEND,
    },
    execute: { run: lazy(gov, "govExecute"), usage: "<id>", summary: "execute a queued proposal", reads: SEND },
    status: {
      run: lazy(gov, "govStatus"),
      usage: "<id>",
      summary: "a proposal's state, votes and quorum",
      reads: READ,
    },
    delegate: {
      run: lazy(gov, "govDelegate"),
      usage: "<address|self>",
      summary: "delegate the key's AMAX votes",
      reads: SEND,
    },
  },
  token: {
    balance: {
      run: lazy(token, "tokenBalance"),
      usage: "[<address>]",
      summary: "AGPU, AMAX and ETH held by an address (the key's by default)",
      reads: [...READ, "key"],
    },
    allowance: {
      run: lazy(token, "tokenAllowance"),
      usage: "<spender|contract name> [--owner <address>] [--token agpu|amax]",
      summary: "what a spender may take from an owner",
      reads: [...READ, "key"],
    },
    transfer: {
      run: lazy(token, "tokenTransfer"),
      usage: "<to> <amount> [--token agpu|amax]",
      summary: "send AGPU (or AMAX)",
      reads: SEND,
    },
  },
  bridge: {
    transfer: {
      run: lazy(bridge, "bridgeTransfer"),
      usage: "<destination chain id> <recipient> <AGPU> [--wait <destination RPC URL>] [--timeout-seconds <s>]",
      summary: "send AGPU to another chain",
      reads: SEND,
    },
    status: {
      run: lazy(bridge, "bridgeStatus"),
      usage: "[--digest <0x...>]",
      summary: "the gateway, or one transfer",
      reads: READ,
    },
    cancel: {
      run: lazy(bridge, "bridgeCancel"),
      usage: "<source chain id> <nonce> --source <source RPC URL>",
      summary: "cancel an incoming transfer (the recipient)",
      reads: SEND,
    },
    refund: {
      run: lazy(bridge, "bridgeRefund"),
      usage: "<nonce> --validator <URL>...",
      summary: "refund a cancelled outgoing transfer",
      reads: SEND,
    },
    relay: {
      run: lazy(bridge, "bridgeRelay"),
      usage:
        "--chain <RPC URL> --chain <RPC URL> --validator <URL>... [--journal <file>] [--confirmations <n>] " +
        "[--poll-ms <ms>] [--rounds <n>]",
      summary: "the relayer: carry transfers between two chains",
      reads: [...SEND, "home"],
    },
    validator: {
      run: lazy(bridge, "bridgeValidator"),
      usage: "--chain <RPC URL> --chain <RPC URL> [--port <n>] [--host <address>] [--confirmations <n>]",
      summary: "a bridge validator's signing service",
      reads: SEND,
    },
  },
  devnet: {
    warp: {
      run: lazy(devnet, "devnetWarp"),
      usage: "<seconds|1h|2d...>",
      summary: "move a local chain's clock forward and mine a block (Hardhat/anvil nodes only)",
      reads: ["rpc"],
    },
  },
  key: {
    new: {
      run: lazy(key, "keyNew"),
      usage: "--out <file>",
      summary: "make a new key, encrypted in a keystore file with STARMINER_PASSWORD",
      reads: ["password"],
    },
    import: {
      run: lazy(key, "keyImport"),
      usage: "--out <file>",
      summary: "encrypt the given key (--private-key or STARMINER_PRIVATE_KEY) into a keystore file",
      reads: ["key", "password"],
    },
  },
  workload: {
    run: {
      run: lazy(workload, "workloadRun"),
      usage:
        "--manifest <job.json> [--files <dir> | --gateway <url>] [--runtimes onnx,wasm,dense-layer] [--output <file>]",
      summary: "run a job manifest on this machine, as a provider would, and print its result",
      details: [
        "Artifacts are looked up by CID among the files of --files (the manifest's folder by default), or fetched",
        "from a content gateway (StarMiner's or any IPFS gateway holding raw blocks); every one is checked.",
        "A failure by the job's own fault (a trap, a limit) is an outcome with its own result, not an error.",
        "examples/workloads/ has manifests for an ONNX classifier, a small CNN and a WASM Monte Carlo pricer.",
      ],
      reads: [],
    },
    check: {
      run: lazy(workload, "workloadCheck"),
      usage: "--manifest <job.json>",
      summary: "validate a job manifest and print its CID and the commitments its job spec carries",
      reads: [],
    },
    schema: {
      run: lazy(workload, "workloadSchema"),
      usage: "",
      summary: "print the job manifest's JSON Schema",
      reads: [],
    },
  },
  gateway: {
    serve: {
      run: lazy(workload, "gatewayServe"),
      usage:
        "--dir <dir> [--host <host>] [--port <n>] [--max-upload-bytes <n>] [--uploads open|token|none] " +
        "[--tls-cert <file> --tls-key <file>]",
      summary: "serve artifacts by CID over HTTP(S): GET /ipfs/<cid> (ranges too), PUT /ipfs/ to upload",
      details: [
        "Uploads are refused unless STARMINER_GATEWAY_TOKEN is set (then they need it as a bearer token) or",
        "--uploads open is given. Every upload is hashed and filed under its CID; every whole download is checked.",
      ],
      reads: ["gatewayToken"],
    },
  },
};

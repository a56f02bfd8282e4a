import {
  type Address,
  type Hash,
  type Hex,
  type TypedDataDefinition,
  erc20Abi,
  getAddress,
  getContract,
  hashTypedData,
} from "viem";
import type { bridgeGatewayAbi } from "@starminer/sdk";

import { type ChainClient, type ClientConfig, type Contract, bindContract, connectChain } from "../client.js";
import { manifestContract } from "../manifest.js";

/** `BridgeGateway.Mode`: AGPU's home chain locks and releases it; a remote chain mints and burns BridgedAGPU. */
export const GatewayMode = { Home: 0, Remote: 1 } as const;

/** A transfer between two gateways, as `BridgeGateway.Transfer` and the validators' EIP-712 message name it. */
export interface BridgeTransfer {
  readonly sourceChainId: bigint;
  readonly destinationChainId: bigint;
  readonly sourceGateway: Address;
  readonly nonce: bigint;
  readonly sender: Address;
  readonly recipient: Address;
  readonly amount: bigint;
}

/** A transfer as its TransferSent event left it on the source chain. */
export interface SentTransfer {
  readonly transfer: BridgeTransfer;
  /** The EIP-712 digest the destination gateway checks (computed by the source gateway for its counterpart). */
  readonly digest: Hash;
  readonly blockNumber: bigint;
  readonly transactionHash: Hash;
}

export const TRANSFER_TYPES = {
  Transfer: [
    { name: "sourceChainId", type: "uint256" },
    { name: "destinationChainId", type: "uint256" },
    { name: "sourceGateway", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "sender", type: "address" },
    { name: "recipient", type: "address" },
    { name: "amount", type: "uint256" },
  ],
} as const;

/** The EIP-712 domain of the gateway at `gateway` on `chainId`: what every signature it checks is bound to. */
export function gatewayDomain(chainId: bigint, gateway: Address) {
  return { name: "StarMiner Bridge", version: "1", chainId, verifyingContract: gateway } as const;
}

/** What a validator signs for `transfer`: the message in the domain of `destinationGateway` on the destination. */
export function transferTypedData(
  transfer: BridgeTransfer,
  destinationGateway: Address,
): TypedDataDefinition<typeof TRANSFER_TYPES, "Transfer"> {
  return {
    domain: gatewayDomain(transfer.destinationChainId, destinationGateway),
    types: TRANSFER_TYPES,
    primaryType: "Transfer",
    message: transfer,
  };
}

export function transferDigest(transfer: BridgeTransfer, destinationGateway: Address): Hash {
  return hashTypedData(transferTypedData(transfer, destinationGateway));
}

export const REFUND_TYPES = { Refund: [{ name: "transfer", type: "bytes32" }] } as const;

/**
 * What a validator signs to refund a transfer cancelled on its destination: the transfer's digest, in the domain of
 * the gateway it was sent from, on its source chain.
 */
export function refundTypedData(
  transfer: BridgeTransfer,
  digest: Hash,
): TypedDataDefinition<typeof REFUND_TYPES, "Refund"> {
  return {
    domain: gatewayDomain(transfer.sourceChainId, transfer.sourceGateway),
    types: REFUND_TYPES,
    primaryType: "Refund",
    message: { transfer: digest },
  };
}

/** One chain's side of the bridge: its clients, its gateway and the token the gateway moves. */
export interface BridgeSide extends ChainClient {
  readonly chainId: bigint;
  readonly gateway: Contract<typeof bridgeGatewayAbi>;
  readonly token: Contract<typeof erc20Abi>;
  readonly mode: number;
  /** The block the gateway was deployed in: no transfer left before it. */
  readonly startBlock: bigint;
}

/** Connects to the chain at `rpcUrl` and binds its gateway (a one-line error when it has none). */
export async function connectBridgeSide(
  rpcUrl: string,
  config: Pick<ClientConfig, "privateKey" | "manifestDir">,
): Promise<BridgeSide> {
  const chain = await connectChain(rpcUrl, config);
  const entry = manifestContract(chain.manifest, "BridgeGateway");
  const gateway = bindContract<typeof bridgeGatewayAbi>(chain, "BridgeGateway");
  const [tokenAddress, mode] = await Promise.all([gateway.read.token(), gateway.read.mode()]);
  const token = getContract({
    address: tokenAddress,
    abi: erc20Abi,
    client: { public: chain.publicClient, wallet: chain.walletClient },
  }) as Contract<typeof erc20Abi>;
  return {
    ...chain,
    chainId: BigInt(chain.chain.id),
    gateway,
    token,
    mode: Number(mode),
    startBlock: BigInt(entry.startBlock),
  };
}

/** The transfers `source` sent to `destinationChainId` in blocks `fromBlock`..`toBlock`, in chain order. */
export async function sentTransfers(
  source: BridgeSide,
  destinationChainId: bigint,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<SentTransfer[]> {
  const logs = await source.publicClient.getContractEvents({
    address: source.gateway.address,
    abi: source.gateway.abi,
    eventName: "TransferSent",
    args: { destinationChainId },
    fromBlock,
    toBlock,
    strict: true,
  });
  return logs.map((log) => toSentTransfer(source, log));
}

/** The transfer `source` sent with `nonce`, or undefined when it has sent no such transfer. */
export async function sentTransfer(source: BridgeSide, nonce: bigint): Promise<SentTransfer | undefined> {
  const logs = await source.publicClient.getContractEvents({
    address: source.gateway.address,
    abi: source.gateway.abi,
    eventName: "TransferSent",
    args: { nonce },
    fromBlock: source.startBlock,
    strict: true,
  });
  return logs[0] === undefined ? undefined : toSentTransfer(source, logs[0]);
}

interface TransferSentLog {
  readonly args: {
    nonce: bigint;
    destinationChainId: bigint;
    sender: Address;
    recipient: Address;
    amount: bigint;
    digest: Hex;
  };
  readonly blockNumber: bigint;
  readonly transactionHash: Hash;
}

function toSentTransfer(source: BridgeSide, log: TransferSentLog): SentTransfer {
  return {
    transfer: {
      sourceChainId: source.chainId,
      destinationChainId: log.args.destinationChainId,
      sourceGateway: getAddress(source.gateway.address),
      nonce: log.args.nonce,
      sender: getAddress(log.args.sender),
      recipient: getAddress(log.args.recipient),
      amount: log.args.amount,
    },
    digest: log.args.digest,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  };
}

/** A validator's signature of one transfer, as the signing service returns it. */
export interface TransferSignature {
  readonly validator: Address;
  readonly digest: Hash;
  readonly signature: Hex;
}

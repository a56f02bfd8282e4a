import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { LocalAccount } from "viem";

import { hashTypedData } from "viem";

import {
  type BridgeSide,
  type SentTransfer,
  type TransferSignature,
  refundTypedData,
  sentTransfer,
  transferDigest,
  transferTypedData,
} from "./gateway.js";

export interface ValidatorServiceOptions {
  /** The validator's signing key. */
  readonly account: LocalAccount;
  /** Every chain this validator watches (two or more), each read through the validator's own node. */
  readonly sides: readonly BridgeSide[];
  /** How deep a transfer's block must be before it is signed (1: as soon as it is mined). */
  readonly confirmations: bigint;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log?: (line: string) => void;
}

export interface ValidatorService {
  readonly url: string;
  close(): Promise<void>;
}

/** An answer the service gives with a status other than 200. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SIGNATURE_PATH = /^\/v1\/transfers\/(\d{1,20})\/(\d{1,78})\/(signature|refund-signature)$/;

/**
 * A bridge validator's signing service. It signs a transfer only after reading it itself, from its own node of the
 * source chain: the TransferSent event with that nonce, at least `confirmations` deep, whose digest is the one the
 * validator computes for the destination gateway it knows. A relayer therefore learns signatures, never dictates
 * what is signed.
 *
 * A refund is signed only after reading, on its own node of the destination chain, that the same transfer was
 * cancelled there (so it can never complete); the signature is over the transfer's digest in the source gateway's
 * domain, and the source pays back each transfer once.
 *
 *   GET /v1/transfers/<sourceChainId>/<nonce>/signature         → { validator, digest, signature }
 *   GET /v1/transfers/<sourceChainId>/<nonce>/refund-signature  → { validator, digest, signature }
 *   GET /v1/health                                               → { validator, chains }
 */
export async function startValidatorService(options: ValidatorServiceOptions): Promise<ValidatorService> {
  const sides = new Map(options.sides.map((side) => [side.chainId, side]));
  if (sides.size < 2) throw new Error("a validator watches at least two chains: give two different --chain URLs");
  const log = options.log ?? (() => {});

  /** The transfer `nonce` from `sourceChainId`, read and checked on this validator's own nodes. */
  const readTransfer = async (
    sourceChainId: bigint,
    nonce: bigint,
  ): Promise<{ sent: SentTransfer; destination: BridgeSide }> => {
    const source = sides.get(sourceChainId);
    if (source === undefined) throw new Refusal(404, `this validator does not watch chain ${sourceChainId}`);
    const sent = await sentTransfer(source, nonce);
    if (sent === undefined) throw new Refusal(404, `chain ${sourceChainId} has sent no transfer ${nonce}`);
    const depth = (await source.publicClient.getBlockNumber({ cacheTime: 0 })) - sent.blockNumber + 1n;
    if (depth < options.confirmations) {
      throw new Refusal(409, `transfer ${nonce} has ${depth} of ${options.confirmations} confirmations`);
    }
    const destination = sides.get(sent.transfer.destinationChainId);
    if (destination === undefined) {
      throw new Refusal(404, `this validator does not watch chain ${sent.transfer.destinationChainId}`);
    }
    const digest = transferDigest(sent.transfer, destination.gateway.address);
    if (digest !== sent.digest) {
      throw new Refusal(
        409,
        `transfer ${nonce} was sent for another gateway than ${destination.gateway.address} on chain ` +
          `${destination.chainId}`,
      );
    }
    return { sent, destination };
  };

  const sign = async (sourceChainId: bigint, nonce: bigint): Promise<TransferSignature> => {
    const { sent, destination } = await readTransfer(sourceChainId, nonce);
    const signature = await options.account.signTypedData(
      transferTypedData(sent.transfer, destination.gateway.address),
    );
    log(`signed transfer ${sourceChainId}/${nonce} (${sent.digest})`);
    return { validator: options.account.address, digest: sent.digest, signature };
  };

  const signRefund = async (sourceChainId: bigint, nonce: bigint): Promise<TransferSignature> => {
    const { sent, destination } = await readTransfer(sourceChainId, nonce);
    // The cancellation, as deep as a transfer must be: a reorganised-away cancellation could still complete.
    const [cancelled] = await destination.publicClient.getContractEvents({
      address: destination.gateway.address,
      abi: destination.gateway.abi,
      eventName: "TransferCancelled",
      args: { digest: sent.digest },
      fromBlock: destination.startBlock,
      strict: true,
    });
    if (cancelled === undefined) {
      throw new Refusal(
        409,
        `transfer ${sourceChainId}/${nonce} is not cancelled on chain ${destination.chainId}: it may still complete`,
      );
    }
    const depth = (await destination.publicClient.getBlockNumber({ cacheTime: 0 })) - cancelled.blockNumber + 1n;
    if (depth < options.confirmations) {
      throw new Refusal(409, `the cancellation has ${depth} of ${options.confirmations} confirmations`);
    }
    const typedData = refundTypedData(sent.transfer, sent.digest);
    const signature = await options.account.signTypedData(typedData);
    log(`signed the refund of transfer ${sourceChainId}/${nonce} (${sent.digest})`);
    return { validator: options.account.address, digest: hashTypedData(typedData), signature };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    try {
      if (request.method !== "GET") throw new Refusal(405, "only GET is served");
      const path = new URL(request.url ?? "/", "http://validator").pathname;
      if (path === "/v1/health") {
        reply(200, { validator: options.account.address, chains: [...sides.keys()].map(String) });
        return;
      }
      const match = SIGNATURE_PATH.exec(path);
      if (match === null) throw new Refusal(404, `no such resource ${path}`);
      const signer = match[3] === "signature" ? sign : signRefund;
      reply(200, await signer(BigInt(match[1]!), BigInt(match[2]!)));
    } catch (error) {
      if (error instanceof Refusal) {
        reply(error.status, { error: error.message });
      } else {
        log(`error: ${(error as Error).message.split("\n")[0]}`);
        reply(502, { error: `the validator cannot read its chains: ${(error as Error).message.split("\n")[0]}` });
      }
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(options.port, host, () => listening());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

import { type Address, type Hash, type Hex, getAddress, recoverTypedDataAddress } from "viem";
import { describeError } from "@starminer/sdk";

import type { BridgeSide, TransferSignature } from "./gateway.js";

/** Where to ask for one signature, and what a good answer signed. */
export interface SignatureRequest {
  /** The gateway that will check the signatures: its current validators and threshold count. */
  readonly verifier: BridgeSide;
  /** The validators' signing services. */
  readonly validatorUrls: readonly string[];
  /** The service path, e.g. `/v1/transfers/<chain>/<nonce>/signature`. */
  readonly path: string;
  /** The message every signature must be over, and its digest. */
  readonly typedData: Omit<Parameters<typeof recoverTypedDataAddress>[0], "signature">;
  readonly digest: Hash;
  readonly timeoutMs?: number;
}

/**
 * A threshold of signatures from distinct current validators of `verifier`, in ascending signer order, as the
 * gateway wants them. Each answer is checked here (its signer recovered from the message, and a current validator),
 * so that a faulty or lying service cannot make the transaction fail on chain; a one-line error names what each
 * service that did not help said.
 */
export async function gatherSignatures(request: SignatureRequest): Promise<Hex[]> {
  const { verifier } = request;
  const [validators, threshold] = await Promise.all([
    verifier.gateway.read.validators(),
    verifier.gateway.read.threshold(),
  ]);
  const current = new Set(validators.map((validator) => validator.toLowerCase()));
  const bySigner = new Map<Address, Hex>();
  const problems: string[] = [];
  await Promise.all(
    request.validatorUrls.map(async (url) => {
      try {
        const answer = await askValidator(url, request);
        const signer = await recoverTypedDataAddress({ ...request.typedData, signature: answer.signature });
        if (signer.toLowerCase() !== answer.validator.toLowerCase()) throw new Error("its signature is not its own");
        if (!current.has(signer.toLowerCase())) {
          throw new Error(`${signer} is not a validator on chain ${verifier.chainId}`);
        }
        bySigner.set(getAddress(signer), answer.signature);
      } catch (error) {
        problems.push(`${url}: ${describeError(error)}`);
      }
    }),
  );
  if (BigInt(bySigner.size) < threshold) {
    throw new Error(`${bySigner.size} of ${threshold} validator signatures (${problems.join("; ")})`);
  }
  return [...bySigner.entries()]
    .sort(([left], [right]) => (BigInt(left) < BigInt(right) ? -1 : 1))
    .slice(0, Number(threshold))
    .map(([, signature]) => signature);
}

async function askValidator(url: string, request: SignatureRequest): Promise<TransferSignature> {
  const response = await fetch(`${url.replace(/\/$/, "")}${request.path}`, {
    signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<TransferSignature> & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  if (body.digest !== request.digest || body.signature === undefined || body.validator === undefined) {
    throw new Error("it signed another message");
  }
  return body as TransferSignature;
}

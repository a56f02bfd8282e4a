import { bridgeTransfer } from "ponder:schema";
import type { Address, Hex } from "viem";

import type { Handlers } from "../lib/handler";

/**
 * Each bridge transfer from both sides, keyed by its digest. The chains are indexed side by side, so the
 * completion may be seen before the sending: each handler writes what it knows and keeps what the other wrote.
 */
export const bridgeHandlers: Handlers = {
  "BridgeGateway:TransferSent": async ({ event, context }) => {
    const { nonce, destinationChainId, sender, recipient, amount, digest } = event.args;
    const sent = { sentAt: event.block.timestamp, sentTxHash: event.transaction.hash };
    await context.db
      .insert(bridgeTransfer)
      .values({
        id: digest,
        sourceChainId: context.chain.id,
        destinationChainId: Number(destinationChainId),
        nonce,
        sender,
        recipient,
        amount,
        status: "Sent",
        ...sent,
      })
      .onConflictDoUpdate(sent);
  },

  "BridgeGateway:TransferCompleted": async ({ event, context }) => {
    const completed = {
      status: "Completed" as const,
      completedAt: event.block.timestamp,
      completedTxHash: event.transaction.hash,
    };
    await context.db
      .insert(bridgeTransfer)
      .values({ ...arrivingRow(event.args, context.chain.id), ...completed })
      .onConflictDoUpdate(completed);
  },

  "BridgeGateway:TransferCancelled": async ({ event, context }) => {
    const cancelled = { cancelledAt: event.block.timestamp, cancelledTxHash: event.transaction.hash };
    await context.db
      .insert(bridgeTransfer)
      .values({ ...arrivingRow(event.args, context.chain.id), status: "Cancelled", ...cancelled })
      // The refund on the source chain may have been indexed first: it stays the transfer's status.
      .onConflictDoUpdate((row) => ({
        ...cancelled,
        status: row.status === "Refunded" ? ("Refunded" as const) : ("Cancelled" as const),
      }));
  },

  "BridgeGateway:TransferRefunded": async ({ event, context }) => {
    // Its TransferSent, earlier on the same chain, wrote the row.
    await context.db.update(bridgeTransfer, { id: event.args.digest }).set({
      status: "Refunded",
      refundedAt: event.block.timestamp,
      refundedTxHash: event.transaction.hash,
    });
  },
};

/** What the destination chain's events say about a transfer: the row they write when its sending is not indexed yet. */
function arrivingRow(
  transfer: { digest: Hex; sourceChainId: bigint; nonce: bigint; sender: Address; recipient: Address; amount: bigint },
  destinationChainId: number,
) {
  const { digest, sourceChainId, nonce, sender, recipient, amount } = transfer;
  return { id: digest, sourceChainId: Number(sourceChainId), destinationChainId, nonce, sender, recipient, amount };
}

import { bridgeTransfer } from "ponder:schema";

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
    const { digest, sourceChainId, nonce, sender, recipient, amount } = event.args;
    const completed = {
      status: "Completed" as const,
      completedAt: event.block.timestamp,
      completedTxHash: event.transaction.hash,
    };
    await context.db
      .insert(bridgeTransfer)
      .values({
        id: digest,
        sourceChainId: Number(sourceChainId),
        destinationChainId: context.chain.id,
        nonce,
        sender,
        recipient,
        amount,
        ...completed,
      })
      .onConflictDoUpdate(completed);
  },
};

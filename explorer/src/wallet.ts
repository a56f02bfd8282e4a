import type { EIP1193Provider } from "viem";

declare global {
  interface Window {
    /** An injected browser wallet (EIP-1193), when one is installed. */
    ethereum?: EIP1193Provider;
  }
}

/** Whether the browser has an injected wallet to connect. Reading never needs one. */
export function hasWallet(): boolean {
  return typeof window.ethereum?.request === "function";
}

/** What a connected wallet can do, loaded on demand: a reader who never connects never downloads viem's clients. */
export function walletActions() {
  return import("./wallet-actions");
}

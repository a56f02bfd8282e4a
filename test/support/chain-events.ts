import { Interface, type LogDescription, type ParamType, type Result } from "ethers";

import type { DeploymentManifest } from "../../scripts/lib/manifest.js";
import { rpc } from "./processes.js";

/** A protocol event as the chain has it, with its arguments in a form comparable to the indexer's JSON. */
export interface ChainEvent {
  readonly blockNumber: bigint;
  readonly txHash: string;
  readonly logIndex: number;
  readonly contract: string;
  readonly event: string;
  readonly args: unknown;
}

/** Integers as decimal strings and hex in lower case, so that ethers' and viem's decodings compare equal. */
export function comparable(value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, comparable(inner)]));
  }
  return value;
}

/** A decoded value as plain JSON: tuples (structs) as objects keyed by field name, arrays as arrays. */
function plain(value: unknown, type: ParamType): unknown {
  if (type.isTuple()) {
    const fields = value as Result;
    return Object.fromEntries(
      type.components.map((component, index) => [component.name, plain(fields[index], component)]),
    );
  }
  if (type.isArray()) return Array.from(value as Result, (item) => plain(item, type.arrayChildren));
  return value;
}

function decodedArgs(parsed: LogDescription): unknown {
  return comparable(
    Object.fromEntries(parsed.fragment.inputs.map((input, index) => [input.name, plain(parsed.args[index], input)])),
  );
}

/** Every event every manifest contract emitted up to the chain's head, in chain order, decoded independently. */
export async function chainEvents(rpcUrl: string, manifest: DeploymentManifest): Promise<ChainEvent[]> {
  const byAddress = new Map(
    Object.values(manifest.contracts).map((entry) => [
      entry.address.toLowerCase(),
      { name: entry.name, abi: new Interface(entry.abi as never) },
    ]),
  );
  const logs = (await rpc(rpcUrl, "eth_getLogs", [
    { fromBlock: "0x0", toBlock: "latest", address: [...byAddress.keys()] },
  ])) as {
    address: string;
    topics: string[];
    data: string;
    blockNumber: string;
    transactionHash: string;
    logIndex: string;
  }[];
  return logs.map((log) => {
    const contract = byAddress.get(log.address.toLowerCase())!;
    const parsed = contract.abi.parseLog({ topics: log.topics, data: log.data });
    if (parsed === null) throw new Error(`${contract.name} emitted a log its ABI cannot decode`);
    return {
      blockNumber: BigInt(log.blockNumber),
      txHash: log.transactionHash.toLowerCase(),
      logIndex: Number(log.logIndex),
      contract: contract.name,
      event: parsed.name,
      args: decodedArgs(parsed),
    };
  });
}

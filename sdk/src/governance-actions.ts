import {
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Hex,
  encodeFunctionData,
  getAddress,
  isAddress,
  isHex,
} from "viem";

/** The contracts actions may name: by name, where each is and its ABI (a deployment manifest's `contracts`). */
export type ActionContracts = Readonly<Record<string, { readonly address: Address; readonly abi: Abi }>>;

/**
 * A governance action as people write it: a protocol contract by its name in the deployment, a function
 * by name, and its arguments by name.
 *
 *   { "contract": "JobMarket", "function": "setFeeSplit",
 *     "args": { "split": { "providerBps": 8000, "gasSubsidyBps": 0, "treasuryBps": 1500, "modelCreatorBps": 500 } } }
 *
 * Integers may be JSON numbers or decimal strings (for values beyond 2^53); an address argument may name a
 * deployment's contract as "@Name"; `target` overrides the address the call goes to (a contract not in the deployment
 * that has the named contract's ABI); `value` is wei to send with the call.
 */
export interface ActionSpec {
  readonly contract: string;
  readonly function: string;
  readonly args?: Record<string, unknown>;
  readonly target?: string;
  readonly value?: string | number;
}

/** An action ready for the Governor: where, how much, what. */
export interface EncodedAction {
  readonly target: Address;
  readonly value: bigint;
  readonly calldata: Hex;
  /** What it calls, for people: `JobMarket.setFeeSplit`. */
  readonly label: string;
}

/**
 * Encodes a list of actions against the ABIs of `contracts` (a manifest's, or {@link deploymentContracts}); throws
 * saying which action and argument is wrong.
 */
export function encodeActions(contracts: ActionContracts, raw: unknown): EncodedAction[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error("the actions must be a non-empty JSON list");
  return raw.map((action, index) => {
    try {
      return encodeAction(contracts, action as ActionSpec);
    } catch (error) {
      throw new Error(`action ${index + 1}: ${(error as Error).message}`);
    }
  });
}

function encodeAction(contracts: ActionContracts, action: ActionSpec): EncodedAction {
  if (typeof action !== "object" || action === null) throw new Error("must be an object");
  const known = new Set(["contract", "function", "args", "target", "value"]);
  for (const key of Object.keys(action)) if (!known.has(key)) throw new Error(`unknown field "${key}"`);
  const entry = contracts[action.contract];
  if (entry === undefined) {
    throw new Error(`no contract "${action.contract}" in the deployment (it has ${Object.keys(contracts).join(", ")})`);
  }
  const args = action.args ?? {};
  if (typeof args !== "object" || Array.isArray(args)) throw new Error('"args" must be an object of named arguments');
  const candidates = (entry.abi as Abi).filter(
    (item): item is AbiFunction => item.type === "function" && item.name === action.function,
  );
  if (candidates.length === 0) throw new Error(`${action.contract} has no function "${action.function}"`);
  const names = Object.keys(args).sort().join(",");
  const fn =
    candidates.find(
      (candidate) =>
        candidate.inputs
          .map((input) => input.name)
          .sort()
          .join(",") === names,
    ) ?? candidates[0]!;
  const inputNames = fn.inputs.map((input) => input.name ?? "");
  for (const name of Object.keys(args)) {
    if (!inputNames.includes(name)) {
      throw new Error(`${action.contract}.${fn.name} takes (${inputNames.join(", ")}), not "${name}"`);
    }
  }
  const values = fn.inputs.map((input) => {
    const name = input.name ?? "";
    if (!(name in args)) throw new Error(`${action.contract}.${fn.name} needs "${name}"`);
    return convert(contracts, input, args[name], name);
  });
  const target = action.target === undefined ? entry.address : checkedAddress(contracts, action.target, "target");
  const value = action.value === undefined ? 0n : integer(action.value, "value", false);
  return {
    target,
    value,
    calldata: encodeFunctionData({ abi: [fn], functionName: fn.name, args: values }),
    label: `${action.contract}.${fn.name}`,
  };
}

/** A JSON value as the ABI type of `parameter` wants it. */
function convert(contracts: ActionContracts, parameter: AbiParameter, value: unknown, path: string): unknown {
  const type = parameter.type;
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array !== null) {
    if (!Array.isArray(value)) throw new Error(`"${path}" must be a list`);
    const element = { ...parameter, type: array[1]! } as AbiParameter;
    return value.map((item, i) => convert(contracts, element, item, `${path}[${i}]`));
  }
  if (type === "tuple") {
    const components = (parameter as { components: readonly AbiParameter[] }).components;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error(`"${path}" must be an object with ${components.map((c) => c.name).join(", ")}`);
    }
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      if (!components.some((c) => c.name === key)) throw new Error(`"${path}" has no field "${key}"`);
    }
    return Object.fromEntries(
      components.map((component) => {
        const name = component.name ?? "";
        if (!(name in object)) throw new Error(`"${path}.${name}" is missing`);
        return [name, convert(contracts, component, object[name], `${path}.${name}`)];
      }),
    );
  }
  if (/^u?int\d*$/.test(type)) return integer(value, path, type.startsWith("int"));
  if (type === "address") return checkedAddress(contracts, value, path);
  if (type === "bool") {
    if (typeof value !== "boolean") throw new Error(`"${path}" must be true or false`);
    return value;
  }
  if (type === "string") {
    if (typeof value !== "string") throw new Error(`"${path}" must be a string`);
    return value;
  }
  if (/^bytes\d*$/.test(type)) {
    const size = type === "bytes" ? undefined : Number(type.slice(5));
    if (typeof value !== "string" || !isHex(value) || (size !== undefined && value.length !== 2 + 2 * size)) {
      throw new Error(`"${path}" must be ${size === undefined ? "0x-hex" : `${size} bytes of 0x-hex`}`);
    }
    return value;
  }
  throw new Error(`"${path}" has type ${type}, which actions cannot express`);
}

function integer(value: unknown, path: string, signed: boolean): bigint {
  const ok =
    (typeof value === "number" && Number.isSafeInteger(value)) ||
    (typeof value === "string" && (signed ? /^-?\d+$/ : /^\d+$/).test(value));
  if (!ok) throw new Error(`"${path}" must be a whole number (a JSON number, or a decimal string for large values)`);
  const result = BigInt(value as number | string);
  if (!signed && result < 0n) throw new Error(`"${path}" cannot be negative`);
  return result;
}

function checkedAddress(contracts: ActionContracts, value: unknown, path: string): Address {
  if (typeof value === "string" && value.startsWith("@")) {
    const entry = contracts[value.slice(1)];
    if (entry === undefined) throw new Error(`"${path}" names ${value}, which is not in the deployment`);
    return entry.address;
  }
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new Error(`"${path}" must be an address, or "@Name" for a contract of the deployment`);
  }
  return getAddress(value);
}

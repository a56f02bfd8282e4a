import { BaseError, ContractFunctionRevertedError, type Hex } from "viem";

/** One line saying what went wrong: a contract's custom error by name and arguments, or the error's first line. */
export function describeError(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((inner) => inner instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName !== undefined) {
      const args = (reverted.data.args ?? []).map((arg) =>
        typeof arg === "bigint" ? arg.toString() : String(arg as Hex),
      );
      return `the contract refused: ${reverted.data.errorName}(${args.join(", ")})`;
    }
    if (reverted instanceof ContractFunctionRevertedError && reverted.reason !== undefined) {
      return `the contract refused: ${reverted.reason}`;
    }
    const details = error.details === undefined || error.details === "" ? "" : ` (${error.details.split("\n")[0]})`;
    return `${error.shortMessage.split("\n")[0]}${details}`;
  }
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import {
  type Abi,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  getAddress,
  parseEther,
} from "viem";
import { describeError } from "@starminer/sdk";

import { ROOT } from "../support/processes.js";

/** The error `name(args)` of `abi` as a simulation reports it, raised by `contract` if given. */
function refusal(abi: Abi, name: string, args: readonly unknown[], contract?: string) {
  const data = encodeErrorResult({ abi, errorName: name, args } as never);
  const reverted = new ContractFunctionRevertedError({ abi, data, functionName: "anything" });
  return contract === undefined
    ? reverted
    : new ContractFunctionExecutionError(reverted, {
        abi,
        functionName: "anything",
        contractAddress: contract as `0x${string}`,
      });
}

const abiOf = async (path: string) =>
  (JSON.parse(await readFile(join(ROOT, "artifacts", "contracts", path), "utf8")) as { abi: Abi }).abi;

describe("errors people can read: a contract's refusal as one line", () => {
  let market: Abi;
  let governor: Abi;
  let staking: Abi;
  let agpu: Abi;

  before(async () => {
    market = await abiOf("market/JobMarket.sol/JobMarket.json");
    governor = await abiOf("governance/AMAXGovernor.sol/AMAXGovernor.json");
    staking = await abiOf("staking/Staking.sol/Staking.json");
    agpu = await abiOf("token/AGPU.sol/AGPU.json");
  });

  it("names an enum's member rather than its number", () => {
    expect(describeError(refusal(market, "MarketJobNotInStatus", [125n, 6]))).to.equal(
      "the contract refused: MarketJobNotInStatus(125, Cancelled)",
    );
  });

  it("shows amounts in AGPU, and the Governor's in AMAX", () => {
    expect(describeError(refusal(market, "MarketPriceAboveLimit", [parseEther("12.5"), parseEther("10")]))).to.equal(
      "the contract refused: MarketPriceAboveLimit(12.5 AGPU, 10 AGPU)",
    );
    const proposer = getAddress("0x00000000000000000000000000000000000000aa");
    expect(
      describeError(refusal(governor, "GovernorInsufficientProposerVotes", [proposer, 0n, parseEther("100000")])),
    ).to.equal(`the contract refused: GovernorInsufficientProposerVotes(${proposer}, 0 AMAX, 100000 AMAX)`);
  });

  it("names the token of an ERC-20 error by the contract that raised it", () => {
    const token = getAddress("0x00000000000000000000000000000000000000bb");
    const holder = getAddress("0x00000000000000000000000000000000000000cc");
    const error = refusal(agpu, "ERC20InsufficientBalance", [holder, parseEther("1"), parseEther("2")], token);
    expect(describeError(error, { [token.toLowerCase()]: "AGPU" })).to.equal(
      `the contract refused: ERC20InsufficientBalance(${holder}, 1 AGPU, 2 AGPU)`,
    );
    expect(describeError(error)).to.equal(
      `the contract refused: ERC20InsufficientBalance(${holder}, 1 tokens, 2 tokens)`,
    );
  });

  it("shows times as dates, and an unset time as zero", () => {
    const node = getAddress("0x00000000000000000000000000000000000000dd");
    expect(describeError(refusal(staking, "StakingNothingToWithdraw", [node, 1_800_000_000n]))).to.equal(
      `the contract refused: StakingNothingToWithdraw(${node}, 2027-01-15T08:00:00Z)`,
    );
    expect(describeError(refusal(staking, "StakingNothingToWithdraw", [node, 0n]))).to.equal(
      `the contract refused: StakingNothingToWithdraw(${node}, 0)`,
    );
  });

  it("keeps counts and ids as numbers", () => {
    const node = getAddress("0x00000000000000000000000000000000000000ee");
    expect(describeError(refusal(staking, "StakingTooManyUnbondings", [node, 8n]))).to.equal(
      `the contract refused: StakingTooManyUnbondings(${node}, 8)`,
    );
  });
});

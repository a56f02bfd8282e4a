import { type Abi, type Address, encodeFunctionData, keccak256, toHex } from "viem";
import { VoteType } from "@starminer/sdk";

import { manifestContract } from "../../scripts/lib/manifest.js";
import type { GasContext } from "./context.js";

/**
 * A proposal's life: propose, vote (plain and with a reason), queue in the Timelock, execute. The proposal
 * re-sets the market's current fee split, so that the figures measured after it are unchanged.
 */
export async function measureGovernance(context: GasContext): Promise<void> {
  const { send, accounts, manifest, publicClient, increaseTime } = context;
  const [deployer, alice] = accounts as [Address, Address];
  const governor = manifestContract(manifest, "AMAXGovernor");
  const timelock = manifestContract(manifest, "ProtocolTimelock");
  const jobMarket = manifestContract(manifest, "JobMarket");
  const read = (address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
    publicClient.readContract({ address, abi, functionName, args });

  const split = await read(jobMarket.address, jobMarket.abi as Abi, "feeSplit");
  const calldata = encodeFunctionData({ abi: jobMarket.abi as Abi, functionName: "setFeeSplit", args: [split] });
  const description = "Keep the fee split";
  const proposal = [[jobMarket.address], [0n], [calldata]] as const;
  await send("AMAXGovernor", "propose", [...proposal, description], { from: deployer, operation: "propose (1 call)" });
  const proposalId = (await read(governor.address, governor.abi as Abi, "hashProposal", [
    ...proposal,
    keccak256(toHex(description)),
  ])) as bigint;

  await increaseTime(Number(await read(governor.address, governor.abi as Abi, "votingDelay")) + 1);
  await send("AMAXGovernor", "castVote", [proposalId, VoteType.For], { from: deployer });
  await send("AMAXGovernor", "castVoteWithReason", [proposalId, VoteType.For, "the split works"], { from: alice });
  await increaseTime(Number(await read(governor.address, governor.abi as Abi, "votingPeriod")) + 1);
  const descriptionHash = keccak256(toHex(description));
  await send("AMAXGovernor", "queue", [...proposal, descriptionHash], { from: alice, operation: "queue (1 call)" });
  await increaseTime(Number(await read(timelock.address, timelock.abi as Abi, "getMinDelay")) + 1);
  await send("AMAXGovernor", "execute", [...proposal, descriptionHash], {
    from: alice,
    operation: "execute (1 call: setFeeSplit)",
  });
}

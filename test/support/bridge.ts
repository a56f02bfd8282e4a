import { TypedDataEncoder } from "ethers";

import {
  REFUND_TYPES as BRIDGE_REFUND_TYPES,
  TRANSFER_TYPES as BRIDGE_TRANSFER_TYPES,
} from "../../scripts/lib/bridge/gateway.js";
import { Role } from "../../scripts/lib/roles.js";
import type { Connection, Signer } from "./protocol.js";

export const AGPU = 10n ** 18n;
export const HOUR = 3_600;
export const OTHER_CHAIN = 777n;
export const Mode = { Home: 0, Remote: 1 } as const;
export const LIMIT = { period: HOUR, maxOutgoing: 1_000n * AGPU, maxIncoming: 1_000n * AGPU };

/** The validators' EIP-712 types, as the bridge tools sign them (ethers wants mutable arrays). */
export const TRANSFER_TYPES = { Transfer: [...BRIDGE_TRANSFER_TYPES.Transfer] };
export const REFUND_TYPES = { Refund: [...BRIDGE_REFUND_TYPES.Refund] };

export interface Transfer {
  sourceChainId: bigint;
  destinationChainId: bigint;
  sourceGateway: string;
  nonce: bigint;
  sender: string;
  recipient: string;
  amount: bigint;
}

/**
 * A home gateway (locks AGPU) and a remote one (mints BridgedAGPU) on this chain, each paired with a gateway on
 * chain 777, with three validators of which two must sign; Alice has sent 500 AGPU out from home (nonce 0).
 */
export function bridgesFixture(connection: Connection) {
  const { ethers } = connection;
  return async function bridges() {
    const [deployer, alice, bob, v1, v2, v3, outsider, otherGateway] = (await ethers.getSigners()) as Signer[];
    const manager = await ethers.deployContract("AccessManager", [deployer!.address]);
    const agpu = await ethers.deployContract("AGPU", [
      await manager.getAddress(),
      deployer!.address,
      1_000_000n * AGPU,
      7 * 24 * HOUR,
      0,
      104,
    ]);
    const validators = [v1!, v2!, v3!].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    const gateway = async (mode: number, token: string) => {
      const implementation = await ethers.deployContract("BridgeGateway");
      const init = implementation.interface.encodeFunctionData("initialize", [
        await manager.getAddress(),
        mode,
        token,
        validators.map((v) => v.address),
        2,
        LIMIT,
      ]);
      const proxy = await ethers.deployContract("ERC1967Proxy", [await implementation.getAddress(), init]);
      const deployed = await ethers.getContractAt("BridgeGateway", await proxy.getAddress());
      await deployed.connect(deployer!).setCounterpart(OTHER_CHAIN, otherGateway!.address);
      return deployed;
    };
    const home = await gateway(Mode.Home, await agpu.getAddress());
    const bridged = await ethers.deployContract("BridgedAGPU", [await manager.getAddress()]);
    const remote = await gateway(Mode.Remote, await bridged.getAddress());
    const mintAndBurn = [
      bridged.interface.getFunction("mint")!.selector,
      bridged.interface.getFunction("burn")!.selector,
    ];
    await manager.connect(deployer!).setTargetFunctionRole(await bridged.getAddress(), mintAndBurn, Role.BRIDGE_MINTER);
    await manager.connect(deployer!).grantRole(Role.BRIDGE_MINTER, await remote.getAddress(), 0);
    await agpu.connect(deployer!).transfer(alice!.address, 10_000n * AGPU);
    // The home gateway holds what earlier transfers out locked, so that transfers in can be released.
    await agpu.connect(alice!).approve(await home.getAddress(), 500n * AGPU);
    await home.connect(alice!).send(OTHER_CHAIN, bob!.address, 500n * AGPU);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    return {
      deployer: deployer!,
      alice: alice!,
      bob: bob!,
      validators,
      outsider: outsider!,
      otherGateway: otherGateway!,
      manager,
      agpu,
      bridged,
      home,
      remote,
      chainId,
    };
  };
}

export type Bridges = Awaited<ReturnType<ReturnType<typeof bridgesFixture>>>;

/** A transfer from chain 777 to this chain. */
export function incoming(b: Bridges, overrides: Partial<Transfer> = {}): Transfer {
  return {
    sourceChainId: OTHER_CHAIN,
    destinationChainId: b.chainId,
    sourceGateway: b.otherGateway.address,
    nonce: 0n,
    sender: b.bob.address,
    recipient: b.alice.address,
    amount: 100n * AGPU,
    ...overrides,
  };
}

/** Signatures of `signers` over `transfer` in the domain of `gateway` on `chainId` (the destination). */
export async function sign(
  signers: Signer[],
  transfer: Transfer,
  gateway: string,
  chainId: bigint = transfer.destinationChainId,
): Promise<string[]> {
  const domain = bridgeDomain(chainId, gateway);
  return Promise.all(signers.map((signer) => signer.signTypedData(domain, TRANSFER_TYPES, transfer)));
}

/** The EIP-712 domain of the gateway at `gateway` on `chainId`. */
export function bridgeDomain(chainId: bigint, gateway: string) {
  return { name: "StarMiner Bridge", version: "1", chainId, verifyingContract: gateway };
}

/** A transfer out of this chain from `sourceGateway` to Bob on chain 777, and the digest chain 777's gateway checks. */
export function outgoing(b: Bridges, sourceGateway: string, nonce: bigint, amount: bigint) {
  const transfer: Transfer = {
    sourceChainId: b.chainId,
    destinationChainId: OTHER_CHAIN,
    sourceGateway,
    nonce,
    sender: b.alice.address,
    recipient: b.bob.address,
    amount,
  };
  const digest = TypedDataEncoder.hash(bridgeDomain(OTHER_CHAIN, b.otherGateway.address), TRANSFER_TYPES, transfer);
  return { transfer, digest };
}

/** Signatures of `signers` over the refund of `digest`, in the domain of `gateway` (the source) on this chain. */
export async function signRefund(b: Bridges, signers: Signer[], digest: string, gateway: string): Promise<string[]> {
  const domain = bridgeDomain(b.chainId, gateway);
  return Promise.all(signers.map((signer) => signer.signTypedData(domain, REFUND_TYPES, { transfer: digest })));
}

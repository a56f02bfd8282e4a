import { expect } from "chai";
import type { ParamType } from "ethers";

import { UPGRADEABLE_CONTRACTS } from "../../scripts/lib/upgrades.js";
import { connect, protocolFixture } from "../support/protocol.js";

const connection = await connect();
const { ethers, networkHelpers } = connection;
const deployed = protocolFixture(connection);

/** A value of `type` for a call that must fail before it reads its arguments. */
function zeroOf(type: ParamType): unknown {
  if (type.baseType === "array") {
    return Array.from({ length: Math.max(type.arrayLength ?? 0, 0) }, () => zeroOf(type.arrayChildren!));
  }
  if (type.baseType === "tuple") return type.components!.map(zeroOf);
  if (type.baseType === "address") return ethers.ZeroAddress;
  if (type.baseType === "bool") return false;
  if (type.baseType.startsWith("bytes"))
    return type.baseType === "bytes" ? "0x" : ethers.zeroPadValue("0x", Number(type.baseType.slice(5)));
  if (type.baseType === "string") return "";
  return 0n;
}

describe("Initialization: every upgradeable contract initializes once, and its implementation never", () => {
  for (const name of UPGRADEABLE_CONTRACTS) {
    it(`${name}: refuses a second initialize on the proxy and any initialize on the implementation`, async () => {
      const { manifest, accounts } = await networkHelpers.loadFixture(deployed);
      const entry = manifest.contracts[name]!;
      expect(entry.implementation, `${name} is not behind a proxy`).to.not.equal(undefined);
      for (const address of [entry.address, entry.implementation!]) {
        const contract = await ethers.getContractAt(name, address);
        const initialize = contract.interface.getFunction("initialize")!;
        const args = initialize.inputs.map(zeroOf);
        await expect(
          contract.connect(accounts.stranger).getFunction("initialize")(...args),
        ).to.be.revertedWithCustomError(contract, "InvalidInitialization");
      }
    });
  }
});

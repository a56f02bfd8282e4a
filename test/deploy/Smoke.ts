import { connect, protocolFixture } from "../support/protocol.js";
const connection = await connect();
describe("smoke", () => {
  it("deploys", async () => {
    const p = await connection.networkHelpers.loadFixture(protocolFixture(connection));
    console.log(Object.values(p.manifest.contracts).map((c) => [c.name, c.startBlock]));
  });
});

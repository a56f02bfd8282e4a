import { expect } from "chai";

import { startHardhatNode } from "../../scripts/lib/devnet/processes.js";
import { freePort, rpc } from "../support/processes.js";

describe("the devnet's chain node", function () {
  this.timeout(120_000);

  it("serves JSON-RPC without logging each request (a log nobody reads, and a good share of the node's work under load)", async () => {
    const port = await freePort();
    const node = await startHardhatNode(port);
    try {
      const url = `http://127.0.0.1:${port}`;
      const [from, to] = (await rpc(url, "eth_accounts", [])) as string[];
      await rpc(url, "eth_sendTransaction", [{ from, to, value: "0x1" }]);
      expect(await rpc(url, "eth_blockNumber", [])).to.equal("0x1");
      // The node's output arrives through a pipe: give it time to show a request log line, were there one.
      await new Promise((done) => setTimeout(done, 1_000));
      // It still writes what it writes at start (its accounts), so the output is being read.
      expect(node.output()).to.include("Private Key");
      expect(node.output()).not.to.match(/eth_sendTransaction|eth_blockNumber|eth_accounts/);
    } finally {
      await node.stop();
    }
  });
});

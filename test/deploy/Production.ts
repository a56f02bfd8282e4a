import { expect } from "chai";
import type { Address } from "viem";

import { DEVELOPMENT_CHAIN_ID, checkProductionKeys } from "../../scripts/deploy/ceremony.js";
import { deployProtocol } from "../../scripts/deploy/protocol.js";
import { DEVELOPMENT_PHASE1 } from "../../scripts/lib/zk/ceremony.js";
import { expectRejection } from "../support/assertions.js";
import { productionParameters } from "../support/production.js";
import { connect } from "../support/protocol.js";

const connection = await connect();
const { ethers } = connection;

/**
 * A production deployment is refused, before it sends anything, whenever its parameters would leave power or tokens
 * with one key after the handover.
 */
describe("A production deployment's parameters", function () {
  this.timeout(60_000);

  async function accounts() {
    const [deployer, guardian, alice, bob, carol, beneficiary, validator] = await ethers.getSigners();
    const recipients = {
      guardian: guardian!.address as Address,
      voters: [alice!.address as Address, bob!.address as Address, carol!.address as Address] as const,
      beneficiary: beneficiary!.address as Address,
      bridgeValidators: [validator!.address as Address],
    };
    return { deployer: deployer!.address as Address, recipients, parameters: productionParameters(recipients) };
  }

  /** Deploys with `parameters` and expects the one-line refusal `message`, with no transaction sent. */
  async function refused(parameters: Record<string, unknown>, message: RegExp) {
    const blockBefore = await ethers.provider.getBlockNumber();
    await expectRejection(deployProtocol(connection, { manifestDir: null, handOver: true, parameters }), message);
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
  }

  it("names everything a production deployment is missing, in one line", async () => {
    await refused(
      {},
      /^a production deployment names its guardian, its token distribution and the bridge's validators: set Authority\.guardian, Distribution, Bridge\.validators, Bridge\.threshold in the STARMINER_DEPLOY_PARAMETERS file$/,
    );
    const { parameters } = await accounts();
    const { Distribution: _, ...withoutDistribution } = parameters;
    await refused(withoutDistribution, /set Distribution in the STARMINER_DEPLOY_PARAMETERS file$/);
  });

  it("refuses the development ZK keys: one contributor, no beacon, a phase 1 nobody else can check", async () => {
    const { parameters } = await accounts();
    await refused(
      { ...parameters, Ceremony: { ptau: DEVELOPMENT_PHASE1 } },
      new RegExp(
        "^the ZK keys are not fit for production \\(make them with npm run zk:ceremony\\): " +
          "compute_commitment's key is a development key; " +
          "compute_commitment's phase 1 \\(development\\.ptau\\) is not a pinned public ceremony; " +
          "compute_commitment's key has 1 phase-2 contribution\\(s\\) by 1 distinct name\\(s\\); production needs at least 3 independent contributors; " +
          "compute_commitment's key does not end with a random beacon; dense_layer's key is a development key; .*" +
          "digits_mlp's key does not end with a random beacon$",
      ),
    );
  });

  it("refuses a deployment that does not say which phase 1 its ZK keys were made on", async () => {
    const { parameters } = await accounts();
    const { Ceremony: _, ...withoutCeremony } = parameters;
    await refused(
      withoutCeremony,
      /^a production deployment verifies its ZK keys: set Ceremony\.ptau in the STARMINER_DEPLOY_PARAMETERS file to the public phase-1 file they were made on/,
    );
    await refused({ ...parameters, Ceremony: "yes" }, /^Ceremony must be an object \(got "yes"\)$/);
    await refused(
      { ...parameters, Ceremony: { developmentKeys: "yes" } },
      /^Ceremony\.developmentKeys can only be true/,
    );
  });

  it("takes development keys as a rehearsal on Hardhat's development chain only", async () => {
    await checkProductionKeys({ developmentKeys: true }, DEVELOPMENT_CHAIN_ID);
    await expectRejection(
      checkProductionKeys({ developmentKeys: true }, 1),
      /^Ceremony\.developmentKeys: development keys can be forged by whoever made them; chain 1 is not Hardhat's development chain \(31337\): set Ceremony\.ptau instead$/,
    );
  });

  it("refuses the deployer as guardian, and a guardian that is not an address", async () => {
    const { deployer, parameters } = await accounts();
    await refused(
      { ...parameters, Authority: { guardian: deployer } },
      /^Authority\.guardian is the deployer: name the security multisig that may pause the protocol$/,
    );
    await refused({ ...parameters, Authority: { guardian: "multisig" } }, /^Authority\.guardian must be an address/);
  });

  it("refuses a named GOVERNOR and a single holder of the genesis tokens", async () => {
    const { parameters, recipients } = await accounts();
    await refused(
      { ...parameters, Authority: { ...parameters.Authority, governor: recipients.guardian } },
      /^Authority\.governor: the Timelock is a production deployment's only GOVERNOR; remove it$/,
    );
    await refused(
      { ...parameters, Tokens: { amaxInitialHolder: recipients.voters[0] } },
      /^Tokens\.amaxInitialHolder: AMAX is handed out by Distribution/,
    );
    await refused(
      { ...parameters, Tokens: { agpuGenesisRecipient: recipients.voters[0] } },
      /^Tokens\.agpuGenesisRecipient: genesis AGPU is handed out by Distribution/,
    );
  });

  it("refuses a distribution that leaves genesis tokens unallocated or allocates more than is minted", async () => {
    const { parameters } = await accounts();
    const short = { ...parameters.Distribution, treasury: { AMAX: "91599999", AGPU: "397000000" } };
    await refused(
      { ...parameters, Distribution: short },
      /^Distribution: allocates 99 999 999 AMAX but 100 000 000 are minted at genesis/,
    );
    const over = { ...parameters.Distribution, treasury: { AMAX: "91600000", AGPU: "397000000.5" } };
    await refused({ ...parameters, Distribution: over }, /allocates 400 000 000\.5 AGPU but 400 000 000 are minted/);
  });

  it("refuses an allocation that would let one account meet the quorum alone, vesting included", async () => {
    const { parameters, recipients } = await accounts();
    const [alice, bob] = parameters.Distribution.community;
    // Alice: 3 900 000 outright and 100 000 more moved from Bob: exactly the 4 000 000 AMAX quorum.
    const concentrated = {
      ...parameters.Distribution,
      community: [{ ...alice, AMAX: "4000000" }, { ...bob, AMAX: "2900000" }, parameters.Distribution.community[2]],
    };
    await refused(
      { ...parameters, Distribution: concentrated },
      new RegExp(
        `^Distribution: ${alice!.account} would hold 4 000 000 AMAX, enough to meet the 4 000 000 AMAX quorum`,
      ),
    );
    // The beneficiary of the vested allocation also receives 3 500 000 outright: 4 000 000 in all.
    const vestedToo = {
      ...parameters.Distribution,
      treasury: { AMAX: "88100000", AGPU: "397000000" },
      community: [
        ...parameters.Distribution.community,
        { label: "grants", account: recipients.beneficiary, AMAX: "3500000" },
      ],
    };
    await refused(
      { ...parameters, Distribution: vestedToo },
      new RegExp(`${recipients.beneficiary} would hold 4 000 000 AMAX`),
    );
  });

  it("refuses the deployer or the zero address as a recipient, a cliff past the end, and a label used twice", async () => {
    const { deployer, parameters } = await accounts();
    const [alice, bob, carol] = parameters.Distribution.community;
    const [core] = parameters.Distribution.vesting;
    const variant = (changes: Partial<typeof parameters.Distribution>) => ({
      ...parameters,
      Distribution: { ...parameters.Distribution, ...changes },
    });
    await refused(
      variant({ community: [{ ...alice!, account: deployer }, bob!, carol!] }),
      /^Distribution\.community\[0\] \(voter_alice\): account is the deployer, which must keep nothing$/,
    );
    await refused(
      variant({ community: [alice!, { ...bob!, account: "0x0000000000000000000000000000000000000000" }, carol!] }),
      /^Distribution\.community\[1\] \(voter_bob\): account is the zero address$/,
    );
    await refused(
      variant({ vesting: [{ ...core!, cliffSeconds: core!.durationSeconds + 1 }] }),
      /^Distribution\.vesting\[0\] \(core_1\): cliffSeconds must be a whole number of seconds no longer than durationSeconds$/,
    );
    await refused(
      variant({ community: [alice!, { ...bob!, label: "voter_alice" }, carol!] }),
      /^Distribution\.community\[1\]: label "voter_alice" is used twice$/,
    );
    await refused(
      variant({ community: [alice!, { ...bob!, AMAX: "3e6" }, carol!] }),
      /^Distribution\.community\[1\] \(voter_bob\): AMAX must be a whole-token amount as a decimal string/,
    );
  });
});

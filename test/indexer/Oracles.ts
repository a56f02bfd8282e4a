import { expect } from "chai";
import { parseEther } from "viem";
import { zoneId } from "@starminer/sdk";

import { energyFeedId } from "../../scripts/lib/feeds.js";
import { type RunningIndexer, graphql, startIndexerOf, waitUntilSynced } from "../support/indexer.js";
import { type LiveMarket, startLiveMarket } from "../support/live.js";
import { registerFreshOracles, setFeedOracles } from "../support/oracles.js";
import type { Signer } from "../support/protocol.js";
import { advance } from "../support/scenario.js";

const FEED = energyFeedId(zoneId("eu-west"));
const HONEST = parseEther("20");
const LIE = parseEther("1000000");

interface IndexedRound {
  roundId: string;
  status: string;
  reports: number;
  answer: string | null;
  oracleReports: { items: { oracle: string; value: string; penalized: boolean; slashed: string }[] };
}

/**
 * The oracle feeds as the indexer serves them: each round with its status, its count of reports and the reports
 * themselves (a liar's marked with the stake its penalty took), and each feed's latest answer.
 */
describe("the indexer's oracle feeds: rounds, reports and penalties as the chain has them", function () {
  this.timeout(240_000);
  let live: LiveMarket;
  let indexer: RunningIndexer;
  let oracles: Signer[];
  let firstRound: bigint;

  before(async function () {
    live = await startLiveMarket("indexer-oracles");
    const { oracleHub } = live.market;
    oracles = await registerFreshOracles(live.connection, live.market, 5);
    await setFeedOracles(live.market, FEED, oracles, 3);
    firstRound = (await oracleHub.feed(FEED)).roundId;
    // A round the set finishes: four honest reports and a lie, which the median ignores and the hub penalizes.
    const [liar, ...honest] = oracles;
    await oracleHub.connect(liar!).report(FEED, LIE);
    for (const oracle of honest) await oracleHub.connect(oracle).report(FEED, HONEST);
    // A round under quorum: two reports, then the timeout, then anyone closes it.
    for (const oracle of honest.slice(0, 2)) await oracleHub.connect(oracle).report(FEED, HONEST);
    await advance(live.connection, Number(await oracleHub.roundTimeout()) + 1);
    await oracleHub.closeRound(FEED);
    indexer = await startIndexerOf(live);
    await waitUntilSynced(indexer.url, live.rpcUrl);
  });

  after(async function () {
    await indexer?.stop();
    await live?.close();
  });

  const rounds = async () => {
    const { status, body } = await graphql<{ oracleRounds: { items: IndexedRound[] } }>(
      indexer.url,
      `
        query ($feed: String!) {
          oracleRounds(where: { feedId: $feed }, orderBy: "roundId", orderDirection: "asc") {
            items {
              roundId
              status
              reports
              answer
              oracleReports {
                items {
                  oracle
                  value
                  penalized
                  slashed
                }
              }
            }
          }
        }
      `,
      { feed: FEED },
    );
    expect(status, JSON.stringify(body.errors)).to.equal(200);
    return body.data!.oracleRounds.items;
  };

  it("a finished round: its answer, its count of reports and every report, the liar's penalty with it", async function () {
    const { staking } = live.market;
    const [finished] = await rounds();
    expect(finished).to.include({ roundId: `${firstRound}`, status: "Finalized", reports: 5, answer: `${HONEST}` });
    const penalties = await live.market.oracleHub.queryFilter(live.market.oracleHub.filters.ReportPenalized(FEED));
    expect(penalties, "the chain penalized the liar alone").to.have.length(1);
    const slashed = penalties[0]!.args.amount;
    expect(slashed).to.be.greaterThan(0n);
    const byOracle = new Map(finished!.oracleReports.items.map((report) => [report.oracle, report]));
    expect([...byOracle.keys()]).to.have.members(oracles.map((oracle) => oracle.address.toLowerCase()));
    const [liar, ...honest] = oracles;
    expect(byOracle.get(liar!.address.toLowerCase())).to.include({
      value: `${LIE}`,
      penalized: true,
      slashed: `${slashed}`,
    });
    for (const oracle of honest) {
      expect(byOracle.get(oracle.address.toLowerCase())).to.include({
        value: `${HONEST}`,
        penalized: false,
        slashed: "0",
      });
    }
    expect(await staking.recentOffences(liar!.address), "the slash the report shows is the chain's").to.equal(1n);
  });

  it("a round under quorum: discarded with the reports it had, and the feed keeps the last answer", async function () {
    const [, discarded] = await rounds();
    expect(discarded).to.include({ roundId: `${firstRound + 1n}`, status: "Discarded", reports: 2, answer: null });
    expect(discarded!.oracleReports.items.map((report) => report.penalized)).to.deep.equal([false, false]);
    const { body } = await graphql<{ oracleFeed: { latestRound: string; latestAnswer: string } }>(
      indexer.url,
      `
        query ($feed: String!) {
          oracleFeed(id: $feed) {
            latestRound
            latestAnswer
          }
        }
      `,
      { feed: FEED },
    );
    const onChain = await live.market.oracleHub.feed(FEED);
    expect(body.data!.oracleFeed).to.deep.equal({ latestRound: `${firstRound}`, latestAnswer: `${onChain.answer}` });
    expect(onChain.answer).to.equal(HONEST);
  });
});

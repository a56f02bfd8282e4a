import type { OracleFeedRow, OracleRoundRow } from "@starminer/sdk";

import { Badge, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { agpu, time } from "../format";

/** Oracle feeds (energy prices) with their latest answers, and the latest rounds. */
export function OraclesPage() {
  const loaded = useLive(
    () =>
      indexer.graphql<{
        oracleFeeds: { items: OracleFeedRow[] };
        oracleRounds: { items: OracleRoundRow[] };
      }>(
        `{ oracleFeeds(limit: 100) { items { id description maxAge latestRound latestAnswer updatedAt } }
           oracleRounds(orderBy: "openedAt", orderDirection: "desc", limit: 50) {
             items { id feedId roundId status reports answer openedAt closedAt } } }`,
      ),
    "oracles",
  );
  return (
    <>
      <h1>Oracles</h1>
      <Show loaded={loaded} what="oracle feeds">
        {({ oracleFeeds, oracleRounds }) => {
          const describe = (feedId: string) =>
            oracleFeeds.items.find((feed) => feed.id === feedId)?.description ?? feedId.slice(0, 10);
          return (
            <>
              <Table
                caption="Feeds"
                rows={oracleFeeds.items}
                rowKey={(f) => f.id}
                empty="No feed is configured."
                columns={[
                  { header: "Feed", cell: (f) => f.description },
                  { header: "Latest answer", cell: (f) => agpu(f.latestAnswer, "AGPU/kWh"), numeric: true },
                  { header: "Round", cell: (f) => f.latestRound ?? "–", numeric: true },
                  { header: "Updated", cell: (f) => time(f.updatedAt) },
                  { header: "Max age", cell: (f) => `${f.maxAge} s`, numeric: true },
                ]}
              />
              <Table
                caption="Rounds, newest first"
                rows={oracleRounds.items}
                rowKey={(r) => r.id}
                empty="No round yet."
                columns={[
                  { header: "Feed", cell: (r) => describe(r.feedId) },
                  { header: "Round", cell: (r) => r.roundId, numeric: true },
                  { header: "Status", cell: (r) => <Badge value={r.status} /> },
                  { header: "Reports", cell: (r) => r.reports, numeric: true },
                  { header: "Answer", cell: (r) => agpu(r.answer, "AGPU/kWh"), numeric: true },
                  { header: "Opened", cell: (r) => time(r.openedAt) },
                ]}
              />
            </>
          );
        }}
      </Show>
    </>
  );
}

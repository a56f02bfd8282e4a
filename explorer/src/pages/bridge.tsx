import { Badge, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { agpu, short, time } from "../format";

/** Bridge transfers on both chains, newest first. */
export function BridgePage() {
  const loaded = useLive(async () => (await indexer.bridgeTransfers({ limit: 100 })).transfers, "bridge");
  return (
    <>
      <h1>Bridge</h1>
      <Show loaded={loaded} what="bridge transfers">
        {(transfers) => (
          <Table
            caption="Transfers, newest first"
            rows={transfers}
            rowKey={(t) => t.id}
            empty="No transfer has crossed the bridge. Without a remote chain configured, the indexer follows the home chain only."
            columns={[
              { header: "Transfer", cell: (t) => <code>{short(t.id)}</code> },
              { header: "Route", cell: (t) => `${t.sourceChainId} → ${t.destinationChainId}` },
              { header: "Status", cell: (t) => <Badge value={t.status} /> },
              { header: "Amount", cell: (t) => agpu(t.amount), numeric: true },
              { header: "From", cell: (t) => short(t.sender) },
              { header: "To", cell: (t) => short(t.recipient) },
              { header: "Sent", cell: (t) => time(t.sentAt) },
              { header: "Completed", cell: (t) => time(t.completedAt) },
            ]}
          />
        )}
      </Show>
    </>
  );
}

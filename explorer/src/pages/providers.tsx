import { useMemo } from "preact/hooks";

import { NodeRole, type NodeRow } from "@starminer/sdk";

import { TimeChart } from "../components/chart";
import { Badge, Facts, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { agpu, percent, runtimes, short, time, zone } from "../format";
import { href } from "../router";

const NODE_FIELDS = `id registered active roles zone endpoint gpuModel vramMiB computeCapability tflopsCenti teeType
  runtimes staked locked slashed slashCount composite slotsClaimed slotsDelivered slotsMissed earned registeredAt`;

type Node = Pick<
  NodeRow,
  | "id"
  | "registered"
  | "active"
  | "roles"
  | "zone"
  | "endpoint"
  | "gpuModel"
  | "vramMiB"
  | "computeCapability"
  | "tflopsCenti"
  | "teeType"
  | "runtimes"
  | "staked"
  | "locked"
  | "slashed"
  | "slashCount"
  | "composite"
  | "slotsClaimed"
  | "slotsDelivered"
  | "slotsMissed"
  | "earned"
  | "registeredAt"
>;

/** Every registered node with `role`, best reputation first (unscored nodes last). */
export async function nodesWithRole(role: number): Promise<Node[]> {
  const { nodes } = await indexer.graphql<{ nodes: { items: Node[] } }>(
    `{ nodes(where: { registered: true }, limit: 1000) { items { ${NODE_FIELDS} } } }`,
  );
  return nodes.items
    .filter((node) => (node.roles & role) !== 0)
    .sort((a, b) => (b.composite ?? -1) - (a.composite ?? -1) || Number(BigInt(b.staked) - BigInt(a.staked)));
}

/** The provider leaderboard: reputation, record, stake and hardware of every registered provider. */
export function ProvidersPage() {
  const loaded = useLive(() => nodesWithRole(NodeRole.PROVIDER), "providers");
  return (
    <>
      <h1>Providers</h1>
      <Show loaded={loaded} what="providers">
        {(providers) => (
          <Table
            caption={`Leaderboard: ${providers.length} providers by reputation`}
            rows={providers}
            rowKey={(p) => p.id}
            empty="No provider has registered yet."
            columns={[
              { header: "Rank", cell: (p) => providers.indexOf(p) + 1, numeric: true },
              { header: "Provider", cell: (p) => <a href={href("providers", p.id)}>{short(p.id)}</a> },
              { header: "Reputation", cell: (p) => percent(p.composite), numeric: true },
              { header: "GPU", cell: (p) => p.gpuModel || "–" },
              { header: "Zone", cell: (p) => zone(p.zone) },
              { header: "Delivered", cell: (p) => `${p.slotsDelivered} / ${p.slotsClaimed}`, numeric: true },
              { header: "Stake", cell: (p) => agpu(p.staked), numeric: true },
              { header: "Earned", cell: (p) => agpu(p.earned), numeric: true },
              { header: "Slashes", cell: (p) => p.slashCount, numeric: true },
              { header: "Active", cell: (p) => (p.active ? "yes" : "no") },
            ]}
          />
        )}
      </Show>
    </>
  );
}

/** One provider: its hardware, stake, reputation over time, record and slashes. */
export function ProviderPage(props: { address: string }) {
  const valid = /^0x[0-9a-fA-F]{40}$/.test(props.address);
  const loaded = useLive(async () => {
    if (!valid) throw new Error(`"${props.address}" is not an address`);
    const [reputation, { node }] = await Promise.all([
      indexer.providerReputation(props.address as `0x${string}`, { order: "asc", limit: 1000 }),
      indexer.graphql<{ node: Node | null }>(`query ($id: String!) { node(id: $id) { ${NODE_FIELDS} } }`, {
        id: props.address.toLowerCase(),
      }),
    ]);
    return { reputation, node: node! };
  }, `provider-${props.address}`);
  return (
    <>
      <h1>Provider {short(props.address)}</h1>
      <Show loaded={loaded} what="the provider">
        {({ reputation, node }) => <ProviderDetail reputation={reputation} node={node} />}
      </Show>
    </>
  );
}

function ProviderDetail(props: { reputation: Awaited<ReturnType<typeof indexer.providerReputation>>; node: Node }) {
  const { reputation, node } = props;
  const history = reputation.history;
  const chart = useMemo(
    () => ({
      times: history.map((h) => Number(h.timestamp)),
      series: [
        { label: "composite", values: history.map((h) => h.composite / 100), color: "#2563eb" },
        { label: "reliability", values: history.map((h) => h.reliability / 100), color: "#16a34a" },
        { label: "accuracy", values: history.map((h) => h.accuracy / 100), color: "#9333ea" },
      ],
    }),
    [history],
  );
  return (
    <>
      <p class="mono">{node.id}</p>
      <Facts
        items={[
          ["Active", node.active ? "yes" : "no"],
          ["Zone", zone(node.zone)],
          ["GPU", node.gpuModel || "–"],
          ["VRAM", node.vramMiB === null ? "–" : `${(node.vramMiB / 1024).toFixed(0)} GiB`],
          ["Compute capability", node.computeCapability === null ? "–" : (node.computeCapability / 10).toFixed(1)],
          ["TFLOPS", node.tflopsCenti === null ? "–" : (node.tflopsCenti / 100).toFixed(1)],
          ["Runtimes", runtimes(node.runtimes)],
          ["Endpoint", node.endpoint ?? "–"],
          ["Stake", agpu(node.staked)],
          ["Locked as collateral", agpu(node.locked)],
          ["Slashed", `${agpu(node.slashed)} in ${node.slashCount} slash${node.slashCount === 1 ? "" : "es"}`],
          ["Earned", agpu(node.earned)],
          ["Reputation now", percent(reputation.reputation.current?.composite)],
          ["Slots delivered / claimed / missed", `${node.slotsDelivered} / ${node.slotsClaimed} / ${node.slotsMissed}`],
        ]}
      />
      <section aria-labelledby="reputation-title">
        <h2 id="reputation-title">Reputation history</h2>
        {history.length === 0 ? (
          <p class="muted">No reputation update yet.</p>
        ) : (
          <TimeChart title="Reputation scores (%)" times={chart.times} series={chart.series} axes={["score %"]} />
        )}
        <Table
          caption="Reputation updates"
          rows={history}
          rowKey={(h) => h.id}
          empty="No update."
          columns={[
            { header: "When", cell: (h) => time(h.timestamp) },
            { header: "Outcome", cell: (h) => <Badge value={h.outcome} /> },
            { header: "Job", cell: (h) => (h.jobId === null ? "–" : <a href={href("jobs", h.jobId)}>#{h.jobId}</a>) },
            { header: "Composite", cell: (h) => percent(h.composite), numeric: true },
          ]}
        />
      </section>
      <Table
        caption="Slashes"
        rows={reputation.slashes}
        rowKey={(s) => s.id}
        empty="Never slashed."
        columns={[
          { header: "When", cell: (s) => time(s.timestamp) },
          { header: "Job", cell: (s) => (s.jobId === null ? "–" : <a href={href("jobs", s.jobId)}>#{s.jobId}</a>) },
          { header: "Amount", cell: (s) => agpu(s.amount), numeric: true },
          { header: "Offence", cell: (s) => s.offence, numeric: true },
        ]}
      />
    </>
  );
}

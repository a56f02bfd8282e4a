import { useMemo, useState } from "preact/hooks";

import type { HeatmapCell, ZoneNeighbourRow } from "@starminer/sdk";

import { TimeChart } from "../components/chart";
import { Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { TIERS, agpu, percent, zone } from "../format";
import { href } from "../router";

/** Utilisation as a colour from cool (idle) to hot (full), for the heatmap's cells. */
function heat(bps: number): string {
  const hue = Math.round(200 - (Math.min(bps, 10_000) / 10_000) * 200);
  return `hsl(${hue} 70% 88%)`;
}

function Heatmap(props: { cells: readonly HeatmapCell[]; neighbours: readonly ZoneNeighbourRow[] }) {
  const zones = [...new Set(props.cells.map((cell) => cell.zoneLabel))];
  const tiers = [...new Set(props.cells.map((cell) => cell.tierName))];
  const cell = (z: string, t: string) => props.cells.find((c) => c.zoneLabel === z && c.tierName === t);
  return (
    <div class="table-wrap">
      <table class="heatmap">
        <caption>Zones × tiers: price per GPU-hour, utilisation and jobs</caption>
        <thead>
          <tr>
            <th scope="col">Zone</th>
            {tiers.map((t) => (
              <th scope="col" key={t}>
                {t}
              </th>
            ))}
            <th scope="col">Spills over to</th>
          </tr>
        </thead>
        <tbody>
          {zones.map((z) => (
            <tr key={z}>
              <th scope="row">{z}</th>
              {tiers.map((t) => {
                const c = cell(z, t);
                return (
                  <td key={t} style={{ background: heat(c?.utilisationBps ?? 0) }}>
                    <a href={href("market", { zone: z, tier: t })} aria-label={`${z} ${t}: price history`}>
                      {agpu(c?.pricePerGpuHour)}
                    </a>
                    <div class="muted">
                      {percent(c?.utilisationBps)} busy · {c?.activeJobs ?? 0} active · {c?.jobsSettled ?? 0} settled
                    </div>
                  </td>
                );
              })}
              <td>
                {props.neighbours
                  .filter((n) => zone(n.zone) === z)
                  .map((n) => (
                    <a key={n.id} class="chip" href={href("market", { zone: zone(n.neighbour), tier: tiers[0] ?? "" })}>
                      {zone(n.neighbour)} (+{percent(n.penaltyBps)})
                    </a>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PriceHistory(props: { zone: string; tier: string }) {
  const loaded = useLive(
    () => indexer.priceHistory(props.zone, props.tier.toLowerCase(), { order: "asc", limit: 1000 }),
    `prices-${props.zone}-${props.tier}`,
  );
  return (
    <Show loaded={loaded} what="the price history">
      {({ history, current }) => <PriceChart zone={props.zone} tier={props.tier} history={history} current={current} />}
    </Show>
  );
}

function PriceChart(props: {
  zone: string;
  tier: string;
  history: Awaited<ReturnType<typeof indexer.priceHistory>>["history"];
  current: Awaited<ReturnType<typeof indexer.priceHistory>>["current"];
}) {
  const { times, series } = useMemo(() => {
    const points = props.history;
    return {
      times: points.map((p) => Number(p.timestamp)),
      series: [
        {
          label: "AGPU per GPU-hour",
          values: points.map((p) => Number(BigInt(p.pricePerGpuHour) / 10n ** 14n) / 10_000),
          color: "#2563eb",
        },
        {
          label: "utilisation %",
          values: points.map((p) => (p.utilisationBps === null ? null : p.utilisationBps / 100)),
          axis: 1 as const,
          color: "#dc2626",
        },
      ],
    };
  }, [props.history]);
  const latest = props.history.at(-1);
  return (
    <>
      <p>
        Now: <strong data-testid="current-price">{agpu(props.current.pricePerGpuHour)}</strong> per GPU-hour in{" "}
        {props.zone} ({props.tier}), {props.history.length} price points
        {latest === undefined ? "" : `, the last from ${latest.source.toLowerCase()} at block ${latest.blockNumber}`}.
      </p>
      {props.history.length === 0 ? (
        <p class="muted">No price point yet for this zone and tier.</p>
      ) : (
        <TimeChart
          title={`Price and utilisation in ${props.zone} (${props.tier})`}
          times={times}
          series={series}
          axes={["AGPU / GPU-hour", "utilisation %"]}
        />
      )}
    </>
  );
}

/** The market: the heatmap of zones and tiers with spillover links, and a (zone, tier)'s price over time. */
export function MarketPage(props: { query: URLSearchParams }) {
  const loaded = useLive(
    async () => ({
      cells: await indexer.heatmap(),
      neighbours: (
        await indexer.graphql<{ zoneNeighbours: { items: ZoneNeighbourRow[] } }>(
          "{ zoneNeighbours(limit: 1000) { items { id zone neighbour penaltyBps } } }",
        )
      ).zoneNeighbours.items,
    }),
    "market",
  );
  const [picked, setPicked] = useState<{ zone?: string; tier?: string }>({});
  const zones = [...new Set((loaded.data?.cells ?? []).map((cell) => cell.zoneLabel))];
  const selectedZone = picked.zone ?? props.query.get("zone") ?? (zones.includes("eu-west") ? "eu-west" : zones[0]);
  const selectedTier = picked.tier ?? props.query.get("tier") ?? "Standard";
  return (
    <>
      <h1>Market</h1>
      <Show loaded={loaded} what="the market">
        {({ cells, neighbours }) => (
          <>
            <section aria-labelledby="heatmap-title">
              <h2 id="heatmap-title">Heatmap</h2>
              <Heatmap cells={cells} neighbours={neighbours} />
            </section>
            <section aria-labelledby="prices-title">
              <h2 id="prices-title">Price over time</h2>
              <form class="filters" onSubmit={(event) => event.preventDefault()}>
                <label>
                  Zone
                  <select
                    value={selectedZone}
                    onChange={(e) => setPicked({ ...picked, zone: (e.target as HTMLSelectElement).value })}
                  >
                    {zones.map((z) => (
                      <option key={z}>{z}</option>
                    ))}
                  </select>
                </label>
                <label>
                  Tier
                  <select
                    value={selectedTier}
                    onChange={(e) => setPicked({ ...picked, tier: (e.target as HTMLSelectElement).value })}
                  >
                    {TIERS.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </label>
              </form>
              {selectedZone !== undefined && <PriceHistory zone={selectedZone} tier={selectedTier} />}
            </section>
            <section aria-labelledby="utilisation-title">
              <h2 id="utilisation-title">Utilisation</h2>
              <Table
                caption="Busy and open slots per zone and tier"
                rows={cells}
                rowKey={(c) => `${c.zone}-${c.tier}`}
                empty="No zone is configured yet."
                columns={[
                  { header: "Zone", cell: (c) => c.zoneLabel },
                  { header: "Tier", cell: (c) => c.tierName },
                  { header: "Utilisation", cell: (c) => percent(c.utilisationBps), numeric: true },
                  { header: "Busy slots", cell: (c) => c.busySlots, numeric: true },
                  { header: "Open slots", cell: (c) => c.openSlots, numeric: true },
                  { header: "Jobs submitted", cell: (c) => c.jobsSubmitted, numeric: true },
                  { header: "Paid to providers", cell: (c) => agpu(c.paidToProviders), numeric: true },
                ]}
              />
            </section>
          </>
        )}
      </Show>
    </>
  );
}

import type { JobRow } from "@starminer/sdk";

import { Badge, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { TIERS, agpu, short, time, zone } from "../format";
import { href, navigate } from "../router";

const STATUSES = ["Open", "Verified", "Disputed", "Settled", "Refunded", "Cancelled"] as const;
const MODES = ["Consensus", "Optimistic", "TEE", "ZK"] as const;
const PAGE = 50;

type JobListRow = Pick<
  JobRow,
  "id" | "status" | "mode" | "zone" | "tier" | "redundancy" | "gpuHours" | "escrow" | "requester" | "submittedAt"
>;

/** The GraphQL `where` of the filters in `query` (only known values: the query string is the user's). */
function whereOf(query: URLSearchParams): Record<string, string> {
  const where: Record<string, string> = {};
  const status = query.get("status");
  const mode = query.get("mode");
  const requester = query.get("requester");
  if (status !== null && (STATUSES as readonly string[]).includes(status)) where.status = status;
  if (mode !== null && (MODES as readonly string[]).includes(mode)) where.mode = mode;
  if (requester !== null && /^0x[0-9a-fA-F]{40}$/.test(requester)) where.requester = requester.toLowerCase();
  return where;
}

export const jobColumns = [
  { header: "Job", cell: (j: JobListRow) => <a href={href("jobs", j.id)}>#{j.id}</a> },
  { header: "Status", cell: (j: JobListRow) => <Badge value={j.status} /> },
  { header: "Mode", cell: (j: JobListRow) => j.mode },
  { header: "Zone", cell: (j: JobListRow) => zone(j.zone) },
  { header: "Tier", cell: (j: JobListRow) => TIERS[j.tier] ?? j.tier },
  { header: "Providers", cell: (j: JobListRow) => j.redundancy, numeric: true },
  { header: "GPU-hours", cell: (j: JobListRow) => j.gpuHours, numeric: true },
  { header: "Escrow", cell: (j: JobListRow) => agpu(j.escrow), numeric: true },
  { header: "Requester", cell: (j: JobListRow) => <a href={href("account", j.requester)}>{short(j.requester)}</a> },
  { header: "Submitted", cell: (j: JobListRow) => time(j.submittedAt) },
];

export const JOB_FIELDS = "id status mode zone tier redundancy gpuHours escrow requester submittedAt";

/** Jobs, newest first, filtered by status, mode and requester (the filters live in the URL, so a view can be shared). */
export function JobsPage(props: { query: URLSearchParams }) {
  const where = whereOf(props.query);
  const loaded = useLive(
    async () =>
      (
        await indexer.graphql<{ jobs: { items: JobListRow[]; totalCount: number } }>(
          `query ($where: jobFilter) { jobs(where: $where, orderBy: "id", orderDirection: "desc", limit: ${PAGE}) {
             items { ${JOB_FIELDS} } totalCount } }`,
          { where },
        )
      ).jobs,
    `jobs-${JSON.stringify(where)}`,
  );
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(props.query);
    if (value === "") next.delete(name);
    else next.set(name, value);
    navigate(href("jobs", Object.fromEntries(next)));
  };
  return (
    <>
      <h1>Jobs</h1>
      <form class="filters" role="search" aria-label="Filter jobs" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select
            value={where.status ?? ""}
            onChange={(e) => setFilter("status", (e.target as HTMLSelectElement).value)}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Mode
          <select value={where.mode ?? ""} onChange={(e) => setFilter("mode", (e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Requester
          <input
            value={props.query.get("requester") ?? ""}
            placeholder="0x…"
            onChange={(e) => setFilter("requester", (e.target as HTMLInputElement).value.trim())}
          />
        </label>
      </form>
      <Show loaded={loaded} what="jobs">
        {(jobs) => (
          <>
            <p class="muted">
              {jobs.totalCount} job{jobs.totalCount === 1 ? "" : "s"}
              {jobs.totalCount > PAGE ? `, the newest ${PAGE} shown` : ""}.
            </p>
            <Table
              caption="Jobs, newest first"
              rows={jobs.items}
              rowKey={(j) => j.id}
              empty="No job matches these filters."
              columns={jobColumns}
            />
          </>
        )}
      </Show>
    </>
  );
}

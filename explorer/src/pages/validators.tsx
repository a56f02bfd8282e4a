import { NodeRole, type AuditRow, type DisputeRow } from "@starminer/sdk";

import { Badge, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { agpu, short, time } from "../format";
import { href } from "../router";
import { nodesWithRole } from "./providers";

/** Validators (stake, record) and the audits they filed, newest first. */
export function ValidatorsPage() {
  const loaded = useLive(async () => {
    const [validators, { audits }] = await Promise.all([
      nodesWithRole(NodeRole.VALIDATOR),
      indexer.graphql<{ audits: { items: AuditRow[] } }>(
        `{ audits(orderBy: "id", orderDirection: "desc", limit: 50) { items { id jobId validator result passed timestamp txHash } } }`,
      ),
    ]);
    return { validators, audits: audits.items };
  }, "validators");
  return (
    <>
      <h1>Validators</h1>
      <Show loaded={loaded} what="validators">
        {({ validators, audits }) => (
          <>
            <Table
              caption={`${validators.length} validators`}
              rows={validators}
              rowKey={(v) => v.id}
              empty="No validator has registered yet."
              columns={[
                { header: "Validator", cell: (v) => <a href={href("account", v.id)}>{short(v.id)}</a> },
                { header: "Stake", cell: (v) => agpu(v.staked), numeric: true },
                { header: "Locked", cell: (v) => agpu(v.locked), numeric: true },
                { header: "Slashes", cell: (v) => v.slashCount, numeric: true },
                { header: "Active", cell: (v) => (v.active ? "yes" : "no") },
              ]}
            />
            <Table
              caption="Audits, newest first"
              rows={audits}
              rowKey={(a) => a.id}
              empty="No audit yet."
              columns={[
                { header: "Job", cell: (a) => <a href={href("jobs", a.jobId)}>#{a.jobId}</a> },
                { header: "Validator", cell: (a) => short(a.validator) },
                { header: "Passed", cell: (a) => (a.passed ? "yes" : "no") },
                { header: "When", cell: (a) => time(a.timestamp) },
              ]}
            />
          </>
        )}
      </Show>
    </>
  );
}

/** Disputes, newest first: who challenged, the bond, the committee's votes and the verdict. */
export function DisputesPage() {
  const loaded = useLive(
    async () =>
      (
        await indexer.graphql<{ disputes: { items: DisputeRow[] } }>(
          `{ disputes(orderBy: "openedAt", orderDirection: "desc", limit: 100) { items {
             id challenger bond fromAudit drawBlock round jurors commitEndsAt votingEndsAt verdict upholdVotes rejectVotes
             bondReturned bondForfeited openedAt resolvedAt } } }`,
        )
      ).disputes.items,
    "disputes",
  );
  return (
    <>
      <h1>Disputes</h1>
      <Show loaded={loaded} what="disputes">
        {(disputes) => (
          <Table
            caption="Disputes, newest first"
            rows={disputes}
            rowKey={(d) => d.id}
            empty="No dispute has been opened."
            columns={[
              { header: "Job", cell: (d) => <a href={href("jobs", d.id)}>#{d.id}</a> },
              { header: "Verdict", cell: (d) => <Badge value={d.verdict} /> },
              { header: "Challenger", cell: (d) => short(d.challenger) },
              { header: "From an audit", cell: (d) => (d.fromAudit ? "yes" : "no") },
              { header: "Bond", cell: (d) => agpu(d.bond), numeric: true },
              { header: "Round", cell: (d) => d.round, numeric: true },
              { header: "Uphold / reject", cell: (d) => `${d.upholdVotes} / ${d.rejectVotes}` },
              { header: "Opened", cell: (d) => time(d.openedAt) },
              { header: "Resolved", cell: (d) => time(d.resolvedAt) },
            ]}
          />
        )}
      </Show>
    </>
  );
}

import { Badge, Facts, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { TIERS, agpu, short, time, zone } from "../format";
import { href } from "../router";

/** The JSON of an event's arguments, on one line, amounts and all. */
function args(value: unknown): string {
  return JSON.stringify(value).replace(/"([^"]+)":/g, "$1: ");
}

/** A job: its spec and lifecycle, slots, results, payouts, audits, dispute and every event of its audit trail. */
export function JobPage(props: { id: string }) {
  const valid = /^[1-9][0-9]{0,30}$/.test(props.id);
  const loaded = useLive(
    () => (valid ? indexer.jobTrail(BigInt(props.id)) : Promise.reject(new Error(`"${props.id}" is not a job id`))),
    `job-${props.id}`,
  );
  return (
    <>
      <h1>Job #{props.id}</h1>
      <Show loaded={loaded} what={`job ${props.id}`}>
        {({ job, slots, results, payouts, audits, dispute, events }) => (
          <>
            <Facts
              items={[
                ["Status", <Badge value={job.status} />],
                ["Mode", job.mode],
                ["Zone", zone(job.zone)],
                ["Tier", TIERS[job.tier] ?? job.tier],
                ["Providers", job.redundancy],
                ["GPU-hours", job.gpuHours],
                ["Price per GPU-hour", agpu(job.pricePerGpuHour)],
                ["Escrow", agpu(job.escrow)],
                ["Paid", agpu(job.paid)],
                ["Refunded", agpu(job.refund)],
                ["Requester", <a href={href("account", job.requester)}>{job.requester}</a>],
              ]}
            />
            <section aria-labelledby="lifecycle-title">
              <h2 id="lifecycle-title">Lifecycle</h2>
              <ol class="timeline">
                <li>
                  Submitted {time(job.submittedAt)} (block {job.submittedBlock})
                </li>
                {job.revealEndsAt !== null && <li>Reveals end {time(job.revealEndsAt)}</li>}
                {job.verifiedAt !== null && <li>Verified {time(job.verifiedAt)}</li>}
                {job.challengeEndsAt !== null && <li>Challenge window ends {time(job.challengeEndsAt)}</li>}
                {job.closedAt !== null && (
                  <li>
                    {job.status} {time(job.closedAt)}
                  </li>
                )}
              </ol>
            </section>
            <Table
              caption="Slots"
              rows={slots}
              rowKey={(s) => s.id}
              empty="No slot."
              columns={[
                { header: "Slot", cell: (s) => s.index },
                { header: "Status", cell: (s) => <Badge value={s.status} /> },
                {
                  header: "Provider",
                  cell: (s) =>
                    s.provider === null ? "–" : <a href={href("providers", s.provider)}>{short(s.provider)}</a>,
                },
                { header: "Collateral", cell: (s) => agpu(s.collateral), numeric: true },
                { header: "Deliver by", cell: (s) => time(s.deliverBy) },
                { header: "Result", cell: (s) => <code>{short(s.result)}</code> },
                { header: "Misses", cell: (s) => s.misses, numeric: true },
              ]}
            />
            <Table
              caption="Results"
              rows={results}
              rowKey={(r) => r.id}
              empty="No result yet."
              columns={[
                { header: "Slot", cell: (r) => r.slot },
                { header: "Provider", cell: (r) => short(r.provider) },
                { header: "Result", cell: (r) => <code>{short(r.result)}</code> },
                { header: "Status", cell: (r) => <Badge value={r.status} /> },
              ]}
            />
            <Table
              caption="Payouts"
              rows={payouts}
              rowKey={(p) => p.id}
              empty="Nothing paid yet."
              columns={[
                { header: "Slot", cell: (p) => p.slot },
                { header: "Provider", cell: (p) => <a href={href("providers", p.provider)}>{short(p.provider)}</a> },
                { header: "Provider's share", cell: (p) => agpu(p.providerAmount), numeric: true },
                { header: "Model creator", cell: (p) => agpu(p.modelCreatorAmount), numeric: true },
                { header: "Treasury", cell: (p) => agpu(p.treasuryAmount), numeric: true },
              ]}
            />
            <Table
              caption="Audits"
              rows={audits}
              rowKey={(a) => a.id}
              empty="No audit of this job."
              columns={[
                { header: "Validator", cell: (a) => short(a.validator) },
                { header: "Result", cell: (a) => <code>{short(a.result)}</code> },
                { header: "Passed", cell: (a) => (a.passed ? "yes" : "no") },
                { header: "When", cell: (a) => time(a.timestamp) },
              ]}
            />
            {dispute !== null && (
              <section aria-labelledby="dispute-title">
                <h2 id="dispute-title">Dispute</h2>
                <Facts
                  items={[
                    ["Verdict", <Badge value={dispute.verdict} />],
                    ["Challenger", short(dispute.challenger)],
                    ["Bond", agpu(dispute.bond)],
                    ["From an audit", dispute.fromAudit ? "yes" : "no"],
                    ["Votes (uphold / reject)", `${dispute.upholdVotes} / ${dispute.rejectVotes}`],
                    ["Jurors", dispute.jurors.map(short).join(", ") || "not drawn yet"],
                  ]}
                />
              </section>
            )}
            <Table
              caption={`Audit trail: ${events.length} events in chain order`}
              rows={events}
              rowKey={(e) => e.id}
              empty="No event."
              columns={[
                { header: "Block", cell: (e) => e.blockNumber, numeric: true },
                { header: "Event", cell: (e) => `${e.contract}.${e.event}` },
                { header: "Actor", cell: (e) => short(e.actor) },
                { header: "Arguments", cell: (e) => <code class="args">{args(e.args)}</code> },
              ]}
            />
          </>
        )}
      </Show>
    </>
  );
}

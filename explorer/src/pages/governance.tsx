import { Badge, Facts, Show } from "../components/state";
import { VotePanel } from "../components/vote";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { agpu, short, time } from "../format";
import { href } from "../router";

const amax = (wei: string | null) => agpu(wei, "AMAX");

/** Proposals, newest first, with the phase of their vote and their tallies. */
export function GovernancePage() {
  const loaded = useLive(async () => (await indexer.proposals({ limit: 100 })).proposals, "proposals");
  return (
    <>
      <h1>Governance</h1>
      <Show loaded={loaded} what="proposals">
        {(proposals) => (
          <Table
            caption="Proposals, newest first"
            rows={proposals}
            rowKey={(p) => p.id}
            empty="No proposal has been made."
            columns={[
              {
                header: "Proposal",
                cell: (p) => <a href={href("governance", p.id)}>{p.description.split("\n")[0]}</a>,
              },
              { header: "Phase", cell: (p) => <Badge value={p.phase} /> },
              { header: "For", cell: (p) => amax(p.forVotes), numeric: true },
              { header: "Against", cell: (p) => amax(p.againstVotes), numeric: true },
              { header: "Voters", cell: (p) => p.voters, numeric: true },
              { header: "Proposed", cell: (p) => time(p.proposedAt) },
              { header: "Executable from", cell: (p) => time(p.eta) },
            ]}
          />
        )}
      </Show>
    </>
  );
}

/** One proposal: its actions, votes, Timelock operation and what it executed. */
export function ProposalPage(props: { id: string }) {
  const valid = /^[0-9]{1,78}$/.test(props.id);
  const loaded = useLive(
    () =>
      valid ? indexer.proposal(BigInt(props.id)) : Promise.reject(new Error(`"${props.id}" is not a proposal id`)),
    `proposal-${props.id}`,
  );
  return (
    <>
      <h1>Proposal {short(props.id)}</h1>
      <Show loaded={loaded} what="the proposal">
        {({ proposal, votes, timelockOperation, executedActions }) => (
          <>
            <p class="description">{proposal.description}</p>
            <Facts
              items={[
                ["Phase", <Badge value={proposal.phase} />],
                ["Proposer", short(proposal.proposer)],
                ["Voting", `${time(proposal.voteStart)} to ${time(proposal.voteEnd)}`],
                [
                  "For / against / abstain",
                  `${amax(proposal.forVotes)} / ${amax(proposal.againstVotes)} / ${amax(proposal.abstainVotes)}`,
                ],
                ["Timelock", timelockOperation === null ? "not queued" : `ready ${time(timelockOperation.readyAt)}`],
                ["Executed", time(proposal.executedAt)],
              ]}
            />
            {proposal.phase === "Active" && <VotePanel proposalId={proposal.id} />}
            <Table
              caption="Votes"
              rows={votes}
              rowKey={(v) => v.id}
              empty="No vote yet."
              columns={[
                { header: "Voter", cell: (v) => short(v.voter) },
                { header: "Support", cell: (v) => v.support },
                { header: "Weight", cell: (v) => amax(v.weight), numeric: true },
                { header: "Reason", cell: (v) => v.reason || "–" },
              ]}
            />
            <Table
              caption="Executed actions"
              rows={executedActions}
              rowKey={(a) => a.id}
              empty="Nothing executed yet."
              columns={[
                {
                  header: "Call",
                  cell: (a) => (a.contract === null ? short(a.target) : `${a.contract}.${a.function ?? "?"}`),
                },
                { header: "When", cell: (a) => time(a.timestamp) },
              ]}
            />
          </>
        )}
      </Show>
    </>
  );
}

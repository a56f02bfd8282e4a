import { useState } from "preact/hooks";
import { decodeFunctionResult, encodeFunctionData } from "viem";

import { type JobRow, type NodeRow, agpuAbi, amaxAbi } from "@starminer/sdk";

import { Facts, Show } from "../components/state";
import { Table } from "../components/table";
import { indexer, useLive } from "../data";
import { agpu } from "../format";
import { href, navigate } from "../router";
import { JOB_FIELDS, jobColumns } from "./jobs";

/**
 * `balanceOf(account)` of the token at `address`, read from the chain through the explorer's own origin (its server
 * relays read-only JSON-RPC to the node to `/rpc`): no wallet needed. A bare `eth_call` rather than a viem client
 * keeps the client's transports and actions out of the bundle.
 */
async function balanceOf(address: `0x${string}`, abi: typeof agpuAbi | typeof amaxAbi, account: `0x${string}`) {
  const data = encodeFunctionData({ abi, functionName: "balanceOf", args: [account] });
  const response = await fetch(`${location.origin}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: address, data }, "latest"] }),
  });
  const body = (await response.json()) as { result?: `0x${string}`; error?: { message: string } | string };
  if (body.result === undefined) {
    const reason = typeof body.error === "string" ? body.error : body.error?.message;
    throw new Error(`the chain did not answer a balance: ${reason ?? `status ${response.status}`}`);
  }
  return decodeFunctionResult({ abi, functionName: "balanceOf", data: body.result });
}

/** AGPU and AMAX balances of `account`, at the addresses the indexer's deployment names. */
async function balances(account: `0x${string}`) {
  const { contracts } = await indexer.deployment();
  const [agpuBalance, amaxBalance] = await Promise.all([
    contracts.AGPU === undefined ? null : balanceOf(contracts.AGPU.address, agpuAbi, account),
    contracts.AMAX === undefined ? null : balanceOf(contracts.AMAX.address, amaxAbi, account),
  ]);
  return { agpu: agpuBalance, amax: amaxBalance };
}

type AccountJob = Pick<
  JobRow,
  | "id"
  | "status"
  | "mode"
  | "zone"
  | "tier"
  | "redundancy"
  | "gpuHours"
  | "escrow"
  | "requester"
  | "submittedAt"
  | "paid"
  | "refund"
>;

async function activity(account: string) {
  const data = await indexer.graphql<{
    jobs: { items: AccountJob[]; totalCount: number };
    node: Pick<NodeRow, "earned" | "staked" | "roles"> | null;
  }>(
    `query ($account: String!) {
       jobs(where: { requester: $account }, orderBy: "id", orderDirection: "desc", limit: 1000) {
         items { ${JOB_FIELDS} paid refund } totalCount }
       node(id: $account) { earned staked roles } }`,
    { account: account.toLowerCase() },
  );
  const jobs = data.jobs.items;
  const sum = (values: (string | null)[]) => values.reduce((total, v) => total + BigInt(v ?? 0), 0n);
  return {
    jobs,
    jobCount: data.jobs.totalCount,
    escrowed: sum(jobs.map((j) => j.escrow)),
    spent: sum(jobs.map((j) => j.paid)),
    refunded: sum(jobs.map((j) => j.refund)),
    node: data.node,
  };
}

/** An account: its balances, compute spend as a requester, earnings as a provider, and its recent jobs. */
export function AccountPage(props: { address?: string }) {
  const [typed, setTyped] = useState(props.address ?? "");
  const address = props.address;
  const valid = address !== undefined && /^0x[0-9a-fA-F]{40}$/.test(address);
  return (
    <>
      <h1>Account</h1>
      <form
        class="filters"
        role="search"
        aria-label="Look up an account"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(href("account", typed.trim()));
        }}
      >
        <label>
          Address
          <input
            value={typed}
            placeholder="0x…"
            size={44}
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {address !== undefined && !valid && (
        <p role="alert" class="error">
          "{address}" is not an address: 0x and 40 hex digits.
        </p>
      )}
      {valid && <AccountDetail address={address as `0x${string}`} />}
    </>
  );
}

function AccountDetail(props: { address: `0x${string}` }) {
  const held = useLive(() => balances(props.address), `balances-${props.address}`);
  const done = useLive(() => activity(props.address), `activity-${props.address}`);
  return (
    <>
      <p class="mono">{props.address}</p>
      <section aria-labelledby="balances-title">
        <h2 id="balances-title">Balances</h2>
        <Show loaded={held} what="balances">
          {(b) => (
            <Facts
              items={[
                ["AGPU", <span data-testid="agpu-balance">{agpu(b.agpu)}</span>],
                ["AMAX", agpu(b.amax, "AMAX")],
              ]}
            />
          )}
        </Show>
      </section>
      <Show loaded={done} what="activity">
        {(a) => (
          <>
            <section aria-labelledby="spend-title">
              <h2 id="spend-title">Compute spend and earnings</h2>
              <Facts
                items={[
                  ["Jobs submitted", a.jobCount],
                  ["Escrowed", agpu(a.escrowed)],
                  ["Spent (paid out)", <span data-testid="spent">{agpu(a.spent)}</span>],
                  ["Refunded", agpu(a.refunded)],
                  ["Earned as a provider", a.node === null ? "–" : agpu(a.node.earned)],
                  ["Staked", a.node === null ? "–" : agpu(a.node.staked)],
                ]}
              />
              {a.node !== null && (a.node.roles & 1) !== 0 && (
                <p>
                  <a href={href("providers", props.address)}>This account is a provider: its record and reputation</a>
                </p>
              )}
            </section>
            <Table
              caption="Jobs it submitted, newest first"
              rows={a.jobs.slice(0, 50)}
              rowKey={(j) => j.id}
              empty="This account has submitted no job."
              columns={jobColumns}
            />
          </>
        )}
      </Show>
      <p>
        <a href={href("jobs", { requester: props.address })}>Every job this account submitted, with filters</a>
      </p>
    </>
  );
}

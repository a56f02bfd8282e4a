import { expect } from "chai";

import { soleJobOf } from "../../indexer/src/api/job-queries.js";

const request = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

describe("GraphQL queries about one job (what the response cache may check by the job's newest event)", () => {
  it("finds the job of a query that reads only its columns, lists and dispute", () => {
    expect(soleJobOf(request("query ($id: BigInt!) { job(id: $id) { status escrow } }", { id: "7" }))).to.equal(7n);
    expect(soleJobOf(request('{ job(id: "12") { status } }'))).to.equal(12n);
    expect(soleJobOf(request("{ job(id: 3) { status } }"))).to.equal(3n);
    const everyList = `query Job($id: BigInt!) {
      mine: job(id: $id) {
        __typename status
        slots(limit: 5, orderBy: "index") { items { status provider result } pageInfo { hasNextPage } totalCount }
        results { items { value } } payouts { items { providerAmount } } audits { items { passed } }
        events(orderBy: "id", orderDirection: "desc") { items { event args } }
        dispute { verdict votes { items { uphold validator } } }
      }
    }`;
    expect(soleJobOf(request(everyList, { id: 41 }))).to.equal(41n);
  });

  it("finds none when the query reads rows other events write", () => {
    const outside = [
      // A slot's provider node, the job's zone, the staking ledger's slashes: changed by events not naming the job.
      "{ job(id: 1) { slots { items { providerNode { reputation } } } } }",
      "{ job(id: 1) { zoneInfo { label } } }",
      "{ job(id: 1) { slashes { items { amount } } } }",
      "{ job(id: 1) { dispute { job { status } } } }",
      // Anything besides the job, or another job.
      "{ job(id: 1) { status } jobs { items { id } } }",
      "{ a: job(id: 1) { status } b: job(id: 2) { status } }",
      "{ jobs(where: { id: 1 }) { items { status } } }",
      "{ job(id: 1) { status } _meta { status } }",
    ];
    for (const query of outside) expect(soleJobOf(request(query)), query).to.equal(undefined);
  });

  it("finds none in what it cannot read for certain: fragments, directives, odd ids, broken requests", () => {
    const unsure = [
      "query { job(id: 1) { ...Fields } } fragment Fields on job { status }",
      "{ job(id: 1) { ... on job { status } } }",
      "{ job(id: 1) { status @include(if: true) } }",
      "query @cached { job(id: 1) { status } }",
      '{ job(id: "0x1") { status } }',
      "{ job(id: 0) { status } }",
      "{ job(id: 1, extra: 2) { status } }",
      "{ job { status } }",
      "{ job(id: 1) { status }",
      "mutation { job(id: 1) { status } }",
    ];
    for (const query of unsure) expect(soleJobOf(request(query)), query).to.equal(undefined);
    expect(soleJobOf(request("query ($id: BigInt!) { job(id: $id) { status } }"))).to.equal(undefined);
    expect(soleJobOf(request("query ($id: BigInt!) { job(id: $id) { status } }", { id: "1.5" }))).to.equal(undefined);
    expect(soleJobOf("{ not json")).to.equal(undefined);
    expect(soleJobOf(JSON.stringify({ variables: {} }))).to.equal(undefined);
  });
});

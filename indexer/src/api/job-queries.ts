import { Kind, type SelectionNode, type SelectionSetNode, type ValueNode, parse } from "graphql";

/**
 * The relations a GraphQL query may follow from a job and still read only rows of that job: each is written only by
 * events that name the job (see `trailVersion` in jobs.ts). A job's `zoneInfo` (the registry's zone) and `slashes`
 * (rows of the staking ledger) are not, nor is any relation leading on from these rows (a slot's provider node).
 */
const JOB_LISTS = new Set(["slots", "results", "payouts", "audits", "events"]);
/** The job's dispute (one row, keyed by the job), and the list it may follow: its votes. */
const DISPUTE = "dispute";
const DISPUTE_LISTS = new Set(["votes"]);

/** Selections of scalar fields only (and `__typename`): no relation, fragment or directive. */
function onlyScalars(selections: SelectionSetNode | undefined): boolean {
  if (selections === undefined) return true;
  return selections.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD && selection.selectionSet === undefined && !selection.directives?.length,
  );
}

/** A list relation's answer: `items` of scalars, and its `pageInfo` and `totalCount`. */
function ownedList(selections: SelectionSetNode | undefined): boolean {
  if (selections === undefined) return false;
  return selections.selections.every((selection) => {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return false;
    const name = selection.name.value;
    if (name === "items" || name === "pageInfo") return onlyScalars(selection.selectionSet);
    return selection.selectionSet === undefined;
  });
}

/** A column, or a list from `lists` whose pages hold columns only. */
function columnOrList(selection: SelectionNode, lists: ReadonlySet<string>): boolean {
  if (selection.kind !== Kind.FIELD || selection.directives?.length) return false;
  if (selection.selectionSet === undefined) return true;
  return lists.has(selection.name.value) && ownedList(selection.selectionSet);
}

/** A field of a job's selection that reads only the job's own rows: a column, one of its lists, its dispute. */
function ownedByTheJob(selection: SelectionNode): boolean {
  const dispute =
    selection.kind === Kind.FIELD && selection.name.value === DISPUTE && !selection.directives?.length
      ? selection.selectionSet
      : undefined;
  if (dispute !== undefined) return dispute.selections.every((field) => columnOrList(field, DISPUTE_LISTS));
  return columnOrList(selection, JOB_LISTS);
}

/** A job id given literally or through a variable, if it is one. */
function jobIdOf(value: ValueNode, variables: Record<string, unknown>): bigint | undefined {
  const raw =
    value.kind === Kind.VARIABLE
      ? variables[value.name.value]
      : value.kind === Kind.INT || value.kind === Kind.STRING
        ? value.value
        : undefined;
  if ((typeof raw !== "string" && typeof raw !== "number") || !/^[1-9][0-9]{0,30}$/.test(String(raw))) {
    return undefined;
  }
  return BigInt(raw);
}

/**
 * The job a GraphQL request asks about, when it asks about nothing else: one query operation whose only root field
 * is `job(id:)` and whose selection follows only the job's own relations.
 */
export function soleJobOf(body: string): bigint | undefined {
  let request: { query?: unknown; variables?: unknown };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return undefined;
  }
  if (typeof request.query !== "string") return undefined;
  let document;
  try {
    // As many tokens as the API allows an operation (GRAPHQL_LIMITS in index.ts): a longer one is refused anyway.
    document = parse(request.query, { noLocation: true, maxTokens: 2_000 });
  } catch {
    return undefined;
  }
  const [operation, ...others] = document.definitions;
  if (operation === undefined || others.length > 0 || operation.kind !== Kind.OPERATION_DEFINITION) return undefined;
  if (operation.operation !== "query" || operation.directives?.length) return undefined;
  const [root, ...otherRoots] = operation.selectionSet.selections;
  if (root === undefined || otherRoots.length > 0 || root.kind !== Kind.FIELD || root.name.value !== "job") {
    return undefined;
  }
  if (root.directives?.length || root.arguments?.length !== 1 || root.arguments[0]!.name.value !== "id") {
    return undefined;
  }
  if (root.selectionSet === undefined || !root.selectionSet.selections.every(ownedByTheJob)) return undefined;
  const variables =
    typeof request.variables === "object" && request.variables !== null
      ? (request.variables as Record<string, unknown>)
      : {};
  return jobIdOf(root.arguments[0]!.value, variables);
}

/** Sends a GraphQL query to the indexer and returns its data, or a one-line error. */
export async function queryIndexer<T>(indexerUrl: string, query: string, variables: Record<string, unknown> = {}) {
  let response: Response;
  try {
    response = await fetch(`${indexerUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new Error(`cannot reach the indexer at ${indexerUrl}: is it running and STARMINER_INDEXER_URL right?`);
  }
  const body = (await response.json()) as { data?: T | null; errors?: { message: string }[] };
  if (body.data === undefined || body.data === null) {
    throw new Error(`the indexer refused the query: ${body.errors?.[0]?.message ?? response.status}`);
  }
  return body.data;
}

/** Fetches a REST route of the indexer and returns its JSON, or a one-line error. */
export async function getFromIndexer<T>(indexerUrl: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${indexerUrl}${path}`);
  } catch {
    throw new Error(`cannot reach the indexer at ${indexerUrl}: is it running and STARMINER_INDEXER_URL right?`);
  }
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`the indexer answered ${response.status}: ${body.error ?? ""}`);
  return body;
}

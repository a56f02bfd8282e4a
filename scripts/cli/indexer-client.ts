import { type CurrentPrice, IndexerError, createIndexerClient } from "@starminer/sdk";

/** Runs `read` against the SDK's client of the indexer, naming the variable that points at it when it is down. */
async function withIndexer<T>(
  indexerUrl: string,
  read: (client: ReturnType<typeof createIndexerClient>) => Promise<T>,
) {
  try {
    return await read(createIndexerClient(indexerUrl));
  } catch (error) {
    if (error instanceof IndexerError && error.status === 0) {
      throw new Error(`cannot reach the indexer at ${indexerUrl}: is it running and STARMINER_INDEXER_URL right?`);
    }
    throw error;
  }
}

/** Sends a GraphQL query to the indexer and returns its data, or a one-line error. */
export function queryIndexer<T>(indexerUrl: string, query: string, variables: Record<string, unknown> = {}) {
  return withIndexer(indexerUrl, (client) => client.graphql<T>(query, variables));
}

/** Every (zone, tier)'s current price, as the indexer serves it. */
export function indexedPrices(indexerUrl: string): Promise<readonly CurrentPrice[]> {
  return withIndexer(indexerUrl, (client) => client.prices());
}

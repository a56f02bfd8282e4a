import type { Context, Event, EventNames } from "ponder:registry";

/** What every event handler gets: the event, Ponder's context, and the job the audit trail tied the event to. */
export interface HandlerArgs<NameT extends EventNames> {
  readonly event: Event<NameT>;
  readonly context: Context<NameT>;
  /** The job named by the event or by an earlier event of its transaction, if any. */
  readonly jobId: bigint | null;
}

export type Handler<NameT extends EventNames> = (args: HandlerArgs<NameT>) => Promise<void>;

/** Handlers of one concern, keyed by Ponder event name (`Contract:Event`). */
export type Handlers = { readonly [NameT in EventNames]?: Handler<NameT> };

/** The fields every row made from one event carries. */
export function stamp(event: { block: { timestamp: bigint }; transaction: { hash: `0x${string}` } }) {
  return { timestamp: event.block.timestamp, txHash: event.transaction.hash };
}

/** The part of Ponder's context that helpers shared by many events need: the store. */
export type Store = Pick<Context, "db">;

/** The name of an enum value as the contracts number it; a value the indexer does not know stops indexing. */
export function enumName<const NamesT extends readonly string[]>(
  names: NamesT,
  value: number,
  what: string,
): NamesT[number] {
  const name = names[value];
  if (name === undefined) throw new Error(`unknown ${what} ${value}: the indexer is older than the contracts`);
  return name;
}

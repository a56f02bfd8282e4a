import type { ComponentChildren } from "preact";

import type { Loaded } from "../data";

/**
 * Renders `children(data)` once `loaded` has data; before that, a loading line (a polite live region), and on an
 * error, the error as an alert (above the last data, if any: a live page that lost the indexer says so).
 */
export function Show<T>(props: { loaded: Loaded<T>; what: string; children: (data: T) => ComponentChildren }) {
  const { data, error } = props.loaded;
  return (
    <>
      {error !== undefined && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {data === undefined
        ? error === undefined && (
            <p role="status" class="muted">
              Loading {props.what}…
            </p>
          )
        : props.children(data)}
    </>
  );
}

/** A definition list of label → value pairs. */
export function Facts(props: { items: readonly (readonly [string, ComponentChildren])[] }) {
  return (
    <dl class="facts">
      {props.items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A status as a badge, coloured by what it means. */
export function Badge(props: { value: string }) {
  return <span class={`badge badge-${props.value.toLowerCase()}`}>{props.value}</span>;
}

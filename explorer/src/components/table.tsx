import type { ComponentChildren } from "preact";

export interface Column<RowT> {
  readonly header: string;
  readonly cell: (row: RowT) => ComponentChildren;
  /** Right-aligned (numbers, amounts). */
  readonly numeric?: boolean;
}

/** A table with a caption (its accessible name) and column headers; `empty` when there are no rows. */
export function Table<RowT>(props: {
  caption: string;
  columns: readonly Column<RowT>[];
  rows: readonly RowT[];
  rowKey: (row: RowT) => string;
  empty: string;
}) {
  if (props.rows.length === 0) {
    return (
      <section aria-label={props.caption}>
        <h3 class="caption">{props.caption}</h3>
        <p class="muted">{props.empty}</p>
      </section>
    );
  }
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" class={column.numeric ? "num" : undefined} key={column.header}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((column) => (
                <td class={column.numeric ? "num" : undefined} key={column.header}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

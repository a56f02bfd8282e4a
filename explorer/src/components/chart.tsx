import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** Which y axis: the left (0) or the right (1). */
  readonly axis?: 0 | 1;
  readonly color: string;
}

/**
 * A time-series chart (uPlot): `times` in unix seconds, one line per series, the right axis for series that ask for
 * it. Wrapped in a figure whose caption names it; the values are also in the table beside it on each page.
 */
export function TimeChart(props: {
  title: string;
  times: readonly number[];
  series: readonly Series[];
  axes: readonly [string, string?];
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const width = Math.max(320, element.clientWidth || 720);
    const plot = new uPlot(
      {
        width,
        height: 260,
        scales: { x: { time: true }, y0: {}, y1: {} },
        axes: [
          {},
          { scale: "y0", label: props.axes[0] },
          ...(props.axes[1] === undefined ? [] : [{ scale: "y1", side: 1 as const, label: props.axes[1] }]),
        ],
        series: [
          {},
          ...props.series.map((series) => ({
            label: series.label,
            scale: `y${series.axis ?? 0}`,
            stroke: series.color,
            width: 2,
            spanGaps: true,
          })),
        ],
      },
      [props.times as number[], ...props.series.map((series) => series.values as (number | null)[])],
      element,
    );
    // The legend is a layout table (series and values beside the canvas): the figure's caption names the chart.
    plot.root.querySelector(".u-legend")?.setAttribute("role", "presentation");
    return () => plot.destroy();
  }, [props.times, props.series]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} role="img" aria-label={`${props.title}: ${props.times.length} points`} />
    </figure>
  );
}

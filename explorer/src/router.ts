import { useEffect, useState } from "preact/hooks";

/** The route: the hash's path split into segments (`#/jobs/12` is `["jobs", "12"]`), and its query. */
export interface Route {
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

function current(): Route {
  const [path = "", search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return { segments: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** The current route, re-rendering on every navigation (hash routing: any static server serves the explorer). */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const changed = () => setRoute(current());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

/** The href of a route: `href("jobs", 12)` is `#/jobs/12`; `query` adds a query string. */
export function href(...parts: (string | number | bigint | Record<string, string>)[]): string {
  const query = parts.find((part) => typeof part === "object") as Record<string, string> | undefined;
  const path = parts.filter((part) => typeof part !== "object").map((part) => encodeURIComponent(String(part)));
  const search = query === undefined ? "" : new URLSearchParams(query).toString();
  return `#/${path.join("/")}${search === "" ? "" : `?${search}`}`;
}

/** Moves to a route (as a link would). */
export function navigate(to: string): void {
  location.hash = to;
}

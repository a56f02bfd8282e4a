/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, undefined fields left out, and only safe integers
 * among numbers, so a value has exactly one encoding and hashing it is well defined. Manifests and canonical
 * outputs are written this way.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`canonical JSON holds integers only, not ${value}`);
  }
  return JSON.stringify(value);
}

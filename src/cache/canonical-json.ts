/**
 * One text per value, whatever order its keys were written in: object keys
 * sorted, properties that are undefined left out (as JSON leaves them out).
 * Only plain data is accepted — a function, Map, Set or class instance would
 * be hashed as something it is not, so it throws instead.
 *
 * An origin ({ file, line, column, path? }) is written without its line and
 * column: lines never reach the rendered bytes, and a comment that moves
 * every line of a stack must not make its instances render again.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
    case "undefined":
      return "null";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) throw new Error(`sluice cannot hash a ${describe(value)} in an instance's input`);
      const record = value as Record<string, unknown>;
      const origin = isOrigin(record);
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined && !(origin && (key === "line" || key === "column")))
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
    }
    default:
      throw new Error(`sluice cannot hash a ${typeof value} in an instance's input`);
  }
}

function isOrigin(record: Record<string, unknown>): boolean {
  const keys = Object.keys(record);
  return (
    typeof record["file"] === "string" &&
    typeof record["line"] === "number" &&
    typeof record["column"] === "number" &&
    keys.every((key) => key === "file" || key === "line" || key === "column" || key === "path")
  );
}

function describe(value: object): string {
  return value.constructor?.name ?? "object";
}

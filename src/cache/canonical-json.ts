/**
 * One text per value, whatever order its keys were written in: object keys
 * sorted, properties that are undefined left out (as JSON leaves them out),
 * and two values that differ in anything a renderer can see never the same
 * text (NaN is not null, an undefined array item not null).
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
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // NaN and the infinities bare, as no JSON text is: not as null or a string, which are other values.
      return Number.isFinite(value) ? JSON.stringify(value) : String(value);
    case "undefined":
      // Only in an array (a property that is undefined is left out), and not null, which renders otherwise.
      return "undefined";
    case "object": {
      if (value === null) return "null";
      // Loops and one string, not map and join: a fleet's inputs are serialised on every run.
      if (Array.isArray(value)) {
        let text = "[";
        for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ",") + canonicalJson(value[i]);
        return `${text}]`;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null)
        throw new Error(`sluice cannot hash a ${describe(value)} in an instance's input`);
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const origin = isOrigin(record, keys);
      let text = "{";
      for (const key of keys) {
        const item = record[key];
        if (item === undefined || (origin && (key === "line" || key === "column"))) continue;
        let quoted = QUOTED.get(key);
        if (quoted === undefined) {
          quoted = `${JSON.stringify(key)}:`;
          if (QUOTED.size < 10_000) QUOTED.set(key, quoted);
        }
        text += (text.length === 1 ? "" : ",") + quoted + canonicalJson(item);
      }
      return `${text}}`;
    }
    default:
      throw new Error(`sluice cannot hash a ${typeof value} in an instance's input`);
  }
}

// A fleet's inputs use a few hundred property names, each quoted many thousand times
// (bounded: names that are user data, environment variables say, may be many).
const QUOTED = new Map<string, string>();

function isOrigin(record: Record<string, unknown>, keys: readonly string[]): boolean {
  // Sorted, an origin's keys are column, file, line and perhaps path: most objects fail at the first test.
  return (
    (keys.length === 3 || (keys.length === 4 && keys[3] === "path")) &&
    keys[0] === "column" &&
    keys[1] === "file" &&
    keys[2] === "line" &&
    typeof record["file"] === "string" &&
    typeof record["line"] === "number" &&
    typeof record["column"] === "number"
  );
}

function describe(value: object): string {
  return value.constructor?.name ?? "object";
}

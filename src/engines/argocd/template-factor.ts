import { isDeepStrictEqual } from "node:util";

/** A JSON value, as an Application's fields are. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

/** What factoring several objects gives: what they share, and what each adds. */
export interface Factored {
  /** The shared shape: equal values as they are, strings that differ as `{{ .<param> }}`. */
  readonly template: JsonObject;
  /** Each object's params, by name. */
  readonly params: readonly Record<string, string>[];
  /** Each object's fields the template cannot hold (values other than strings that differ, keys not all have), as a patch to merge on it. */
  readonly patches: readonly JsonObject[];
}

/** Where a string that differs becomes a param, the param's name ("spec.source.path" → "path"); other paths are named by their last word. */
const NAMED: Readonly<Record<string, string>> = {
  "metadata.name": "name",
  "metadata.labels.sluice.dev/app": "app",
  "metadata.labels.app.kubernetes.io/name": "app",
  "metadata.labels.app.kubernetes.io/part-of": "partOf",
  "spec.destination.namespace": "namespace",
  "spec.source.path": "path",
  "spec.source.targetRevision": "revision",
};

/** Paths that are params even when every object has the same string there: what a reader of an element looks for. */
const ALWAYS = new Set(["metadata.name", "spec.destination.namespace", "spec.source.path"]);

const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** A string Go's text/template would read as an action: it travels as data (a param) instead, never in the template. */
const looksLikeTemplate = (value: Json): boolean => typeof value === "string" && (value.includes("{{") || value.includes("}}"));

/**
 * Splits objects of one shape (the Applications of one team on one cluster)
 * into a Go template and, for each object, the values that fill it in: a
 * template rendered with an object's params (strings put in place of their
 * actions) and then merged with its patch gives the object back, field for
 * field. Keys keep the first object's order. A list that differs goes whole
 * into each patch and is absent from the template, and so is a key some
 * objects lack, so that a merge never has to combine two lists or two values.
 */
export function factor(objects: readonly JsonObject[]): Factored {
  const params = objects.map((): Record<string, string> => ({}));
  const patches = objects.map((): Record<string, Json> => ({}));
  // Params by the values they hold, in object order: two fields equal in every object share one.
  const byValues = new Map<string, string>();
  const taken = new Set<string>();

  const paramFor = (path: readonly string[], values: readonly string[]): string => {
    const key = JSON.stringify(values);
    const known = byValues.get(key);
    if (known !== undefined) return known;
    const base = NAMED[path.join(".")] ?? lastWord(path);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    byValues.set(key, name);
    values.forEach((value, index) => (params[index]![name] = value));
    return name;
  };

  const patchAt = (index: number, path: readonly string[], value: Json) => {
    let node = patches[index]!;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, Json>;
    node[path[path.length - 1]!] = structuredClone(value);
  };

  /** The template's value at `path` for these values (one per object), or undefined when only the patches hold it. */
  const walk = (values: readonly Json[], path: readonly string[]): Json | undefined => {
    if (values.every(isObject)) {
      const node: Record<string, Json> = {};
      const keys = [...new Set(values.flatMap((value) => Object.keys(value)))];
      for (const key of keys) {
        const present = values.map((value) => Object.hasOwn(value, key));
        if (present.every(Boolean)) {
          const shared = walk(
            values.map((value) => value[key]!),
            [...path, key],
          );
          if (shared !== undefined) node[key] = shared;
        } else values.forEach((value, index) => present[index] && patchAt(index, [...path, key], value[key]!));
      }
      return node;
    }
    const named = ALWAYS.has(path.join(".")) && values.every((value) => typeof value === "string");
    if (!named && values.every((value) => isDeepStrictEqual(value, values[0])) && !looksLikeTemplate(values[0]!))
      return structuredClone(values[0]!);
    if (values.every((value) => typeof value === "string")) return `{{ .${paramFor(path, values as string[])} }}`;
    values.forEach((value, index) => patchAt(index, path, value));
    return undefined;
  };

  const template = objects.length === 0 ? {} : (walk(objects, []) as JsonObject);
  return { template, params, patches };
}

/** "app.kubernetes.io/managed-by" → "managedBy": a Go template field name. */
function lastWord(path: readonly string[]): string {
  const last = path[path.length - 1] ?? "value";
  const words = (last.split("/").pop() ?? last).split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((word, i) => (i === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1))).join("");
  return /^[A-Za-z]/.test(name) ? name : `v${name}`;
}

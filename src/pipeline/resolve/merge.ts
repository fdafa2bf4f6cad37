import { childOrigin, type Origin } from "../../model/origin.js";

/** One layer of settings and the origin its properties were written under. */
export interface Layer {
  readonly values: Readonly<Record<string, unknown>>;
  readonly origin: Origin;
}

/**
 * An object merged key by key. Branded values (secret references) are not:
 * an override replaces a reference whole, so that a staging store's key is
 * never paired with a production store.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Object.hasOwn(value, "$sluice");
}

/**
 * Settings a later layer replaces whole, like a scalar: a progressive plan is
 * one strategy, and a canary's steps merged into a blue-green plan would be neither.
 */
const WHOLE = new Set(["progressive"]);

/** Whether a value merges key by key at this place. */
const mergesAt = (value: unknown, dottedPath: string, key: string): value is Record<string, unknown> =>
  isPlainObject(value) && !(dottedPath === "" && WHOLE.has(key));

/** Where each leaf was set: the layer's index and the leaf's path segments, by dotted path. */
export type Provenance = Map<string, { readonly layer: number; readonly path: readonly string[] }>;

/**
 * Deep-merges layers, later winning. Objects merge key by key; arrays,
 * scalars, `false` and secret references replace. Returns fresh objects (the layers are not
 * touched) and, for every leaf, which layer set it — as an index, not an
 * Origin: a fleet has hundreds of thousands of leaves, and an Origin is only
 * built for the few that are reported (see originOf and provenanceRecord).
 * Linear in the size of the layers: replacing a subtree forgets the
 * provenance of that subtree's own leaves only.
 */
export function mergeLayers(layers: readonly Layer[]): { value: Record<string, unknown>; provenance: Provenance } {
  const provenance: Provenance = new Map();
  const forget = (value: unknown, path: string) => {
    provenance.delete(path);
    if (isPlainObject(value)) for (const [key, child] of Object.entries(value)) forget(child, `${path}.${key}`);
  };
  const merge = (
    target: Record<string, unknown>,
    source: Readonly<Record<string, unknown>>,
    layer: number,
    path: string[],
    dottedPath: string,
  ) => {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const dotted = dottedPath ? `${dottedPath}.${key}` : key;
      const existing = Object.hasOwn(target, key) ? target[key] : undefined;
      if (mergesAt(value, dottedPath, key)) {
        if (isPlainObject(existing)) provenance.delete(dotted);
        else forget(existing, dotted);
        const into: Record<string, unknown> = isPlainObject(existing) ? { ...existing } : {};
        target[key] = into;
        const here = [...path, key];
        merge(into, value, layer, here, dotted);
        if (Object.keys(value).length === 0) provenance.set(dotted, { layer, path: here });
      } else {
        forget(existing, dotted);
        target[key] = Array.isArray(value) ? [...value] : value;
        provenance.set(dotted, { layer, path: [...path, key] });
      }
    }
  };
  const value: Record<string, unknown> = {};
  layers.forEach((layer, index) => merge(value, layer.values, index, [], ""));
  return { value, provenance };
}

/**
 * The value mergeLayers would give, without recording where each leaf came
 * from: for what is derived for every instance on every run (instance-needs.ts).
 */
export function mergeValues(layers: readonly Readonly<Record<string, unknown>>[]): Record<string, unknown> {
  const merge = (target: Record<string, unknown>, source: Readonly<Record<string, unknown>>, top: boolean) => {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      if (mergesAt(value, top ? "" : ".", key)) {
        const existing = Object.hasOwn(target, key) ? target[key] : undefined;
        const into: Record<string, unknown> = isPlainObject(existing) ? { ...existing } : {};
        target[key] = into;
        merge(into, value, false);
      } else target[key] = value;
    }
  };
  const value: Record<string, unknown> = {};
  for (const layer of layers) merge(value, layer, true);
  return value;
}

/** The origin of the setting at `path`, or of the closest setting below it. */
export function originOf(layers: readonly Layer[], provenance: Provenance, path: string): Origin | undefined {
  let found = provenance.get(path);
  if (!found) {
    const prefix = `${path}.`;
    for (const [key, entry] of provenance) {
      if (key.startsWith(prefix)) {
        found = entry;
        break;
      }
    }
  }
  return found && childOrigin(layers[found.layer]!.origin, ...found.path);
}

/** Every leaf's origin, by dotted path: what ResolvedApp.provenance holds. */
export function provenanceRecord(layers: readonly Layer[], provenance: Provenance): Record<string, Origin> {
  const record: Record<string, Origin> = {};
  for (const [key, { layer, path }] of provenance) record[key] = childOrigin(layers[layer]!.origin, ...path);
  return record;
}

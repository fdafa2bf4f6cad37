import { childOrigin, type Origin } from "../model/origin.js";

/** One layer of settings and the origin its properties were written under. */
export interface Layer {
  readonly values: Readonly<Record<string, unknown>>;
  readonly origin: Origin;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges layers, later winning. Objects merge key by key; arrays,
 * scalars and `false` replace. Returns fresh objects (the layers are not
 * touched) and, for every leaf, the origin of the layer that set it.
 * Linear in the size of the layers: replacing a subtree forgets the
 * provenance of that subtree's own leaves only.
 */
export function mergeLayers(layers: readonly Layer[]): { value: Record<string, unknown>; provenance: Record<string, Origin> } {
  const provenance = new Map<string, Origin>();
  const forget = (value: unknown, path: string) => {
    provenance.delete(path);
    if (isPlainObject(value)) for (const [key, child] of Object.entries(value)) forget(child, `${path}.${key}`);
  };
  const merge = (target: Record<string, unknown>, source: Readonly<Record<string, unknown>>, origin: Origin, path: string[]) => {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const here = [...path, key];
      const dotted = here.join(".");
      const existing = Object.hasOwn(target, key) ? target[key] : undefined;
      if (isPlainObject(value)) {
        if (isPlainObject(existing)) provenance.delete(dotted);
        else forget(existing, dotted);
        const into: Record<string, unknown> = isPlainObject(existing) ? { ...existing } : {};
        target[key] = into;
        merge(into, value, origin, here);
        if (Object.keys(value).length === 0) provenance.set(dotted, childOrigin(origin, ...here));
      } else {
        forget(existing, dotted);
        target[key] = Array.isArray(value) ? [...value] : value;
        provenance.set(dotted, childOrigin(origin, ...here));
      }
    }
  };
  const value: Record<string, unknown> = {};
  for (const layer of layers) merge(value, layer.values, layer.origin, []);
  return { value, provenance: Object.fromEntries(provenance) };
}

/** The origin of the setting at `path`, or of the closest setting below it. */
export function originOf(provenance: Readonly<Record<string, Origin>>, path: string): Origin | undefined {
  if (Object.hasOwn(provenance, path)) return provenance[path];
  const prefix = `${path}.`;
  for (const key in provenance) if (key.startsWith(prefix)) return provenance[key];
  return undefined;
}

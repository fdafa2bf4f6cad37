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
 */
export function mergeLayers(layers: readonly Layer[]): { value: Record<string, unknown>; provenance: Record<string, Origin> } {
  const provenance: Record<string, Origin> = {};
  const merge = (target: Record<string, unknown>, source: Readonly<Record<string, unknown>>, origin: Origin, path: string[]) => {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const here = [...path, key];
      if (isPlainObject(value)) {
        const existing = target[key];
        const into = isPlainObject(existing) ? { ...existing } : {};
        if (!isPlainObject(existing)) dropProvenance(provenance, here);
        target[key] = into;
        merge(into, value, origin, here);
        if (Object.keys(value).length === 0) provenance[here.join(".")] = childOrigin(origin, ...here);
      } else {
        dropProvenance(provenance, here);
        target[key] = Array.isArray(value) ? [...value] : value;
        provenance[here.join(".")] = childOrigin(origin, ...here);
      }
    }
  };
  const value: Record<string, unknown> = {};
  for (const layer of layers) merge(value, layer.values, layer.origin, []);
  return { value, provenance };
}

function dropProvenance(provenance: Record<string, Origin>, path: string[]): void {
  const prefix = path.join(".");
  for (const key of Object.keys(provenance)) {
    if (key === prefix || key.startsWith(`${prefix}.`)) delete provenance[key];
  }
}

/** The origin of the setting at `path`, or of the closest setting below it. */
export function originOf(provenance: Readonly<Record<string, Origin>>, path: string): Origin | undefined {
  return provenance[path] ?? Object.entries(provenance).find(([key]) => key.startsWith(`${path}.`))?.[1];
}

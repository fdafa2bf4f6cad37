import { stringify } from "yaml";

const FIRST_KEYS = ["apiVersion", "kind", "metadata"];
const FIRST_METADATA_KEYS = ["name", "namespace", "labels", "annotations"];
/** Maps whose keys carry no order of their own; sorted so output never depends on how they were built. */
const SORTED_MAPS = new Set(["labels", "annotations", "matchLabels", "data", "stringData"]);

/**
 * Serialises one Kubernetes object as YAML, byte-for-byte deterministic:
 * apiVersion, kind and metadata first; name, namespace, labels, annotations
 * first in metadata; label-like maps sorted; no anchors, no line folding.
 */
export function toYaml(object: object): string {
  return stringify(order(object, []), { lineWidth: 0, aliasDuplicateObjects: false });
}

function order(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => order(item, path));
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const key = path[path.length - 1] ?? "";
  let keys = Object.keys(record).filter((k) => record[k] !== undefined);
  if (SORTED_MAPS.has(key)) {
    keys = keys.sort();
  } else if (path.length === 0) {
    keys = [...FIRST_KEYS.filter((k) => keys.includes(k)), ...keys.filter((k) => !FIRST_KEYS.includes(k))];
  } else if (key === "metadata") {
    keys = [...FIRST_METADATA_KEYS.filter((k) => keys.includes(k)), ...keys.filter((k) => !FIRST_METADATA_KEYS.includes(k))];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = order(record[k], [...path, k]);
  return out;
}

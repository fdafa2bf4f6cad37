import type { KubernetesObject } from "../../k8s/object.js";
import { formatPath } from "../../model/origin.js";

/**
 * The most data a ConfigMap or a Secret may hold: the API server's
 * validation (ValidateConfigMap, ValidateSecret in
 * pkg/apis/core/validation/validation.go) sums the bytes of every value —
 * `data` and `binaryData` decoded, `stringData` merged into `data` — and
 * refuses more than core.MaxSecretSize, 1 MiB.
 */
export const MAX_DATA_BYTES = 1024 * 1024;
/**
 * The largest object any cluster stores: etcd refuses a request over its
 * --max-request-bytes, 1.5 MiB by default (embed.DefaultMaxRequestBytes),
 * which binds before the API server's own 3 MiB request body limit
 * (MaxRequestBodyBytes). Measured on the object's JSON; what the API server
 * adds (managedFields, status) only makes it larger.
 */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export interface SizeProblem {
  readonly message: string;
  /** Where in the object the bulk of it is: the field to shrink. */
  readonly segments: readonly (string | number)[];
  readonly hint: string;
}

/** Why the API server would refuse the object for its size, or undefined. */
export function sizeProblem(object: KubernetesObject): SizeProblem | undefined {
  if (object.apiVersion === "v1" && (object.kind === "ConfigMap" || object.kind === "Secret")) {
    const data = dataBytes(object as KubernetesObject & Record<string, unknown>);
    if (data.total > MAX_DATA_BYTES) {
      return {
        // The largest value, not the total, which the generated keys make differ between clusters: one message for all.
        message: `holds more than the ${MAX_DATA_BYTES.toLocaleString("en")} bytes (1 MiB) of data the API server accepts in a ${object.kind}; ${formatPath(data.largest.at)} alone is ${data.largest.bytes.toLocaleString("en")} bytes`,
        segments: data.largest.at,
        hint: `split the data over several ${object.kind}s, or keep large files out of the cluster's API (an image, a volume, object storage)`,
      };
    }
  }
  // Fast path, without building the JSON (a fleet's half a million objects): a bound on its size.
  if (jsonBytesAtMost(object, MAX_OBJECT_BYTES) <= MAX_OBJECT_BYTES) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(object));
  if (bytes <= MAX_OBJECT_BYTES) return undefined;
  const largest = largestString(object);
  return {
    message: `is larger as JSON than the ${MAX_OBJECT_BYTES.toLocaleString("en")} bytes (1.5 MiB) etcd stores (its default --max-request-bytes), so the API server would refuse it; ${formatPath(largest.at) || "its largest string"} alone is ${largest.length.toLocaleString("en")} characters`,
    segments: largest.at,
    hint: "make the object smaller: split it, or keep large content out of the cluster's API",
  };
}

/** The bytes a ConfigMap's or Secret's values count for validation, and the key of the largest. */
function dataBytes(object: Record<string, unknown>): { total: number; largest: { bytes: number; at: string[] } } {
  const sizes = new Map<string, { bytes: number; at: string[] }>();
  const add = (field: string, decode: boolean) => {
    const map = object[field];
    if (typeof map !== "object" || map === null) return;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== "string") continue;
      sizes.set(key, { bytes: decode ? Buffer.from(value, "base64").length : Buffer.byteLength(value), at: [field, key] });
    }
  };
  // In a Secret, stringData wins over data for a key in both, as the API server merges them.
  add("data", object.kind === "Secret");
  add("binaryData", true);
  add("stringData", false);
  let total = 0;
  let largest: { bytes: number; at: string[] } = { bytes: -1, at: [] };
  for (const size of sizes.values()) {
    total += size.bytes;
    if (size.bytes > largest.bytes) largest = size;
  }
  return { total, largest };
}

/** The path of the longest string in the object: most often what made it too large. */
function largestString(object: object): { length: number; at: (string | number)[] } {
  let best: { length: number; at: (string | number)[] } = { length: -1, at: [] };
  const stack: { value: unknown; at: (string | number)[] }[] = [{ value: object, at: [] }];
  while (stack.length > 0) {
    const { value, at } = stack.pop()!;
    if (typeof value === "string") {
      if (value.length > best.length) best = { length: value.length, at };
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, at: [...at, i] }));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, at: [...at, key] });
    }
  }
  return best;
}

/**
 * At least as many bytes as the value's JSON takes in UTF-8 (more than
 * `limit` once it passes it, where it stops counting): a string of n UTF-16
 * units takes at most 6n + 2 (each unit escaped as \\uXXXX, and its quotes),
 * a number at most 25, and each key, colon and comma is counted.
 */
function jsonBytesAtMost(value: unknown, limit: number): number {
  let total = 0;
  const visit = (node: unknown): void => {
    if (total > limit) return;
    if (typeof node === "string") total += 6 * node.length + 2;
    else if (typeof node === "number" || typeof node === "bigint") total += 25;
    else if (node === null || typeof node !== "object") total += 5;
    else if (Array.isArray(node)) {
      total += 2 + node.length;
      for (const item of node) visit(item);
    } else {
      total += 2;
      for (const key of Object.keys(node)) {
        total += 6 * key.length + 4;
        visit((node as Record<string, unknown>)[key]);
      }
    }
  };
  visit(value);
  return total;
}

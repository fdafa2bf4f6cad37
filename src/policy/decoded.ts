/**
 * An object as the API server hands it to admission: it decodes JSON into
 * its types, where a field set to null is a field not set. Both of sluice's
 * CEL evaluators judge this form, so `hostNetwork: null` or `volumes: null`
 * reads as absent on both sides, as it does in the cluster. Objects without
 * a null are returned as they are.
 */
export function decoded<T extends object>(value: T): T {
  let result = seen.get(value);
  if (result === undefined) seen.set(value, (result = hasNull(value) ? (withoutNulls(value) as object) : value));
  return result as T;
}

// Every rule judges the same object: it is looked through once.
const seen = new WeakMap<object, object>();

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  return Array.isArray(value) ? value.some(hasNull) : Object.values(value as object).some(hasNull);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as object)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}

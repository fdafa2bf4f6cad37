/**
 * The value a record holds under `key` as its own property, never an
 * inherited one: user-chosen names such as a wave called "constructor" must
 * not find Object.prototype's members.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** One changed value of an object: where, and what it was and is (absent when there was or is none). */
export interface FieldChange {
  /** e.g. "spec.template.spec.containers[payments].image" or 'metadata.labels["app.kubernetes.io/version"]'. */
  readonly path: string;
  readonly segments: readonly (string | number)[];
  readonly old?: unknown;
  readonly new?: unknown;
}

/**
 * The leaves that differ between two versions of an object. Lists whose items
 * all have a name (containers, env, ports, volumes) are matched by name, so
 * inserting one item is one change rather than a shift of every later one.
 * Keeps the first `max` and counts the rest: 20,000 changed env vars are a
 * count, not 20,000 entries for every format to carry.
 */
export function fieldChanges(before: unknown, after: unknown, max = Infinity): { fields: FieldChange[]; total: number } {
  const changes: FieldChange[] = [];
  let total = 0;
  const walk = (a: unknown, b: unknown, segments: (string | number)[], path: string) => {
    if (Object.is(a, b)) return;
    if (isRecord(a) && isRecord(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      for (const key of keys) {
        walk(
          Object.hasOwn(a, key) ? a[key] : undefined,
          Object.hasOwn(b, key) ? b[key] : undefined,
          [...segments, key],
          `${path}${propertyPath(key, path === "")}`,
        );
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if ((a.length === 0 || isNamedList(a)) && (b.length === 0 || isNamedList(b)) && a.length + b.length > 0) {
        const before = new Map((a as { name: string }[]).map((item) => [item.name, item]));
        const after = new Map((b as { name: string }[]).map((item) => [item.name, item]));
        for (const name of [...new Set([...before.keys(), ...after.keys()])]) {
          walk(before.get(name), after.get(name), [...segments, name], `${path}[${name}]`);
        }
        return;
      }
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], [...segments, i], `${path}[${i}]`);
      return;
    }
    if (a === undefined && b === undefined) return;
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    total++;
    if (changes.length < max)
      changes.push({ path, segments, ...(a !== undefined ? { old: a } : {}), ...(b !== undefined ? { new: b } : {}) });
  };
  walk(before, after, [], "");
  return { fields: changes, total };
}

/** A value as a reviewer reads it on one line. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function propertyPath(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNamedList(list: readonly unknown[]): list is { name: string }[] {
  if (list.length === 0) return false;
  const names = new Set<string>();
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== "string" || names.has(item.name)) return false;
    names.add(item.name);
  }
  return true;
}

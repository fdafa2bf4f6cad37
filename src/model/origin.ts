/**
 * Where something was written: a stack file (relative to the project root, with
 * forward slashes), a 1-based line and column, and optionally the property path
 * inside the object literal written there.
 *
 * Every app, override and raw object carries one, and so does every rendered
 * object and every diagnostic, so that any later stage (validation, secret
 * scanning, policy checks, diff review) can point back at the line to change.
 * The `path` is resolved to its own line lazily, by `pinpoint()` in
 * `src/locate/locate.ts`, only when something is reported.
 */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Property path below the call written at file:line, e.g. ["environments", "prod", "replicas"]. */
  readonly path?: readonly (string | number)[];
}

export function formatOrigin(origin: Origin): string {
  return `${origin.file}:${origin.line}:${origin.column}`;
}

export function childOrigin(origin: Origin, ...segments: (string | number)[]): Origin {
  return { ...origin, path: [...(origin.path ?? []), ...segments] };
}

export function formatPath(path: readonly (string | number)[] | undefined): string {
  if (!path || path.length === 0) return "";
  return path
    .map((segment, index) =>
      typeof segment === "number"
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(segment)
          ? `${index === 0 ? "" : "."}${segment}`
          : `[${JSON.stringify(segment)}]`,
    )
    .join("");
}

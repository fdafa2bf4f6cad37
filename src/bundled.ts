/**
 * How sluice's own code runs: as its TypeScript source (tests, through tsx),
 * as the compiled modules of dist/src/ and dist/lib/, or from the bundle
 * `npm run build` makes (dist/bundle/, scripts/bundle.mjs, which defines
 * SLUICE_BUNDLE). In the bundle each module's `import.meta.url` is still its
 * own compiled file's, so only what must name the bundle itself asks: the
 * entries that stacks and render threads import, the frames that are
 * sluice's own.
 */
declare const SLUICE_BUNDLE: true | undefined;

export const BUNDLED = typeof SLUICE_BUNDLE !== "undefined";

/** This file's own name ends in .ts only when sluice runs as source. */
export const RUNNING_AS_SOURCE = import.meta.url.endsWith(".ts");

/**
 * The URL of one of sluice's entries as this run has it, from the module at
 * `from` (its import.meta.url): `source` under tests, `bundle` (a file of
 * dist/bundle/) from the bundle, `compiled` otherwise; the first and last
 * relative to that module.
 */
export function ownEntry(from: string, entry: { readonly source: string; readonly compiled: string; readonly bundle: string }): string {
  const dist = new URL("..", new URL("./", import.meta.url)).href;
  return RUNNING_AS_SOURCE
    ? new URL(entry.source, from).href
    : BUNDLED
      ? new URL(`bundle/${entry.bundle}`, dist).href
      : new URL(entry.compiled, from).href;
}

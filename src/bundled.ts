/**
 * Whether this code runs from the bundle `npm run build` makes (dist/bundle/,
 * scripts/bundle.mjs), which defines SLUICE_BUNDLE, rather than from the
 * compiled modules (dist/src/) or the TypeScript source (tests). In the
 * bundle each module's `import.meta.url` is still its own file's, so only
 * what must name the bundle itself asks (the entries stacks import, the
 * frames that are sluice's own).
 */
declare const SLUICE_BUNDLE: true | undefined;

export const BUNDLED = typeof SLUICE_BUNDLE !== "undefined";

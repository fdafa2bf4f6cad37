/**
 * load: finds the stack files, type-checks them (in the background) and
 * imports them in a sandbox, giving what they declare with the file and line
 * each was declared at. Its cache lets an unchanged project skip the import
 * and the type-check. Also where release calls are found in stack source.
 */
export { discoverStacks, relativeTo, toPosix } from "./discover.js";
export { startLoad, type LoadedApp, type LoadedPreview, type LoadedRelease, type LoadedStacks } from "./load.js";
export { LoadCache } from "./load-cache.js";
export { findReleaseCall, findReleases, releasesIn, withoutRelease, withRelease } from "./release-source.js";
export type { TypeChecker } from "./typecheck.js";

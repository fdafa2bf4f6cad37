/**
 * resolve: merges defaults ← environment ← cluster ← app ← overrides into
 * each app instance's spec, with its secrets, and says what an instance
 * needs from its cluster.
 */
export { resolve, resolveError, resolveSome } from "./resolve.js";
export { instanceNeeds, neededCapabilities } from "./instance-needs.js";
export { instanceInputs, releaseOn } from "./input.js";
export { exposedObjects } from "./expose.js";
export { mergeValues } from "./merge.js";

/**
 * The env repo on disk (out/ or a checkout): what sluice owns there, writing
 * a plan under a run lock, comparing with one, where out/ may be, and the
 * caches that make those fast (stat cache, spill).
 */
export { compare, type Drift } from "./compare.js";
export { engineMoveProblems } from "./engine-moves.js";
export { readOwned } from "./out-dir.js";
export { checkOutLocation } from "./out-location.js";
export { Spill, type Spilled } from "./spill.js";
export { Prefetch } from "./prefetch.js";
export { StatCache } from "./stat-cache.js";
export { writePlan, type WriteResult } from "./write.js";

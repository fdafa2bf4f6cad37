/** emit: rendered objects to the file plan (path → bytes), kustomizations and the lock. */
export { assemble, emitDocuments, emitObjects, type PlanEntry } from "./emit.js";

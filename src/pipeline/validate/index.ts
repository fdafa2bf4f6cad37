/**
 * validate: checks what the stacks declared against the schemas and each
 * other, collecting every error with its stack line, and builds the model
 * (with the order things run in on each cluster).
 */
export { validate } from "./validate.js";
export { isApproved, releaseDirectory, releaseFile, type GatherOptions } from "./releases.js";
export { scopeOf } from "./objects.js";
export { choosePartition, partitionGroups } from "./partition.js";

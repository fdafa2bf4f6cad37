/**
 * render: each app instance's objects (blueprint, engine and raw objects) and
 * the fleet's own (cluster roots, projects, namespaces, README, CODEOWNERS).
 * Its cache keeps the files of instances whose inputs did not change.
 */
export { instanceSources, renderFleet, type InstanceRef } from "./render.js";
export { renderInstance } from "./instance.js";
export { renderPreviews } from "./previews.js";
export { RenderCache, type CachedFile, type CachedObject } from "./render-cache.js";
export { instanceKeys } from "./instance-key.js";
export { blueprintRegistry, type Blueprints } from "./blueprints.js";
export { stacksCodeowners, writeStacksCodeowners } from "./stacks-codeowners.js";

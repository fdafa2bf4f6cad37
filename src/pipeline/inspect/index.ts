/**
 * inspect: the rendered objects against strict schemas and size limits, and
 * the stacks and rendered files for secrets in plain text.
 */
export { inspectionError, inspectObjects } from "./objects.js";
export { inspectSecretObjects, scanRenderedFiles } from "./plaintext.js";
export { scanLiterals } from "./scan-literals.js";

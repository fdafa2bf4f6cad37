/**
 * check: the rendered objects against strict schemas and size limits, and
 * the stacks and rendered files for secrets in plain text.
 */
export { checkError, checkObjects } from "./check.js";
export { checkSecretObjects, scanRenderedFiles } from "./plaintext.js";
export { scanLiterals } from "./scan-literals.js";

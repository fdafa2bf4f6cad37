import { formatOrigin, formatPath, type Origin } from "./origin.js";

/** One problem found in the stacks, with the place to fix it and what to do. */
export interface Diagnostic {
  /** Stable identifier, e.g. "validate/unknown-cluster" or "typecheck/TS2322". */
  readonly code: string;
  readonly message: string;
  readonly origin?: Origin;
  /** What to change, in the user's terms. */
  readonly hint?: string;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.origin ? `${formatOrigin(diagnostic.origin)} ` : "";
  const path = diagnostic.origin?.path?.length ? `${formatPath(diagnostic.origin.path)}: ` : "";
  const hint = diagnostic.hint ? `\n  hint: ${diagnostic.hint}` : "";
  return `${where}${path}${diagnostic.message}${hint}`;
}

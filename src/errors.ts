import { formatDiagnostic, type Diagnostic } from "./model/diagnostic.js";

/**
 * The user's input is wrong (a stack that does not compile, an invalid spec, a
 * foreign file in out/). Carries every problem found, not just the first.
 * The CLI prints them and exits 2; nothing has been written.
 */
export class SluiceError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(summary: string, diagnostics: readonly Diagnostic[] = []) {
    super(diagnostics.length ? `${summary}\n${diagnostics.map(formatDiagnostic).join("\n")}` : summary);
    this.name = "SluiceError";
    this.diagnostics = diagnostics;
  }
}

/** Something inside sluice is wrong. The CLI says it is a bug and how to report it. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalError";
  }
}

export function isSluiceError(error: unknown): error is SluiceError {
  return error instanceof Error && error.name === "SluiceError" && "diagnostics" in error;
}

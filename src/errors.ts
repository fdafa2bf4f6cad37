import { formatDiagnostic, type Diagnostic } from "./model/diagnostic.js";
import type { Finding } from "./policy/finding.js";

/**
 * The user's input is wrong (a stack that does not compile, an invalid spec, a
 * foreign file in out/). Carries every problem found, not just the first.
 * The CLI prints them and exits 2; nothing has been written.
 */
export class SluiceError extends Error {
  /** The first line: what went wrong, without the diagnostics. */
  readonly summary: string;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * How the diagnostics are grouped once they are at their lines (two that
   * point at one line may become one): the stages throw diagnostics at
   * property paths, and the API's entry points put them at lines
   * (src/locate/located.ts), once, with the project root.
   */
  readonly regroup: ((located: readonly Diagnostic[]) => readonly Diagnostic[]) | undefined;

  constructor(
    summary: string,
    diagnostics: readonly Diagnostic[] = [],
    regroup?: (located: readonly Diagnostic[]) => readonly Diagnostic[],
  ) {
    super(diagnostics.length ? `${summary}\n${diagnostics.map(formatDiagnostic).join("\n")}` : summary);
    this.name = "SluiceError";
    this.summary = summary;
    this.diagnostics = diagnostics;
    this.regroup = regroup;
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

/**
 * A policy rule found an error: the stacks compile, but what they describe
 * must not be deployed. Nothing has been written; the CLI prints the
 * findings and exits 1.
 */
export class PolicyViolation extends Error {
  readonly findings: readonly Finding[];
  readonly waived: number;

  constructor(findings: readonly Finding[], waived: number) {
    const errors = findings.filter((finding) => finding.severity === "error").length;
    super(`${errors} policy error${errors === 1 ? "" : "s"}; nothing was written.`);
    this.name = "PolicyViolation";
    this.findings = findings;
    this.waived = waived;
  }
}

export function isPolicyViolation(error: unknown): error is PolicyViolation {
  return error instanceof Error && error.name === "PolicyViolation" && "findings" in error;
}

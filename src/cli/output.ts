import pc from "picocolors";
import type { Diagnostic } from "../model/diagnostic.js";
import { formatOrigin, formatPath } from "../model/origin.js";

/** Where the CLI writes. Tests pass their own to capture output. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Colour in human output (see wantsColor). */
  readonly color: boolean;
  /** Progress on stderr only when it is a terminal: never in CI logs. */
  readonly progress: boolean;
}

/**
 * Colour only on a terminal. NO_COLOR (any non-empty value) always wins;
 * FORCE_COLOR turns it on elsewhere. Unlike picocolors' own default, a CI
 * environment does not turn colour on: CI logs stay plain text.
 */
export function wantsColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0";
  return isTTY && env.TERM !== "dumb";
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color: wantsColor(process.env, Boolean(process.stdout.isTTY)),
  progress: Boolean(process.stderr.isTTY) && !process.env.CI,
};

export type Format = "text" | "markdown" | "json";

export function colors(io: Io) {
  return pc.createColors(io.color);
}

/** `file:line:col: error: message` then an indented hint: the shape editors and CI annotate. */
export function formatDiagnosticLine(diagnostic: Diagnostic, io: Io): string {
  const c = colors(io);
  const where = diagnostic.origin ? `${c.bold(formatOrigin(diagnostic.origin))}: ` : "";
  const path = diagnostic.origin?.path?.length ? `${c.cyan(formatPath(diagnostic.origin.path))}: ` : "";
  const hint = diagnostic.hint ? `\n  ${c.dim(`hint: ${diagnostic.hint}`)}` : "";
  return `${where}${c.red("error")}: ${path}${diagnostic.message}${hint}\n`;
}

export function diagnosticJson(diagnostic: Diagnostic) {
  return {
    code: diagnostic.code,
    message: diagnostic.message,
    ...(diagnostic.origin ? { file: diagnostic.origin.file, line: diagnostic.origin.line, column: diagnostic.origin.column } : {}),
    ...(diagnostic.origin?.path?.length ? { path: diagnostic.origin.path } : {}),
    ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
  };
}

/** A one-line progress indicator on stderr, rewritten in place. */
export function progressLine(io: Io): { update: (text: string) => void; done: () => void } {
  if (!io.progress) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update: (text) => {
      io.stderr(`\r\x1b[2K${text}`);
      shown = true;
    },
    done: () => {
      if (shown) io.stderr("\r\x1b[2K");
    },
  };
}

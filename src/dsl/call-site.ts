import { fileURLToPath } from "node:url";
import path from "node:path";

/** A position in a running file, with an absolute path: where a DSL function was called from. */
export interface CallSite {
  readonly absoluteFile: string;
  readonly line: number;
  readonly column: number;
}

// Frames inside sluice's own code (src/ or dist/src/) are skipped to find the user's call.
const SLUICE_CODE = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

type V8CallSite = { getFileName(): string | undefined | null; getLineNumber(): number | null; getColumnNumber(): number | null };

/**
 * The frames of the current call stack outside sluice's code, innermost
 * first, as V8 reports them: positions in the code that runs, which for
 * stacks is the bundle load built. Load maps them back to the stack files
 * with the bundle's source map (see stack-positions.ts).
 *
 * Structured frames rather than `new Error().stack`: formatting a trace (and
 * source-mapping it) for every app took ~40 % of loading 2,000 stacks.
 */
export function callSites(): CallSite[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    Error.stackTraceLimit = 16;
    Error.captureStackTrace(holder, callSites);
    const frames = (holder.stack ?? []) as V8CallSite[];
    return frames.flatMap((frame) => {
      const site = toCallSite(frame.getFileName(), frame.getLineNumber(), frame.getColumnNumber());
      return site && !site.absoluteFile.startsWith(SLUICE_CODE + path.sep) ? [site] : [];
    });
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/** The file (absolute, no query), line and column of each frame of a formatted V8 stack trace. */
export function stackFrames(stack: string): CallSite[] {
  return stack
    .split("\n")
    .slice(1)
    .flatMap((frame) => {
      const match = FRAME.exec(frame.trim());
      const site = match && toCallSite(match[1], Number(match[2]), Number(match[3]));
      return site ? [site] : [];
    });
}

function toCallSite(name: string | undefined | null, line: number | null, column: number | null): CallSite | undefined {
  if (!name || line === null || column === null) return undefined;
  let file = name.replace(/\?.*$/, "");
  if (file.startsWith("file://")) file = fileURLToPath(file);
  return path.isAbsolute(file) ? { absoluteFile: file, line, column } : undefined;
}

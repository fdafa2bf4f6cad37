import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { BUNDLED } from "../bundled.js";

/**
 * A position in a running file, as V8 names the file: a file: URL for ES
 * modules, an absolute path otherwise. Kept raw, because converting every
 * frame of every call cost more than capturing it; see fileOf().
 */
export interface CallSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The absolute path of a call site's file. */
export function fileOf(site: CallSite): string {
  return site.file.startsWith("file://") ? fileURLToPath(site.file) : site.file;
}

// Frames inside sluice's own code (src/, or dist/ with its bundle) are skipped to find the user's call.
const OWN_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SLUICE_CODE = BUNDLED ? path.dirname(OWN_DIR) : OWN_DIR;
const SLUICE_CODE_URL = `${pathToFileURL(SLUICE_CODE).href}/`;

const FRAME_LIMIT = 12;
/** Marks a list of call sites cut off by the frame limit: its outermost frame is not the real one. */
export const TRUNCATED: CallSite = Object.freeze({ file: "", line: 0, column: 0 });

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
    Error.stackTraceLimit = FRAME_LIMIT;
    Error.captureStackTrace(holder, callSites);
    const frames = (holder.stack ?? []) as V8CallSite[];
    const sites: CallSite[] = [];
    // Reaching Node's module loader means the frames below it were the whole
    // evaluation of the stack module: nothing of the user's was cut off, even
    // if the async frames of whoever imported it filled up the limit.
    let complete = false;
    for (const frame of frames) {
      const file = frame.getFileName();
      if (file?.startsWith("node:internal/modules/")) complete = true;
      const line = frame.getLineNumber();
      const column = frame.getColumnNumber();
      if (!file || line === null || column === null || file.startsWith(SLUICE_CODE_URL) || file.startsWith(SLUICE_CODE + path.sep))
        continue;
      sites.push({ file, line, column });
    }
    if (!complete && frames.length >= FRAME_LIMIT) sites.push(TRUNCATED);
    return sites;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/** The file (without query), line and column of each frame of a formatted V8 stack trace. */
export function stackFrames(stack: string): CallSite[] {
  return stack
    .split("\n")
    .slice(1)
    .flatMap((frame) => {
      const match = FRAME.exec(frame.trim());
      return match ? [{ file: match[1]!.replace(/\?.*$/, ""), line: Number(match[2]), column: Number(match[3]) }] : [];
    });
}

import { fileURLToPath } from "node:url";
import path from "node:path";

/** Where a DSL function was called from, with an absolute file path. */
export interface CallSite {
  readonly absoluteFile: string;
  readonly line: number;
  readonly column: number;
}

// Frames inside sluice's own source are skipped to find the user's call.
const SLUICE_SRC = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/** The file (absolute, no query), line and column of each frame of a V8 stack trace. */
export function stackFrames(stack: string): CallSite[] {
  const frames: CallSite[] = [];
  for (const frame of stack.split("\n").slice(1)) {
    const match = FRAME.exec(frame.trim());
    if (!match) continue;
    let file = match[1]!.replace(/\?.*$/, "");
    if (file.startsWith("file://")) file = fileURLToPath(file);
    if (path.isAbsolute(file)) frames.push({ absoluteFile: file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

/**
 * The first stack frame outside sluice's source. Stacks are loaded through tsx,
 * which maps stack traces back to the TypeScript source, so the line is the
 * line the user wrote.
 */
export function callSite(): CallSite | undefined {
  return stackFrames(new Error().stack ?? "").find(
    ({ absoluteFile }) => !absoluteFile.startsWith(SLUICE_SRC + path.sep) && !absoluteFile.includes(`${path.sep}node_modules${path.sep}`),
  );
}

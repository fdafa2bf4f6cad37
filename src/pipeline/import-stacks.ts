import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Message } from "esbuild";
import { register } from "tsx/esm/api";
import { SluiceError } from "../errors.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { stackFrames } from "../dsl/call-site.js";
import { relativeTo } from "./discover.js";

// The running sluice. Stacks import "sluice" and must get this very module
// graph, not a second copy: it is the one that reads the values they export.
const SLUICE_ENTRY = new URL("../index.ts", import.meta.url).href;

let tsxRegistered = false;

/**
 * Imports every stack file and returns the values they export.
 *
 * The stacks are bundled into one ES module with esbuild (which tsx itself
 * uses) and imported once. Importing 500 stack files one by one through a
 * loader took 1.5 s; one bundle takes 0.3 s. Each call
 * builds a new bundle file, so a long-lived process (tests, a watch mode)
 * always sees the stacks as they are now. An inline source map keeps stack
 * traces, and so every app's recorded origin, on the lines the user wrote.
 */
export async function importStacks(root: string, files: readonly string[]): Promise<unknown[]> {
  // The bundle's source map names the stacks relative to where the bundle is
  // written, so esbuild must know that place before it builds.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-load-"));
  const file = path.join(dir, "stacks.mjs");
  try {
    return await buildAndImport(root, files, file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function buildAndImport(root: string, files: readonly string[], file: string): Promise<unknown[]> {
  const entry = files.map((file, i) => `export * as s${i} from ${JSON.stringify(`./${file}`)};`).join("\n");
  let bundle: string;
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: root, sourcefile: "sluice-stacks-entry.js", loader: "js" },
      absWorkingDir: root,
      outfile: file,
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      plugins: [
        {
          name: "sluice-external",
          setup(b) {
            b.onResolve({ filter: /^sluice$/ }, () => ({ path: SLUICE_ENTRY, external: true }));
          },
        },
      ],
    });
    bundle = result.outputFiles[0]!.text;
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (!messages) throw error;
    throw new SluiceError("A stack does not parse; nothing was written.", messages.map((m) => buildProblem(root, m)));
  }

  ensureRuntime();
  try {
    fs.writeFileSync(file, bundle);
    const module = (await import(pathToFileURL(file).href)) as Record<string, Record<string, unknown>>;
    return files.flatMap((_, i) => {
      const exports = module[`s${i}`] ?? {};
      return Object.keys(exports)
        .sort()
        .map((name) => exports[name]);
    });
  } catch (error) {
    throw new SluiceError("A stack failed to load; nothing was written.", [importProblem(root, files, error)]);
  }
}

/**
 * sluice's own source is TypeScript run through tsx; make sure its loader is
 * on (the CLI registers it; a program or test that imports sluice may not),
 * and map stack traces through source maps so origins name stack lines.
 */
function ensureRuntime(): void {
  process.setSourceMapsEnabled(true);
  if (tsxRegistered) return;
  register();
  tsxRegistered = true;
}

function buildProblem(root: string, message: Message): Diagnostic {
  const location = message.location;
  return {
    code: "load/syntax",
    message: message.text,
    ...(location
      ? { origin: { file: relativeTo(root, path.resolve(root, location.file)), line: location.line, column: location.column + 1 } }
      : {}),
    hint: "fix the syntax at this line",
  };
}

/** A stack that threw while being imported: point at the deepest frame in a stack file. */
function importProblem(root: string, files: readonly string[], error: unknown): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const absolute = new Set(files.map((file) => path.resolve(root, file)));
  const frame = stackFrames(stack).find(({ absoluteFile }) => absolute.has(absoluteFile));
  if (frame) {
    return {
      code: "load/threw",
      message: `the stack threw while loading: ${message.split("\n")[0]}`,
      origin: { file: relativeTo(root, frame.absoluteFile), line: frame.line, column: frame.column },
      hint: "stacks should only declare; fix the expression at this line",
    };
  }
  return { code: "load/threw", message: `a stack threw while loading: ${stack || message}` };
}

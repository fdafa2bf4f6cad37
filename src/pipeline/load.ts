import path from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";
import type { CallSite } from "../dsl/call-site.js";
import { isApp, isPlatform, type App, type Platform } from "../dsl/platform.js";
import { SluiceError } from "../errors.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Origin } from "../model/origin.js";
import { toPosix } from "./discover.js";
import { typecheckStacks, type TypecheckEngine } from "./typecheck.js";

/** What the stacks declared, before validation: values exactly as written, with their origins. */
export interface LoadedStacks {
  /** The stack files, relative to the project root, sorted. */
  readonly files: readonly string[];
  readonly platform: { readonly spec: unknown; readonly origin: Origin };
  readonly apps: readonly { readonly name: string; readonly spec: unknown; readonly origin: Origin }[];
}

export interface LoadOptions {
  /** Skip the type-check (when CI already runs tsc). Default false. */
  readonly skipTypecheck?: boolean;
  readonly typecheckEngine?: TypecheckEngine;
  /** Told how long the type-check took, in milliseconds. */
  readonly onTypecheck?: (ms: number) => void;
}

let loadCount = 0;

/**
 * Type-checks the stack files, then imports them. Any type error stops here,
 * before a stack runs. Each load imports the stacks in a fresh module
 * namespace, so that a long-lived process (tests, a watch mode) always sees
 * the files as they are now.
 */
export async function loadStacks(root: string, files: readonly string[], options: LoadOptions = {}): Promise<LoadedStacks> {
  if (files.length === 0) {
    throw new SluiceError("No stack files found.", [
      { code: "load/no-stacks", message: "there is nothing to synthesize", hint: "write stacks/platform.ts with definePlatform() and one stack per app" },
    ]);
  }
  if (!options.skipTypecheck) {
    const start = performance.now();
    const errors = typecheckStacks(root, files, options.typecheckEngine);
    options.onTypecheck?.(performance.now() - start);
    if (errors.length > 0) throw new SluiceError(`The stacks do not compile (${errors.length} error${errors.length === 1 ? "" : "s"}); nothing was written.`, errors);
  }

  const scope = register({ namespace: `sluice-load-${process.pid}-${++loadCount}` });
  const exported: unknown[] = [];
  const problems: Diagnostic[] = [];
  try {
    for (const file of files) {
      try {
        const module = (await scope.import(pathToFileURL(path.resolve(root, file)).href, import.meta.url)) as Record<string, unknown>;
        for (const name of Object.keys(module).sort()) exported.push(module[name]);
      } catch (error) {
        problems.push(importProblem(root, file, error));
      }
    }
  } finally {
    await scope.unregister();
  }
  if (problems.length > 0) throw new SluiceError("A stack failed to load; nothing was written.", problems);
  return collect(root, files, exported);
}

function collect(root: string, files: readonly string[], exported: unknown[]): LoadedStacks {
  const platforms = new Set<Platform>();
  for (const value of exported.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
    if (isPlatform(value)) platforms.add(value);
    else if (isApp(value)) platforms.add(value.platform);
  }
  const origin = (site: CallSite | undefined, fallback: string): Origin =>
    site
      ? { file: toPosix(path.relative(root, site.absoluteFile)), line: site.line, column: site.column }
      : { file: fallback, line: 1, column: 1 };

  if (platforms.size === 0) {
    throw new SluiceError("No platform found.", [
      {
        code: "load/no-platform",
        message: "no stack exports a platform",
        hint: "export the result of definePlatform() from a stack, e.g. `export const platform = definePlatform({ ... })` in stacks/platform.ts",
      },
    ]);
  }
  if (platforms.size > 1) {
    throw new SluiceError(
      "More than one platform found; sluice compiles one platform per project.",
      [...platforms].map((p) => ({
        code: "load/many-platforms",
        message: "a platform is declared here",
        origin: origin(p.callSite, files[0]!),
        hint: "keep one definePlatform() call and import it from every app stack",
      })),
    );
  }
  const [platform] = [...platforms] as [Platform];
  const platformOrigin = origin(platform.callSite, files[0]!);
  return {
    files,
    platform: { spec: platform.spec, origin: platformOrigin },
    apps: platform.apps.map((app: App) => ({ name: app.name, spec: app.spec, origin: origin(app.callSite, platformOrigin.file) })),
  };
}

/** A stack that threw or did not parse while being imported. */
function importProblem(root: string, file: string, error: unknown): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  const absolute = path.resolve(root, file);
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  // Prefer the deepest frame in the stack file itself for the line.
  const frame = stack
    .split("\n")
    .map((l) => /((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)/.exec(l))
    .find((m) => m && m[1]!.replace(/^file:\/\//, "").replace(/\?.*$/, "") === absolute);
  const esbuild = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  const line = frame ? Number(frame[2]) : esbuild ? Number(esbuild[1]) : 1;
  const column = frame ? Number(frame[3]) : esbuild ? Number(esbuild[2]) + 1 : 1;
  return {
    code: "load/import-failed",
    message: `the stack threw while loading: ${esbuild ? esbuild[3] : message.split("\n")[0]}`,
    origin: { file, line, column },
    hint: "stacks should only declare; fix the expression at this line",
  };
}

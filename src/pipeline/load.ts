import type { CallSite } from "../dsl/call-site.js";
import { isApp, isPlatform, type App, type Platform } from "../dsl/platform.js";
import { SluiceError } from "../errors.js";
import type { Origin } from "../model/origin.js";
import { relativeTo } from "./discover.js";
import { importStacks } from "./import-stacks.js";
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

/**
 * Type-checks the stack files, then imports them. Any type error stops here,
 * before a stack runs.
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

  const exported = await importStacks(root, files);
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
      ? { file: relativeTo(root, site.absoluteFile), line: site.line, column: site.column }
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

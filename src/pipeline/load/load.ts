import fs from "node:fs";
import path from "node:path";
import type { CallSite } from "../../dsl/call-site.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { isApp, isOpenPreview, isPlatform, isRelease, type App, type Platform } from "../../dsl/platform.js";
import { isSluiceError, SluiceError } from "../../errors.js";
import type { Origin } from "../../model/origin.js";
import { relativeTo } from "./discover.js";
import { importStacks, type ImportedStacks } from "./import-stacks.js";
import { lintStacks } from "./stack-lint.js";
import { releaseCallLiterals } from "./release-source.js";
import { declaredNames, teachTypeErrors, type DeclaredNames } from "./teach-types.js";
import { typecheckStacksAsync, type TypeChecker } from "./typecheck.js";

export interface LoadedApp {
  readonly name: string;
  readonly spec: unknown;
  readonly origin: Origin;
  /**
   * The stack file whose evaluation declared the app (the outermost frame of
   * the call, which differs from the origin when a helper declares apps).
   * Lets load re-run just the stacks that changed. Undefined when unknown.
   */
  readonly declaredBy?: string;
}

/** An app's releases declared apart from it (platform.release), as written. */
export interface LoadedRelease {
  readonly app: string;
  readonly releases: unknown;
  readonly origin: Origin;
  /** The stack file whose evaluation declared it, as for apps. */
  readonly declaredBy?: string;
  /** The waves whose release is a string literal in the call at `origin` (nothing else may set a gated wave's). */
  readonly literal: readonly string[];
}

/** A pull request's preview opened by a record (platform.preview), as written. */
export interface LoadedPreview {
  readonly number: unknown;
  readonly app: unknown;
  readonly opened: unknown;
  readonly origin: Origin;
  /** The stack file whose evaluation declared it, as for apps. */
  readonly declaredBy?: string;
}

/** What the stacks declared, before validation: values exactly as written, with their origins. */
export interface LoadedStacks {
  /** The stack files, relative to the project root, sorted. */
  readonly files: readonly string[];
  readonly platform: { readonly spec: unknown; readonly origin: Origin };
  readonly apps: readonly LoadedApp[];
  readonly releases: readonly LoadedRelease[];
  readonly previews: readonly LoadedPreview[];
  /** Every file the stacks were built from (the stacks and what they import), relative to the root, sorted. */
  readonly inputs: readonly string[];
  /** The inputs that another input imports: what a change can reach beyond the file changed. */
  readonly imported: readonly string[];
}

export interface LoadOptions {
  /** Skip the type-check (when CI already runs tsc). Default false. */
  readonly skipTypecheck?: boolean;
  readonly typeChecker?: TypeChecker;
  /** Told how long the type-check took, in milliseconds. */
  readonly onTypecheck?: (ms: number) => void;
  /** Lets an unchanged project skip the import and the type-check (see load-cache.ts). */
  readonly cache?: LoadReuse;
}

/**
 * What load asks of its cache. src/cache/load-cache.ts implements it; the
 * interface lives here so that the arrow goes one way, cache to load.
 */
export interface LoadReuse {
  reusable(stackFiles: readonly string[]): Reusable | undefined;
  typecheckScope(stackFiles: readonly string[]): TypecheckScope;
}

/** What load can reuse: the last load, and the stack files to run again (none for a full hit). */
export interface Reusable {
  readonly loaded: LoadedStacks;
  /** Stack files that changed or are new; each is imported by no other stack. */
  readonly changed: readonly string[];
  /** Stack files that are gone. */
  readonly removed: readonly string[];
}

/** Which stack files a type-check must cover: none, some (those changed, when nothing else can see them), or all. */
export type TypecheckScope =
  | { readonly kind: "none" }
  | { readonly kind: "some"; readonly files: readonly string[] }
  | { readonly kind: "all" };

export interface Typechecked {
  readonly checked: readonly string[];
  readonly read: readonly string[];
}

export interface StartedLoad {
  readonly loaded: LoadedStacks;
  /** How much of the last load was reused: all of it, all but the changed stacks, or nothing. */
  readonly reused: "all" | "partly" | "none";
  /** What the type-check covers: nothing (unchanged or skipped), the changed stacks, or all of them. */
  readonly typecheck: "none" | "some" | "all";
  /**
   * Settles when the type-check has finished: rejects with its errors, or
   * resolves to the stack files it checked and every file it read (undefined
   * when there was nothing to check). Nothing may be written before it settles.
   */
  readonly typechecked: Promise<Typechecked | undefined>;
}

/**
 * Type-checks the stack files in the background (the native compiler is a
 * process of its own) while it imports them, and returns as soon as the
 * import is done, so that the caller can validate and render on this core
 * while the compiler works on the other. Type errors win: when the import
 * fails too, the type errors are what is reported, since they explain it.
 */
export async function startLoad(root: string, files: readonly string[], options: LoadOptions = {}): Promise<StartedLoad> {
  if (files.length === 0) {
    throw new SluiceError("No stack files found.", [
      {
        code: "load/no-stacks",
        message: "there is nothing to synthesize",
        hint: "write stacks/platform.ts with definePlatform() and one stack per app",
      },
    ]);
  }
  const scope = options.skipTypecheck ? ({ kind: "none" } as const) : (options.cache?.typecheckScope(files) ?? ({ kind: "all" } as const));
  // Type errors are taught with the names the loaded platform declares (see teach-types.ts), known once the import is done.
  let declare!: (names: DeclaredNames | undefined) => void;
  const names = new Promise<DeclaredNames | undefined>((resolve) => (declare = resolve));
  const typechecked =
    scope.kind === "none"
      ? Promise.resolve(undefined)
      : typecheck(root, files, scope.kind === "some" ? scope.files : undefined, options, names);
  // Keeps an unawaited rejection from being reported before the caller awaits it.
  typechecked.catch(() => {});
  try {
    const { loaded, reused } = await loadOrReuse(root, files, options);
    declare(declaredNames(loaded.platform.spec));
    return { loaded, reused, typecheck: scope.kind, typechecked };
  } catch (error) {
    declare(undefined);
    await typechecked;
    throw error;
  }
}

async function loadOrReuse(root: string, files: readonly string[], options: LoadOptions): Promise<Pick<StartedLoad, "loaded" | "reused">> {
  const reusable = options.cache?.reusable(files);
  if (reusable && reusable.changed.length === 0 && reusable.removed.length === 0) return { loaded: reusable.loaded, reused: "all" };
  const partly = reusable && (await reload(root, files, reusable));
  if (partly) return { loaded: partly, reused: "partly" };
  lintStacks(root, files);
  return { loaded: collect(root, files, await importStacks(root, files)), reused: "none" };
}

/**
 * Runs only the stacks that changed, and takes everything else from the last
 * load: its platform (unchanged, since only app stacks that nothing imports
 * changed) and the apps declared by unchanged stacks. The changed stacks'
 * bundle evaluates the platform again too, but only the apps their own
 * evaluation declared are taken. Undefined when that cannot be done safely
 * (a changed stack now imports another, or exports nothing to find the
 * platform by): load then runs every stack.
 */
async function reload(root: string, files: readonly string[], reusable: Reusable): Promise<LoadedStacks | undefined> {
  const { loaded: last, changed, removed } = reusable;
  const redo = new Set([...changed, ...removed]);
  let fresh: LoadedStacks | undefined;
  if (changed.length > 0) {
    lintStacks(root, changed);
    const imported = await importStacks(root, changed);
    if (imported.imported.some((file) => changed.includes(file))) return undefined;
    try {
      fresh = collect(root, changed, imported);
      if ([...fresh.apps, ...fresh.releases, ...fresh.previews].some((declared) => declared.declaredBy === undefined)) return undefined;
    } catch (error) {
      if (isSluiceError(error) && error.diagnostics.some((d) => d.code === "load/no-platform")) return undefined;
      throw error;
    }
  }
  const gone = new Set(removed);
  return {
    files,
    platform: last.platform,
    apps: [...last.apps.filter((app) => !redo.has(app.declaredBy!)), ...(fresh?.apps.filter((app) => redo.has(app.declaredBy!)) ?? [])],
    releases: [...last.releases.filter((r) => !redo.has(r.declaredBy!)), ...(fresh?.releases.filter((r) => redo.has(r.declaredBy!)) ?? [])],
    previews: [...last.previews.filter((p) => !redo.has(p.declaredBy!)), ...(fresh?.previews.filter((p) => redo.has(p.declaredBy!)) ?? [])],
    inputs: [...new Set([...last.inputs.filter((file) => !gone.has(file)), ...(fresh?.inputs ?? [])])].sort(),
    imported: [...new Set([...last.imported, ...(fresh?.imported ?? [])])].sort(),
  };
}

async function typecheck(
  root: string,
  files: readonly string[],
  only: readonly string[] | undefined,
  options: LoadOptions,
  names: Promise<DeclaredNames | undefined>,
): Promise<Typechecked> {
  const start = performance.now();
  const { diagnostics, files: read } = await typecheckStacksAsync(root, only ?? files, options.typeChecker, only !== undefined);
  options.onTypecheck?.(performance.now() - start);
  if (diagnostics.length > 0) {
    throw new SluiceError(
      `The stacks do not compile (${diagnostics.length} error${diagnostics.length === 1 ? "" : "s"}); nothing was written.`,
      teachTypeErrors(root, diagnostics, await names),
    );
  }
  return { checked: only ?? files, read };
}

function collect(root: string, files: readonly string[], imported: ImportedStacks): LoadedStacks {
  const platforms = new Set<Platform>();
  for (const value of imported.exported.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
    if (isPlatform(value)) platforms.add(value);
    else if (isApp(value) || isRelease(value) || isOpenPreview(value)) platforms.add(value.platform);
  }
  const origin = (sites: readonly CallSite[], fallback: string): Origin => {
    const site = imported.positions.userFrame(sites);
    return site
      ? { file: relativeTo(root, site.absoluteFile), line: site.line, column: site.column }
      : { file: fallback, line: 1, column: 1 };
  };

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
        origin: origin(p.callSites, files[0]!),
        hint: "keep one definePlatform() call and import it from every app stack",
      })),
    );
  }
  const [platform] = [...platforms] as [Platform];
  const platformOrigin = origin(platform.callSites, files[0]!);
  const stackFiles = new Set(files);
  const declaredBy = (sites: readonly CallSite[]) => {
    const outer = imported.positions.outermostUserFrame(sites);
    const file = outer && relativeTo(root, outer.absoluteFile);
    return file !== undefined && stackFiles.has(file) ? { declaredBy: file } : {};
  };
  const envProblems = unallowedEnvReads(root, imported, platform.spec);
  if (envProblems.length > 0) throw new SluiceError("A stack reads the environment; nothing was written.", envProblems);
  return {
    files,
    platform: { spec: platform.spec, origin: platformOrigin },
    apps: platform.apps.map((app: App) => ({
      name: app.name,
      spec: app.spec,
      origin: origin(app.callSites, platformOrigin.file),
      ...declaredBy(app.callSites),
    })),
    releases: platform.releases.map((release) => {
      const at = origin(release.callSites, platformOrigin.file);
      return {
        app: release.app,
        releases: release.releases,
        origin: at,
        ...declaredBy(release.callSites),
        literal: literalWaves(root, at, release.app, release.releases),
      };
    }),
    previews: platform.openPreviews.map((preview) => ({
      number: preview.number,
      app: preview.app,
      opened: preview.opened,
      origin: origin(preview.callSites, platformOrigin.file),
      ...declaredBy(preview.callSites),
    })),
    inputs: imported.inputs,
    imported: imported.imported,
  };
}

/**
 * The waves a platform.release() call sets with a string literal written in
 * the call itself. A gated wave's release must be one: a value computed or
 * imported from elsewhere could change without the review its file gets.
 */
function literalWaves(root: string, origin: Origin, app: string, releases: unknown): string[] {
  if (typeof releases !== "object" || releases === null) return [];
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, origin.file), "utf8");
  } catch {
    return [];
  }
  const literals = releaseCallLiterals(text, app, origin.line);
  if (!literals) return [];
  return Object.entries(releases).flatMap(([wave, value]) => (literals.get(wave) === value ? [wave] : []));
}

/**
 * A stack whose output depends on the environment gives a different env repo
 * on a laptop and in CI. Reads are allowed only for the names the platform
 * lists in `stackEnv`, which makes the dependency visible and reviewed.
 */
function unallowedEnvReads(root: string, imported: ImportedStacks, spec: unknown): Diagnostic[] {
  const listed = (spec as { stackEnv?: unknown }).stackEnv;
  const allowed = new Set(Array.isArray(listed) ? listed.filter((name): name is string => typeof name === "string") : []);
  const seen = new Set<string>();
  return imported.envReads.flatMap((event) => {
    if (event.name !== undefined && allowed.has(event.name)) return [];
    const site = imported.positions.userFrame(event.sites);
    const where = site ? `${site.absoluteFile}:${site.line}` : "";
    if (seen.has(`${event.what}|${where}`)) return [];
    seen.add(`${event.what}|${where}`);
    return [
      {
        code: "load/env",
        message: `the stack reads ${event.what}: its output would depend on the machine and the shell that runs synth`,
        ...(site ? { origin: { file: relativeTo(root, site.absoluteFile), line: site.line, column: site.column } } : {}),
        hint:
          event.name === "*"
            ? "read single variables, each listed in the platform's stackEnv, or write the values into the stack"
            : `write the value into the stack, or list ${JSON.stringify(event.name)} in the platform's stackEnv to allow it`,
      },
    ];
  });
}

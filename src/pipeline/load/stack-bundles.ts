import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
// Imported when sluice loads, not on first use: esbuild starts its service in the working
// directory it saw when it was loaded, which must outlive the process (a caller may chdir).
import { build, type BuildOptions, type Message, type Metafile, type Plugin } from "esbuild";
import { SluiceError } from "../../errors.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { relativeTo } from "./discover.js";
import { ownEntry } from "../../bundled.js";
import { IMPORT_META } from "./stack-sandbox.js";

// The running sluice. Stacks import "sluice" and must get this very module
// graph — its TypeScript source under tests, the bundle from the CLI (or its
// compiled modules, when they run unbundled) — not a second copy.
const SLUICE_ENTRY = ownEntry(import.meta.url, { source: "../../index.ts", compiled: "../../index.js", bundle: "index.js" });
const SDK_ENTRY = ownEntry(import.meta.url, { source: "../../sdk.ts", compiled: "../../sdk.js", bundle: "sdk.js" });
// The built-in blueprints a platform's own may wrap: sluice's code, like the SDK, not the stacks'.
const BLUEPRINTS_ENTRY = ownEntry(import.meta.url, {
  source: "../../../lib/blueprints/index.ts",
  compiled: "../../../lib/blueprints/index.js",
  bundle: "blueprints.js",
});

// Modules that reach outside the stacks: the file system, the network, other
// processes, the machine. Stacks declare; what they need comes in through
// imports esbuild can see (e.g. `import x from "./x.json"`), which is also
// what sluice's caches are keyed by.
const IO_MODULES =
  /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|dns|dns\/promises|os|worker_threads|cluster|vm|v8|inspector|readline|readline\/promises|tls|crypto|perf_hooks|module|process|repl)$/;

const ENTRY_NAME = "sluice-stacks-entry.js";

/**
 * How much stack source goes into one bundle. Node compiles a bundle as one
 * module, and the memory that takes (and esbuild's, to build it) grows with
 * its size: 5,000 stacks of 200 variables each made a 49 MB bundle that
 * cost 1.5 GB in esbuild and 0.7 GB to import. Past this size the stacks are
 * bundled in parts; below it (the usual project) there is one bundle.
 */
export const BUNDLE_BYTES = 4 * 1024 * 1024;

/**
 * And how many stacks: V8 finds a call's line by walking the source
 * positions of the function it is in, and a bundle's stacks all run in its
 * module's one top-level function, so recording where each app is declared
 * cost time in the square of the stacks per bundle (10,000 apps with their
 * release files, in 4 MB parts: 7 s; see dsl/call-site.ts).
 */
export const BUNDLE_STACKS = 1_000;

/** A module esbuild wrote for load to import, with its source map. */
export interface BundleFile {
  readonly file: string;
  readonly map: string;
}

/** A bundle of some of the stack files: its module exports stack i's exports as `s<i>`. */
export interface StackBundle extends BundleFile {
  /** The indices (into the files given) of the stacks it exports. */
  readonly stacks: readonly number[];
}

export interface BundledStacks {
  /** The bundles to import, in order. */
  readonly bundles: readonly StackBundle[];
  /** Every module written, with its source map: the bundles and the modules they share. */
  readonly written: readonly BundleFile[];
  /** Every file the stacks were built from, relative to the root, sorted (sluice itself excluded). */
  readonly inputs: readonly string[];
  /** The inputs another input imports, relative and sorted. */
  readonly imported: readonly string[];
}

/**
 * Bundles the stack files into `dir` with esbuild. A project up to
 * BUNDLE_BYTES of stacks is one bundle. A larger one is bundled in parts of
 * about that size, and what the first part's stacks import (the platform,
 * shared helpers) is bundled once on its own, so that every part imports the
 * same module instance: one platform, every helper evaluated once, as in one
 * bundle. When a later part would bundle a module that another part or the
 * shared modules also contain (a stack importing another app's stack, a
 * helper only later stacks use), one bundle is made after all, since a
 * module evaluated twice could declare things twice.
 */
export async function bundleStacks(
  root: string,
  files: readonly string[],
  dir: string,
  limit = BUNDLE_BYTES,
  stacksLimit = BUNDLE_STACKS,
): Promise<BundledStacks> {
  fs.mkdirSync(dir, { recursive: true });
  const parts = partsOf(root, files, limit, stacksLimit);
  if (parts.length > 1) {
    const inParts = await bundleInParts(root, files, parts, dir);
    if (inParts) return inParts;
  }
  const whole = await bundle(
    root,
    files,
    files.map((_, i) => i),
    path.join(dir, "stacks.mjs"),
  );
  writeBundle(whole);
  return { bundles: [whole], written: [whole], inputs: whole.inputs, imported: whole.imported };
}

/** The stacks' indices in consecutive parts of at most `limit` bytes of source (a larger stack is a part alone) and `stacksLimit` stacks. */
function partsOf(root: string, files: readonly string[], limit: number, stacksLimit: number): number[][] {
  const parts: number[][] = [];
  let part: number[] = [];
  let bytes = 0;
  files.forEach((file, i) => {
    const size = fs.statSync(path.resolve(root, file), { throwIfNoEntry: false })?.size ?? 0;
    if (part.length > 0 && (bytes + size > limit || part.length >= stacksLimit)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(i);
    bytes += size;
  });
  if (part.length > 0) parts.push(part);
  return parts;
}

async function bundleInParts(
  root: string,
  files: readonly string[],
  parts: readonly number[][],
  dir: string,
): Promise<BundledStacks | undefined> {
  // What the stacks share is learnt from the first part: bundled whole, its
  // inputs that another input imports are the platform and the helpers.
  const probe = await bundle(root, files, parts[0]!, path.join(dir, "probe.mjs"));
  const shared = await bundleShared(
    root,
    probe.imported.filter((file) => !inPackage(file)),
    path.join(dir, "shared"),
  );
  if (!shared) return undefined;
  const bundles: Built[] = [];
  for (const [n, part] of parts.entries()) bundles.push(await bundle(root, files, part, path.join(dir, `stacks-${n}.mjs`), shared.urls));
  // Each module in exactly one place, or it would be evaluated once per place.
  const placed = new Set(shared.inputs);
  for (const built of bundles) {
    for (const input of built.inputs) {
      if (placed.has(input)) return undefined;
      placed.add(input);
    }
  }
  for (const built of bundles) writeBundle(built);
  return {
    bundles,
    written: [...shared.written, ...bundles],
    inputs: [...placed].sort(),
    imported: [...new Set([...probe.imported, ...shared.imported, ...bundles.flatMap((built) => built.imported)])].sort(),
  };
}

interface Built extends StackBundle {
  readonly code: string;
  readonly inputs: readonly string[];
  readonly imported: readonly string[];
}

/** One bundle of the given stacks; modules in `shared` (absolute path to URL) are imported from there, not bundled. */
async function bundle(
  root: string,
  files: readonly string[],
  stacks: readonly number[],
  outfile: string,
  shared?: ReadonlyMap<string, string>,
): Promise<Built> {
  const entry = stacks.map((i) => `export * as s${i} from ${JSON.stringify(`./${files[i]}`)};`).join("\n");
  const result = await run(root, {
    ...options(root),
    stdin: { contents: entry, resolveDir: root, sourcefile: ENTRY_NAME, loader: "js" },
    outfile,
    // Marked by their resolved paths, which costs nothing per import (a plugin
    // is a round trip to esbuild's process for each one).
    external: shared ? [...shared.keys()] : [],
    plugins: [stackImports],
  });
  const text = result.outputFiles.find((f) => f.path.endsWith(".mjs"))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))!.text;
  const code = shared ? relink(text, path.dirname(outfile), shared) : text;
  return { file: outfile, code, map, stacks, ...graph(root, result.metafile) };
}

/**
 * esbuild writes an import of an external file as the path from the bundle
 * to its source (`"../../stacks/platform.ts"`); the bundle must import the
 * shared module's output instead. Only import and export statements are
 * touched, and only whole quoted paths, so positions on other lines keep
 * their source map.
 */
function relink(code: string, outdir: string, shared: ReadonlyMap<string, string>): string {
  const bySpecifier = new Map<string, string>();
  for (const [source, url] of shared) {
    const relative = path.relative(outdir, source).split(path.sep).join("/");
    bySpecifier.set(JSON.stringify(relative.startsWith(".") ? relative : `./${relative}`), JSON.stringify(url));
  }
  return code.replace(/^(?:import|export)\b[^\n]*?("(?:[^"\\\n]|\\.)*");?$/gm, (line, specifier: string) => {
    const url = bySpecifier.get(specifier);
    return url === undefined
      ? line
      : line.slice(0, line.length - (line.endsWith(";") ? 1 : 0) - specifier.length) + url + (line.endsWith(";") ? ";" : "");
  });
}

/**
 * The modules the stacks share, each an entry of one build with code
 * splitting, so that what they import from each other is one instance too.
 * Undefined when they cannot be bundled apart (two of them would be written
 * to the same file, say): the caller makes one bundle instead.
 */
async function bundleShared(
  root: string,
  modules: readonly string[],
  outdir: string,
): Promise<{ urls: Map<string, string>; written: BundleFile[]; inputs: readonly string[]; imported: readonly string[] } | undefined> {
  if (modules.length === 0) return { urls: new Map(), written: [], inputs: [], imported: [] };
  let result: Awaited<ReturnType<typeof run>>;
  try {
    result = await run(root, {
      ...options(root),
      entryPoints: modules.map((file) => path.resolve(root, file)),
      outdir,
      outbase: root,
      splitting: true,
      entryNames: "[dir]/[name]",
      chunkNames: "chunks/[name]-[hash]",
      outExtension: { ".js": ".mjs" },
      plugins: [stackImports],
    });
  } catch {
    return undefined;
  }
  const urls = new Map<string, string>();
  for (const [output, { entryPoint }] of Object.entries(result.metafile.outputs)) {
    if (entryPoint !== undefined) urls.set(path.resolve(root, entryPoint), pathToFileURL(path.resolve(root, output)).href);
  }
  if (modules.some((file) => !urls.has(path.resolve(root, file)))) return undefined;
  const written: BundleFile[] = [];
  for (const output of result.outputFiles) {
    fs.mkdirSync(path.dirname(output.path), { recursive: true });
    fs.writeFileSync(output.path, output.contents);
    if (output.path.endsWith(".mjs")) {
      const map = result.outputFiles.find((f) => f.path === `${output.path}.map`);
      if (map) written.push({ file: output.path, map: map.text });
    }
  }
  return { urls, written, ...graph(root, result.metafile) };
}

function writeBundle(built: Built): void {
  fs.writeFileSync(built.file, built.code);
}

function options(root: string) {
  return {
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "external",
    sourcesContent: false,
    metafile: true,
    // import.meta.url is the bundle's path in the cache dir: a stack that
    // reads it gets an error from the sandbox (see stack-sandbox.ts).
    define: { "import.meta": `globalThis.${IMPORT_META}` },
    logLevel: "silent",
  } satisfies BuildOptions;
}

/** Runs esbuild; a problem in the stacks (a syntax error, a forbidden import) becomes an error naming its line. */
async function run(root: string, buildOptions: BuildOptions & { write: false; metafile: true }) {
  try {
    return await build(buildOptions);
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (!messages) throw error;
    throw new SluiceError(
      "A stack does not parse or imports what it may not; nothing was written.",
      messages.map((m) => buildProblem(root, m)),
    );
  }
}

/** The files a build was made of and those another of them imports, relative to the root and sorted. */
function graph(root: string, metafile: Metafile): { inputs: string[]; imported: string[] } {
  const relative = (input: string) => relativeTo(root, path.resolve(root, input));
  const bundled = Object.entries(metafile.inputs).filter(([input]) => !input.startsWith("<") && input !== ENTRY_NAME);
  return {
    inputs: bundled.map(([input]) => relative(input)).sort(),
    imported: [...new Set(bundled.flatMap(([, { imports }]) => imports.filter((i) => !i.external).map((i) => relative(i.path))))].sort(),
  };
}

function inPackage(file: string): boolean {
  return file.split(/[\\/]/).includes("node_modules");
}

const stackImports: Plugin = {
  name: "sluice-stack-imports",
  setup(b) {
    b.onResolve({ filter: /^sluice$/ }, () => ({ path: SLUICE_ENTRY, external: true }));
    b.onResolve({ filter: /^sluice\/sdk$/ }, () => ({ path: SDK_ENTRY, external: true }));
    b.onResolve({ filter: /^sluice\/blueprints$/ }, () => ({ path: BLUEPRINTS_ENTRY, external: true }));
    b.onResolve({ filter: IO_MODULES }, (args) => ({
      errors: [
        {
          text: `stacks may not import ${JSON.stringify(args.path)}: they declare, and their output may depend only on files sluice can see; import data instead, e.g. \`import prices from "./prices.json"\``,
        },
      ],
    }));
  },
};

function buildProblem(root: string, message: Message): Diagnostic {
  const location = message.location;
  const forbidden = message.text.startsWith("stacks may not import");
  return {
    code: forbidden ? "load/forbidden-import" : "load/syntax",
    message: message.text,
    ...(location
      ? { origin: { file: relativeTo(root, path.resolve(root, location.file)), line: location.line, column: location.column + 1 } }
      : {}),
    hint: forbidden ? "remove the import" : "fix the syntax at this line",
  };
}

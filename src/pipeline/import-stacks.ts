import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Message, type Plugin } from "esbuild";
import { scratchDir } from "../cache/cache-dir.js";
import { stackFrames } from "../dsl/call-site.js";
import { SluiceError } from "../errors.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { relativeTo } from "./discover.js";
import { BundlePositions, type UserSite } from "./stack-positions.js";
import { IMPORT_META, inStackSandbox, SANDBOX_REASON, type SandboxEvent } from "./stack-sandbox.js";

// The running sluice. Stacks import "sluice" and must get this very module
// graph — its TypeScript source under tests, its compiled JavaScript from the
// CLI — not a second copy.
const RUNNING_AS_SOURCE = import.meta.url.endsWith(".ts");
const SLUICE_ENTRY = new URL(RUNNING_AS_SOURCE ? "../index.ts" : "../index.js", import.meta.url).href;

// Modules that reach outside the stacks: the file system, the network, other
// processes, the machine. Stacks declare; what they need comes in through
// imports esbuild can see (e.g. `import x from "./x.json"`), which is also
// what sluice's caches are keyed by.
const IO_MODULES =
  /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|dns|dns\/promises|os|worker_threads|cluster|vm|v8|inspector|readline|readline\/promises|tls|crypto|perf_hooks|module|process|repl)$/;

export interface ImportedStacks {
  /** The values each stack file exports, in file order, then export-name order. */
  readonly exported: unknown[];
  /** Every file the bundle was made of, relative to the root, sorted (sluice itself excluded). */
  readonly inputs: readonly string[];
  /** The inputs that another input imports (relative, sorted): a change to one of them reaches its importers. */
  readonly imported: readonly string[];
  /** Maps call sites recorded while the stacks ran back to the files the user wrote. */
  readonly positions: BundlePositions;
  /** Environment variables the stacks read, for load to check against the platform's stackEnv. */
  readonly envReads: readonly SandboxEvent[];
}

let tsxRegistered = false;

/**
 * Bundles every stack file into one ES module with esbuild and imports it
 * once, in the stack sandbox. Importing 500 stack files one by one through a
 * loader took 1.5 s; one bundle takes 0.3 s. The bundle is written under the
 * cache dir (a temp dir without one) for the import and removed right after.
 */
export async function importStacks(root: string, files: readonly string[]): Promise<ImportedStacks> {
  // The real path: Node imports a module by its real path, and call sites
  // are matched against this name (node_modules may be a symlink).
  const bundleFile = path.join(fs.realpathSync(scratchDir(root)), `stacks-${process.pid}-${randomBytes(4).toString("hex")}.mjs`);
  const entry = files.map((file, i) => `export * as s${i} from ${JSON.stringify(`./${file}`)};`).join("\n");
  let code: string;
  let map: string;
  let inputs: string[];
  let imported: string[];
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: root, sourcefile: "sluice-stacks-entry.js", loader: "js" },
      absWorkingDir: root,
      outfile: bundleFile,
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
      plugins: [stackImports],
    });
    code = result.outputFiles.find((f) => f.path.endsWith(".mjs"))!.text;
    map = result.outputFiles.find((f) => f.path.endsWith(".map"))!.text;
    const relative = (input: string) => relativeTo(root, path.resolve(root, input));
    const bundled = Object.entries(result.metafile.inputs).filter(([input]) => !input.startsWith("<") && input !== "sluice-stacks-entry.js");
    inputs = bundled.map(([input]) => relative(input)).sort();
    imported = [...new Set(bundled.flatMap(([, { imports }]) => imports.filter((i) => !i.external).map((i) => relative(i.path))))].sort();
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (!messages) throw error;
    throw new SluiceError("A stack does not parse or imports what it may not; nothing was written.", messages.map((m) => buildProblem(root, m)));
  }

  const positions = new BundlePositions(bundleFile, map);
  if (RUNNING_AS_SOURCE && !tsxRegistered) {
    // Under tests sluice itself is TypeScript, which Node cannot import alone.
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  let outcome: Awaited<ReturnType<typeof inStackSandbox<Record<string, Record<string, unknown>>>>>;
  try {
    fs.writeFileSync(bundleFile, code);
    outcome = await inStackSandbox(
      () => import(pathToFileURL(bundleFile).href) as Promise<Record<string, Record<string, unknown>>>,
      (sites) => positions.userFrame(sites) !== undefined,
    );
  } finally {
    fs.rmSync(bundleFile, { force: true });
  }
  const refused = outcome.events.filter((event) => event.kind !== "env");
  if (refused.length > 0) {
    throw new SluiceError("A stack is not reproducible; nothing was written.", refused.map((event) => sandboxProblem(root, event, positions)));
  }
  if ("error" in outcome) {
    throw new SluiceError("A stack failed to load; nothing was written.", [importProblem(root, outcome.error, positions)]);
  }
  const module = outcome.value;
  const exported = files.flatMap((_, i) => {
    const exports = module[`s${i}`] ?? {};
    return Object.keys(exports)
      .sort()
      .map((name) => exports[name]);
  });
  return { exported, inputs, imported, positions, envReads: outcome.events.filter((event) => event.kind === "env") };
}

const stackImports: Plugin = {
  name: "sluice-stack-imports",
  setup(b) {
    b.onResolve({ filter: /^sluice$/ }, () => ({ path: SLUICE_ENTRY, external: true }));
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

function at(root: string, site: UserSite | undefined) {
  return site ? { origin: { file: relativeTo(root, site.absoluteFile), line: site.line, column: site.column } } : {};
}

function sandboxProblem(root: string, event: SandboxEvent, positions: BundlePositions): Diagnostic {
  return {
    code: `load/${event.kind}`,
    message: `the stack uses ${event.what}, so it ${SANDBOX_REASON[event.kind]}: its output would change from run to run and \`synth --check\` would call it stale`,
    ...at(root, positions.userFrame(event.sites)),
    hint: "write the value into the stack instead (a date, a seed, a name), so the same stacks always give the same env repo",
  };
}

/** A stack that threw while being imported: point at the innermost frame in the user's code. */
function importProblem(root: string, error: unknown, positions: BundlePositions): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const frame = positions.userFrame(stackFrames(stack));
  if (frame) {
    return {
      code: "load/threw",
      message: `the stack threw while loading: ${message.split("\n")[0]}`,
      ...at(root, frame),
      hint: "stacks should only declare; fix the expression at this line",
    };
  }
  return { code: "load/threw", message: `a stack threw while loading: ${stack || message}` };
}

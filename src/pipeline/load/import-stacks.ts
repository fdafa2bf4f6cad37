import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { stop } from "esbuild";
import { scratchDir } from "../../cache/cache-dir.js";
import { stackFrames } from "../../dsl/call-site.js";
import { SluiceError } from "../../errors.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { relativeTo } from "./discover.js";
import { BundlePositions, type UserSite } from "../../locate/index.js";
import { RUNNING_AS_SOURCE } from "../../bundled.js";
import { BUNDLE_BYTES, bundleStacks, type BundledStacks } from "./stack-bundles.js";
import { inStackSandbox, SANDBOX_REASON, type SandboxEvent } from "./stack-sandbox.js";

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
 * Bundles the stack files with esbuild (see stack-bundles.ts) and imports the
 * bundles in the stack sandbox. Importing 500 stack files one by one through
 * a loader took 1.5 s; one bundle takes 0.3 s. The bundles are written to a
 * directory of this run under the cache dir (a temp dir without one) for the
 * import and removed right after.
 */
export async function importStacks(root: string, files: readonly string[], bundleBytes = BUNDLE_BYTES): Promise<ImportedStacks> {
  // The real path: Node imports a module by its real path, and call sites
  // are matched against this name (node_modules may be a symlink).
  const dir = path.join(fs.realpathSync(scratchDir(root)), `stacks-${process.pid}-${randomBytes(4).toString("hex")}`);
  fs.mkdirSync(dir);
  try {
    const bundled = await withEsbuild(() => bundleStacks(root, files, dir, bundleBytes));
    const outcome = await importBundles(bundled);
    // A module bundled in parts that does not link or run where one bundle
    // would (a CommonJS module the parts share, say): one bundle decides.
    if ("error" in outcome && bundled.bundles.length > 1) {
      const whole = await withEsbuild(() => bundleStacks(root, files, path.join(dir, "whole"), Infinity, Infinity));
      return imported(root, files, whole, await importBundles(whole));
    }
    return imported(root, files, bundled, outcome);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Namespace = Record<string, Record<string, unknown>>;

async function importBundles(bundled: BundledStacks) {
  if (RUNNING_AS_SOURCE && !tsxRegistered) {
    // Under tests sluice itself is TypeScript, which Node cannot import alone.
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  const positions = new BundlePositions(bundled.written);
  const outcome = await inStackSandbox(
    async () => {
      const modules: Namespace[] = [];
      for (const { file } of bundled.bundles) modules.push((await import(pathToFileURL(file).href)) as Namespace);
      return modules;
    },
    (sites) => positions.userFrame(sites) !== undefined,
  );
  return Object.assign(outcome, { positions });
}

function imported(
  root: string,
  files: readonly string[],
  bundled: BundledStacks,
  outcome: Awaited<ReturnType<typeof importBundles>>,
): ImportedStacks {
  const { positions } = outcome;
  const refused = outcome.events.filter((event) => event.kind !== "env");
  if (refused.length > 0) {
    throw new SluiceError(
      "A stack is not reproducible; nothing was written.",
      refused.map((event) => sandboxProblem(root, event, positions)),
    );
  }
  if ("error" in outcome) {
    throw new SluiceError("A stack failed to load; nothing was written.", [importProblem(root, outcome.error, positions)]);
  }
  const namespace = Object.assign({}, ...outcome.value) as Namespace;
  const exported = files.flatMap((_, i) => {
    const exports = namespace[`s${i}`] ?? {};
    return Object.keys(exports)
      .sort()
      .map((name) => exports[name]);
  });
  return {
    exported,
    inputs: bundled.inputs,
    imported: bundled.imported,
    positions,
    envReads: outcome.events.filter((event) => event.kind === "env"),
  };
}

// esbuild's service is a process of its own that keeps the memory of its
// largest build (1.5 GB for 5,000 large stacks) until it is stopped; it is
// stopped once no load needs it, and starts again on the next build.
let building = 0;

async function withEsbuild<T>(work: () => Promise<T>): Promise<T> {
  building++;
  try {
    return await work();
  } finally {
    if (--building === 0) await stop();
  }
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

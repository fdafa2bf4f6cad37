import type { Origin } from "./origin.js";

/** The object a generated file holds, for reports that point back at the stacks. */
export interface PlannedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly origin: Origin;
}

/** A file of the plan; inside synth its bytes may still be unrendered (see LazyPlan). */
export interface PlanEntry {
  /** Path inside out/, with forward slashes. */
  readonly path: string;
  readonly content?: string;
  readonly sha256: string;
  /** The stack files that shaped this file. */
  readonly sources: readonly string[];
  readonly objects: readonly PlannedObject[];
}

export interface PlannedFile extends PlanEntry {
  readonly content: string;
}

/**
 * The whole env repo as a value: every file sluice generates, sorted by path,
 * the lock among them. Writing, checking and diffing are separate consumers.
 */
export interface FilePlan {
  readonly files: readonly PlannedFile[];
  readonly lock: Lock;
}

export const LOCK_PATH = ".sluice/lock.json";

/**
 * out/.sluice/lock.json: which files sluice generated and the stacks they came
 * from. Synth deletes only files listed here and refuses to touch any file
 * that is not. It holds no hashes and no lines on purpose: a release bump or a
 * comment in a stack must not change it, so that pull requests that change
 * different apps never conflict here. One file per line, for the same reason.
 */
export interface Lock {
  readonly lockVersion: 2;
  readonly files: Readonly<Record<string, { readonly sources: readonly string[] }>>;
}

/**
 * The lock as it is written to out/: the one serialisation emit and write
 * share. The fleet's files come first, then each app's files together (its
 * manifests and its Applications), so that pull requests adding two apps
 * insert lines in two places rather than next to the same line.
 */
export function lockText(lock: Lock): string {
  const order = (path: string) => {
    const app = /^apps\/([^/]+)\//.exec(path)?.[1] ?? /^clusters\/[^/]+\/apps\/([^/]+)\.yaml$/.exec(path)?.[1];
    return app === undefined || app === "kustomization" ? `0\0${path}` : `1\0${app}\0${path}`;
  };
  const entries = Object.keys(lock.files)
    .map((path) => [order(path), path] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, path]) => `    ${JSON.stringify(path)}: ${JSON.stringify({ sources: lock.files[path]!.sources })}`);
  return `{\n  "lockVersion": 2,\n  "files": {\n${entries.join(",\n")}\n  }\n}\n`;
}

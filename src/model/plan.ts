import type { Origin } from "./origin.js";

/** The object a generated file holds, for reports that point back at the stacks. */
export interface PlannedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly origin: Origin;
}

export interface PlannedFile {
  /** Path inside out/, with forward slashes. */
  readonly path: string;
  readonly content: string;
  readonly sha256: string;
  /** The stack files that shaped this file. */
  readonly sources: readonly string[];
  readonly objects: readonly PlannedObject[];
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
 * out/.sluice/lock.json: which files sluice generated, their hashes and the
 * stacks they came from. Synth deletes only files listed here and refuses to
 * touch any file that is not. Lines are left out on purpose: a comment added
 * to a stack must not change the env repo.
 */
export interface Lock {
  readonly lockVersion: 1;
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly sources: readonly string[] }>>;
}

/** The lock as it is written to out/: the one serialisation emit and write share. */
export function lockText(lock: Lock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

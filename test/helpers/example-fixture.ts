import { inject } from "vitest";
import { copyProject, type Project } from "./project.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Root of the example project synthesized once for the whole run (see example-setup.ts). */
    exampleProject: string;
  }
}

/**
 * GIVEN the example stacks with their out/ synthesized (type-check included):
 * a fresh copy of the project the run's global setup synthesized once, so
 * that no test file pays for its own cold synth of the same stacks. The copy
 * holds the stacks, out/ and CODEOWNERS, and with `caches` also the local
 * caches that synth left (node_modules/.cache/sluice): the state after one
 * synth of these stacks in the copy, as tests about caches start from.
 */
export function synthesizedExample(options: { readonly caches?: boolean } = {}): Project {
  const dirs = ["stacks", "out", "CODEOWNERS", ...(options.caches ? ["node_modules/.cache/sluice"] : [])];
  return copyProject({ root: inject("exampleProject") } as Project, dirs);
}

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
 * holds the stacks, out/ and CODEOWNERS, none of the caches: a test about
 * caches builds its own project.
 */
export function synthesizedExample(): Project {
  return copyProject({ root: inject("exampleProject") } as Project);
}

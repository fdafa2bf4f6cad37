import { createRequire } from "node:module";
import type * as Esbuild from "esbuild";

let library: typeof Esbuild | undefined;

/** esbuild, loaded when stacks are first bundled: a run whose stacks all come from the load cache never needs it. */
export function esbuildLibrary(): typeof Esbuild {
  library ??= createRequire(import.meta.url)("esbuild") as typeof Esbuild;
  return library;
}

import fs from "node:fs";

/**
 * The admission forms of the built-in rules that compiled when sluice was
 * built (scripts/build.mjs writes built-in-compiled.json beside this file,
 * with compile-built-ins.ts): they are sluice's own code, so a run need not
 * load the second CEL implementation to compile them again. Their literals are keyed by type, so
 * the platform's registries and labels do not matter; a platform whose
 * settings type differently is compiled at run time like its own rules.
 */
let known: ReadonlySet<string> | undefined;

export function builtInCompiled(): ReadonlySet<string> {
  if (!known) {
    try {
      known = new Set(JSON.parse(fs.readFileSync(new URL("./built-in-compiled.json", import.meta.url), "utf8")) as string[]);
    } catch {
      known = new Set();
    }
  }
  return known;
}

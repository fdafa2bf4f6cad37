import fs from "node:fs";
import type { Rule } from "./rule.js";
import { admissionFormKey, admissionCompileProblem } from "./agreement.js";
import type { PolicyContext } from "./rule.js";

/**
 * The admission forms of the built-in rules that compiled when sluice was
 * built (scripts/build.mjs writes built-in-compiled.json beside this file):
 * they are sluice's own code, so a run need not load the second CEL
 * implementation to compile them again. Their literals are keyed by type, so
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

// Settings that give each literal variable of the built-in rules each type it can have (an empty list is list(dyn)).
const CONTEXTS: readonly PolicyContext[] = [
  { registries: [], requiredLabels: [], clusterResources: {} },
  { registries: ["registry.example.com/"], requiredLabels: ["app.kubernetes.io/name"], clusterResources: {} },
];

/** Compiles the built-in rules' admission forms; returns their keys, or throws naming the rule that does not compile. */
export function compileBuiltIns(rules: readonly Rule[]): string[] {
  const keys = new Set<string>();
  for (const rule of rules) {
    if (rule.on !== "object" && rule.on !== "pod" && rule.on !== "container") continue;
    for (const context of CONTEXTS) {
      const problem = admissionCompileProblem(rule, context, { builtIn: false });
      if (problem) throw new Error(`built-in rule ${rule.id} cannot be exported to admission as written: ${problem}`);
      const key = admissionFormKey(rule, context);
      if (key) keys.add(key);
    }
  }
  return [...keys].sort();
}

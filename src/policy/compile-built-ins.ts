import { admissionFormKey, admissionCompileProblem } from "./agreement.js";
import type { PolicyContext, Rule } from "../model/rule.js";

/**
 * Run by scripts/build.mjs, which writes the keys to built-in-compiled.json
 * (read by built-in-compiled.ts at run time). Its own module because it
 * compiles through agreement.ts, which reads that file.
 */

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

import type { KubernetesObject } from "../k8s/object.js";
import { admission, type AdmissionRequest } from "./admission-eval.js";
import { AdmissionCompileError, compilePolicy } from "./admission-cel.js";
import { AdmissionCompileCache } from "./admission-compile-cache.js";
import { admissionObjects, admissionRule, type AdmissionRule } from "./admission.js";
import type { SchemaResolver } from "./cel-types.js";
import { celFailures } from "./evaluate.js";
import { objectTypes } from "./kind-schemas.js";
import type { CelRule, PolicyContext } from "./rule.js";

/**
 * Whether the API server can compile a rule's admission form: its variables
 * and its validation, with the Kubernetes declarations, checked against the
 * schemas of the kinds it matches. Returns why not, or undefined. With a
 * cache, a form that compiled before is not compiled again.
 */
export function admissionCompileProblem(rule: CelRule, context: PolicyContext, options: { readonly resolve?: SchemaResolver; readonly cache?: AdmissionCompileCache } = {}): string | undefined {
  const exported = admissionRule(rule, { context });
  const key = options.cache && !options.resolve ? AdmissionCompileCache.key([exported.variables, exported.expression, rule.kinds ?? []]) : undefined;
  if (key && options.cache!.has(key)) return undefined;
  const problem = compileProblem(exported, rule, options.resolve);
  if (key && !problem) options.cache!.add(key);
  return problem;
}

function compileProblem(exported: AdmissionRule, rule: CelRule, resolve?: SchemaResolver): string | undefined {
  try {
    compilePolicy({ variables: exported.variables, conditions: [exported.expression] }, objectTypes(rule.kinds ?? [], resolve));
    return undefined;
  } catch (error) {
    if (error instanceof AdmissionCompileError) return error.message;
    throw error;
  }
}

/**
 * Where sluice's two CEL evaluators disagree on a rule for one object: the
 * pre-merge check (@marcbachmann/cel-js, what `sluice check` runs) against
 * the emitted admission policy evaluated by @bufbuild/cel with RE2 (what the
 * API server would do). Returns the disagreement, or undefined when both
 * refuse the object or both let it pass.
 */
export function disagreement(rule: CelRule, object: KubernetesObject, context: PolicyContext, request?: AdmissionRequest): string | undefined {
  const preMerge = celFailures(rule, object, { context });
  const verdict = admission(admissionObjects(admissionRule(rule, { context }), "kubernetes", "error"), object, request);
  const refused = verdict === "denied" || verdict === "warned";
  if (refused === preMerge.length > 0) return undefined;
  const what = `${object.kind} ${object.metadata.name}`;
  return preMerge.length > 0
    ? `sluice check refuses ${what} (${preMerge[0]!.message}), but admission (@bufbuild/cel with RE2) ${verdict === "ignored" ? "does not match it" : "admits it"}`
    : `sluice check lets ${what} pass, but admission (@bufbuild/cel with RE2) ${verdict === "denied" ? "denies" : "warns about"} it`;
}

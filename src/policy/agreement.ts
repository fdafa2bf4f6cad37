import type { CustomResources } from "../k8s/kinds.js";
import type { KubernetesObject } from "../k8s/object.js";
import { workloadTable } from "../k8s/workloads.js";
import { admission, type AdmissionRequest } from "./admission-eval.js";
import { AdmissionCompileError, compilePolicy } from "./admission-cel.js";
import { AdmissionCompileCache } from "./admission-compile-cache.js";
import { admissionObjects, admissionRule, type AdmissionRule } from "./admission.js";
import { builtInCompiled } from "./built-in-compiled.js";
import { literalType, typeName, type SchemaResolver } from "./cel-types.js";
import { celFailures } from "./evaluate.js";
import { objectTypes } from "./kind-schemas.js";
import type { CelRule, PolicyContext } from "../model/rule.js";

/**
 * Whether the API server can compile a rule's admission form: its variables
 * and its validation, with the Kubernetes declarations, checked against the
 * schemas of the kinds it matches. Returns why not, or undefined. With a
 * cache, a form that compiled before is not compiled again.
 */
export function admissionCompileProblem(
  rule: CelRule,
  context: PolicyContext,
  options: {
    readonly resolve?: SchemaResolver;
    readonly cache?: AdmissionCompileCache;
    readonly builtIn?: boolean;
    readonly customResources?: CustomResources;
  } = {},
): string | undefined {
  const key = options.resolve ? undefined : admissionFormKey(rule, context, options.customResources);
  if (key && ((options.builtIn !== false && builtInCompiled().has(key)) || options.cache?.has(key))) return undefined;
  const problem = compileProblem(admissionRule(rule, { context }, options.customResources), rule, options.resolve);
  if (key && !problem) options.cache?.add(key);
  return problem;
}

/**
 * What decides whether a rule's admission form compiles, as a hash: the
 * expressions, the kinds, and its literal variables by type (their values
 * cannot change the outcome). Undefined when a literal mixes types: that
 * form is always compiled, and reported.
 */
export function admissionFormKey(rule: CelRule, context: PolicyContext, customResources?: CustomResources): string | undefined {
  const values = rule.variables?.(context) ?? {};
  let literals: [string, string][];
  try {
    literals = Object.keys(values)
      .sort()
      .map((name) => [name, typeName(literalType(values[name]))]);
  } catch {
    return undefined;
  }
  const exported = admissionRule(rule, { context }, customResources);
  return AdmissionCompileCache.key([
    literals,
    exported.variables.slice(literals.length),
    exported.expression,
    rule.kinds ?? [],
    ...(exported.conditions ? [exported.conditions] : []),
  ]);
}

function compileProblem(exported: AdmissionRule, rule: CelRule, resolve?: SchemaResolver): string | undefined {
  try {
    compilePolicy(
      { variables: exported.variables, conditions: [exported.expression, ...(exported.conditions ?? []).map((c) => c.expression)] },
      objectTypes(rule.kinds ?? [], resolve),
    );
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
export function disagreement(
  rule: CelRule,
  object: KubernetesObject,
  context: PolicyContext,
  request?: AdmissionRequest,
  customResources: CustomResources = {},
): string | undefined {
  const preMerge = celFailures(rule, object, { context, workloads: workloadTable(customResources) });
  const verdict = admission(
    admissionObjects(admissionRule(rule, { context }, customResources), "kubernetes", "error"),
    object,
    request,
    customResources,
  );
  const refused = verdict === "denied" || verdict === "warned";
  if (refused === preMerge.length > 0) return undefined;
  const what = `${object.kind} ${object.metadata.name}`;
  return preMerge.length > 0
    ? `sluice check refuses ${what} (${preMerge[0]!.message}), but admission (@bufbuild/cel with RE2) ${verdict === "ignored" ? "does not match it" : "admits it"}`
    : `sluice check lets ${what} pass, but admission (@bufbuild/cel with RE2) ${verdict === "denied" ? "denies" : "warns about"} it`;
}

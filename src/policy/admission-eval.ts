import { pluralOf } from "../k8s/kinds.js";
import { apiGroup, type KubernetesObject } from "../k8s/object.js";
import { compileCel } from "./cel.js";

/** The parts of an emitted ValidatingAdmissionPolicy (or Kyverno ValidatingPolicy) spec that decide an admission. */
export interface AdmissionSpec {
  readonly matchConstraints: { readonly resourceRules: readonly { readonly apiGroups: readonly string[]; readonly resources: readonly string[] }[] };
  readonly matchConditions?: readonly { readonly expression: string }[];
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  readonly validations: readonly { readonly expression: string }[];
}

/**
 * What the API server would do with `object` under an emitted policy, with the
 * same CEL evaluator sluice checks with: "ignored" when the policy does not
 * match the object's kind or a match condition excludes it, "admitted" when
 * every validation is true, "denied" otherwise — an expression that fails to
 * evaluate denies, as failurePolicy Fail does.
 */
export function admission(spec: AdmissionSpec, object: KubernetesObject): "ignored" | "admitted" | "denied" {
  const group = apiGroup(object.apiVersion);
  const resource = pluralOf(group, object.kind, {});
  if (resource === undefined) return "ignored";
  const matches = spec.matchConstraints.resourceRules.some((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource));
  if (!matches) return "ignored";
  try {
    for (const condition of spec.matchConditions ?? []) if (compileCel(condition.expression)({ object }) !== true) return "ignored";
  } catch {
    return "denied";
  }
  try {
    const variables: Record<string, unknown> = {};
    for (const variable of spec.variables ?? []) variables[variable.name] = compileCel(variable.expression)({ object, variables });
    return spec.validations.every((validation) => compileCel(validation.expression)({ object, variables }) === true) ? "admitted" : "denied";
  } catch {
    return "denied";
  }
}

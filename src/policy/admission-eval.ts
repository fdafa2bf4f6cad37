import { pluralOf, type CustomResources } from "../k8s/kinds.js";
import { workloadOf } from "../k8s/workloads.js";
import { apiGroup, type KubernetesObject } from "../k8s/object.js";
import { celInput, evaluateAdmission } from "./admission-cel.js";
import { decoded } from "./decoded.js";

/** The parts of an emitted ValidatingAdmissionPolicy (or Kyverno ValidatingPolicy) spec that decide an admission. */
export interface AdmissionSpec {
  readonly matchConstraints: { readonly resourceRules: readonly ResourceRuleSpec[] };
  readonly matchConditions?: readonly { readonly expression: string }[];
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  readonly validations: readonly { readonly expression: string }[];
  /** Kyverno's ValidatingPolicy says what a failure does itself; a ValidatingAdmissionPolicy's bindings do. */
  readonly validationActions?: readonly string[];
}

interface ResourceRuleSpec {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly operations?: readonly string[];
}

/** The request being admitted: a CREATE unless said otherwise; `subResource` for `kubectl debug` ("ephemeralcontainers"). */
export interface AdmissionRequest {
  readonly operation?: "CREATE" | "UPDATE";
  /** The namespace in the request's URL; default: the object's, else "default". */
  readonly namespace?: string;
  readonly subResource?: string;
}

/**
 * What the API server would do with a request for `object` under one rule's
 * emitted policy objects (a ValidatingAdmissionPolicy and its bindings, or
 * Kyverno ValidatingPolicies), evaluated by sluice's second CEL
 * implementation (admission-cel.ts), not the one `sluice check` uses:
 * "ignored" when nothing matches the request or a match condition excludes
 * it; otherwise "admitted" when every validation holds, else the strongest
 * action of what matched: "denied" (Deny) or "warned" (Warn). An expression
 * that fails to evaluate fails, as failurePolicy Fail does.
 */
export function admission(
  policyObjects: readonly KubernetesObject[],
  object: KubernetesObject,
  request: AdmissionRequest = {},
  customResources: CustomResources = {},
): "ignored" | "admitted" | "warned" | "denied" {
  const judges: { spec: AdmissionSpec; actions: readonly string[]; narrowed?: readonly ResourceRuleSpec[] }[] = [];
  for (const policy of policyObjects) {
    const spec = (policy as unknown as { spec: AdmissionSpec }).spec;
    if (policy.kind === "ValidatingPolicy") judges.push({ spec, actions: spec.validationActions ?? [] });
    if (policy.kind !== "ValidatingAdmissionPolicy") continue;
    for (const binding of policyObjects) {
      const bound = (
        binding as unknown as {
          spec: { policyName: string; validationActions: string[]; matchResources?: { resourceRules?: ResourceRuleSpec[] } };
        }
      ).spec;
      if (binding.kind !== "ValidatingAdmissionPolicyBinding" || bound.policyName !== policy.metadata.name) continue;
      judges.push({
        spec,
        actions: bound.validationActions,
        ...(bound.matchResources?.resourceRules ? { narrowed: bound.matchResources.resourceRules } : {}),
      });
    }
  }
  let verdict: "ignored" | "admitted" | "warned" | "denied" = "ignored";
  const rank = { ignored: 0, admitted: 1, warned: 2, denied: 3 } as const;
  for (const judge of judges) {
    const result = judgeOne(judge.spec, judge.actions, judge.narrowed, object, request, customResources);
    if (rank[result] > rank[verdict]) verdict = result;
  }
  return verdict;
}

function judgeOne(
  spec: AdmissionSpec,
  actions: readonly string[],
  narrowed: readonly ResourceRuleSpec[] | undefined,
  object: KubernetesObject,
  request: AdmissionRequest,
  customResources: CustomResources,
) {
  const operation = request.operation ?? "CREATE";
  const group = apiGroup(object.apiVersion);
  const plural = pluralOf(group, object.kind, customResources) ?? workloadOf(object)?.plural;
  if (plural === undefined) return "ignored";
  const resource = `${plural}${request.subResource ? `/${request.subResource}` : ""}`;
  const matches = (rules: readonly ResourceRuleSpec[]) =>
    rules.some(
      (rule) =>
        rule.apiGroups.includes(group) &&
        rule.resources.includes(resource) &&
        (rule.operations ?? ["*"]).some((op) => op === "*" || op === operation),
    );
  if (!matches(spec.matchConstraints.resourceRules) || (narrowed && !matches(narrowed))) return "ignored";
  const failed = actions.includes("Deny") ? "denied" : actions.includes("Warn") ? "warned" : "admitted";
  const bindings: Record<string, unknown> = {
    object: celInput(decoded(object)),
    oldObject: null,
    request: celInput({
      operation,
      ...(request.subResource ? { subResource: request.subResource } : {}),
      kind: { group, version: object.apiVersion.split("/").at(-1), kind: object.kind },
      name: object.metadata.name,
      namespace: request.namespace ?? object.metadata.namespace ?? "default",
      userInfo: { username: "sluice-check" },
    }),
    namespaceObject: { metadata: { name: request.namespace ?? object.metadata.namespace ?? "default" } },
  };
  for (const condition of spec.matchConditions ?? []) {
    const result = evaluateAdmission(condition.expression, bindings);
    if (!result.ok) return failed;
    if (result.value !== true) return "ignored";
  }
  // The API server evaluates variables lazily: one that fails fails only the expressions that read it.
  const variables: Record<string, unknown> = {};
  const broken: string[] = [];
  for (const variable of spec.variables ?? []) {
    const result = evaluateAdmission(variable.expression, { ...bindings, variables });
    if (result.ok) variables[variable.name] = result.value;
    else broken.push(variable.name);
  }
  for (const validation of spec.validations) {
    if (broken.some((name) => validation.expression.includes(`variables.${name}`))) return failed;
    const result = evaluateAdmission(validation.expression, { ...bindings, variables });
    if (!result.ok || result.value !== true) return failed;
  }
  return "admitted";
}

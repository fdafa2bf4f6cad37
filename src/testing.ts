/**
 * sluice/testing: unit-test your own rules the way sluice runs them.
 *
 *   import { checkRule } from "sluice/testing";
 *   expect(checkRule(costCenter, deployment).violations).toEqual([...]);
 *
 * A CEL rule is run twice: as `sluice check` runs it before merge, and as
 * the admission policy sluice exports from it, so a test also proves the
 * cluster would refuse exactly what review refused.
 */
import type { KubernetesObject } from "./k8s/object.js";
import { admission } from "./policy/admission-eval.js";
import { admissionRule } from "./policy/admission.js";
import { celFailures } from "./policy/evaluate.js";
import { formatPath } from "./model/origin.js";
import type { CelRule, FleetInput, FleetRule, FleetViolation, InstanceInput, InstanceRule, PolicyContext, Violation } from "./policy/rule.js";
import { DEFAULT_REQUIRED_LABELS } from "./policy/policy.js";

export interface CelRuleResult {
  /** What the rule found before merge, one per failing object or container, with the field to change. */
  readonly violations: readonly { readonly message: string; readonly field: string }[];
  /** What the exported admission policy does with the object. */
  readonly admission: "ignored" | "admitted" | "denied";
}

/** The platform settings a rule reads; defaults are sluice's. */
export function policyContext(context: Partial<PolicyContext> = {}): PolicyContext {
  return { registries: [], requiredLabels: DEFAULT_REQUIRED_LABELS, clusterResources: {}, ...context };
}

/** Runs a CEL rule on one object, before merge and as admission policy. */
export function checkRule(rule: CelRule, object: KubernetesObject, context?: Partial<PolicyContext>): CelRuleResult;
/** Runs an instance rule on an app instance (its resolved settings and objects). */
export function checkRule(rule: InstanceRule, input: Omit<InstanceInput, "context"> & { readonly context?: Partial<PolicyContext> }): readonly Violation[];
/** Runs a fleet rule on the apps of one cluster. */
export function checkRule(rule: FleetRule, input: FleetInput): readonly FleetViolation[];
export function checkRule(
  rule: CelRule | InstanceRule | FleetRule,
  target: KubernetesObject | (Omit<InstanceInput, "context"> & { readonly context?: Partial<PolicyContext> }) | FleetInput,
  context?: Partial<PolicyContext>,
): CelRuleResult | readonly Violation[] | readonly FleetViolation[] {
  if (rule.on === "instance") {
    const input = target as Omit<InstanceInput, "context"> & { readonly context?: Partial<PolicyContext> };
    return rule.check({ ...input, context: policyContext(input.context) });
  }
  if (rule.on === "fleet") return rule.check(target as FleetInput);
  const object = target as KubernetesObject;
  const policy = { context: policyContext(context) };
  const violations = celFailures(rule, object, policy).map((failure) => ({ message: failure.message, field: formatPath(failure.field) }));
  const exported = admissionRule(rule, policy);
  const spec = {
    matchConstraints: { resourceRules: exported.resourceRules },
    variables: exported.variables,
    validations: [{ expression: exported.expression }],
  };
  return { violations, admission: admission(spec, object) };
}

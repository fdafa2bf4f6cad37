/**
 * sluice/testing: unit-test your own rules the way sluice runs them.
 *
 *   import { checkRule } from "sluice/testing";
 *   expect(checkRule(costCenter, deployment).violations).toEqual([...]);
 *
 * A CEL rule is run twice: as `sluice check` runs it before merge, and as
 * the admission policy sluice exports from it — compiled and evaluated by a
 * second CEL implementation with RE2 regular expressions, as the API server
 * would — so a test also proves the cluster would refuse exactly what
 * review refused. When the two disagree, checkRule throws.
 */
import type { CustomResources } from "./k8s/kinds.js";
import { groupKind, type KubernetesObject } from "./k8s/object.js";
import { KNOWN_CUSTOM_WORKLOADS, workloadTable } from "./k8s/workloads.js";
import { SluiceError } from "./errors.js";
import { admission } from "./policy/admission-eval.js";
import { admissionObjects, admissionRule } from "./policy/admission.js";
import { admissionCompileProblem, disagreement } from "./policy/agreement.js";
import { celFailures } from "./policy/evaluate.js";
import { formatPath } from "./model/origin.js";
import type {
  CelRule,
  FleetInput,
  FleetRule,
  FleetViolation,
  InstanceInput,
  InstanceRule,
  PolicyContext,
  Violation,
} from "./model/rule.js";
import { DEFAULT_REQUIRED_LABELS } from "./policy/policy.js";

export interface CelRuleResult {
  /** What the rule found before merge, one per failing object or container, with the field to change. */
  readonly violations: readonly { readonly message: string; readonly field: string }[];
  /**
   * What the exported admission policy does with the object (created), at
   * severity error: "denied"; "warned" for a bare Pod, which admission only
   * warns about (see the README's Policies).
   */
  readonly admission: "ignored" | "admitted" | "warned" | "denied";
}

/** The platform settings a rule reads; defaults are sluice's. */
export function policyContext(context: Partial<PolicyContext> = {}): PolicyContext {
  return { registries: [], requiredLabels: DEFAULT_REQUIRED_LABELS, clusterResources: {}, ...context };
}

/**
 * Runs a CEL rule on one object, before merge and as admission policy.
 * Throws a SluiceError when the API server could not compile the policy, or
 * when the two evaluations disagree.
 */
export function checkRule(rule: CelRule, object: KubernetesObject, context?: Partial<PolicyContext>): CelRuleResult;
/** Runs an instance rule on an app instance (its resolved settings and objects). */
export function checkRule(
  rule: InstanceRule,
  input: Omit<InstanceInput, "context"> & { readonly context?: Partial<PolicyContext> },
): readonly Violation[];
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
  const policy = { context: policyContext(context), workloads: workloadTable(KNOWN_CUSTOM_RESOURCES) };
  const violations = celFailures(rule, object, policy).map((failure) => ({ message: failure.message, field: formatPath(failure.field) }));
  const problem = admissionCompileProblem(rule, policy.context, { customResources: KNOWN_CUSTOM_RESOURCES });
  if (problem)
    throw new SluiceError(`Rule ${rule.id} does not compile for admission.`, [
      { code: "policy/admission-compile", message: `rule ${rule.id}: ${problem}` },
    ]);
  const disagree = disagreement(rule, object, policy.context, undefined, KNOWN_CUSTOM_RESOURCES);
  if (disagree) {
    throw new SluiceError(`Rule ${rule.id}: the pre-merge check and admission disagree.`, [
      {
        code: "policy/disagreement",
        message: `rule ${rule.id}: ${disagree}`,
        hint: "write the check so that both CEL evaluators agree (see the README's Policies: what each supports)",
      },
    ]);
  }
  return {
    violations,
    admission: admission(
      admissionObjects(admissionRule(rule, policy, KNOWN_CUSTOM_RESOURCES), "kubernetes", "error"),
      object,
      {},
      KNOWN_CUSTOM_RESOURCES,
    ),
  };
}

/** A rule's test judges every workload sluice knows, as on a platform that declares them: an Argo Rollout too. */
const KNOWN_CUSTOM_RESOURCES: CustomResources = Object.fromEntries(
  Object.entries(KNOWN_CUSTOM_WORKLOADS).map(([id, workload]) => {
    const { group, kind } = groupKind(id);
    return [`${group}/v1`, { [kind]: { scope: "Namespaced" as const, ...(workload.plural ? { plural: workload.plural } : {}) } }];
  }),
);

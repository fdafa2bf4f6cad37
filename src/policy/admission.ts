import { platformLabels } from "../k8s/labels.js";
import { pluralOf, type CustomResources } from "../k8s/kinds.js";
import { groupKind, type KubernetesObject } from "../k8s/object.js";
import type { AppModel, ClusterModel, PlatformModel } from "../model/model.js";
import { PLATFORM_PROJECT } from "../model/names.js";
import type { RenderedObject } from "../model/rendered.js";
import { celLiteral } from "./cel.js";
import type { Policy } from "./policy.js";
import { severityOf, type CelRule, type Severity } from "./rule.js";
import { CONTAINERS_CEL, POD_SPEC_CEL, POD_SPEC_PATHS } from "./workloads.js";

const VAP_API = "admissionregistration.k8s.io/v1";
const KYVERNO_API = "policies.kyverno.io/v1";
/** Only objects in the namespaces sluice manages: those of the platform's teams. */
const MANAGED_NAMESPACES = { matchExpressions: [{ key: "sluice.dev/team", operator: "Exists" }] };

/** The object a CEL rule becomes at admission: the name, the policy's variables, its one validation, the kinds it matches. */
export interface AdmissionRule {
  readonly name: string;
  readonly resourceRules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[];
  readonly variables: { name: string; expression: string }[];
  readonly expression: string;
  readonly message: string;
}

/**
 * One CEL rule as admission sees it: the same check, with the pod spec and
 * containers bound as variables (container rules become `all()` over them),
 * the platform's values as CEL literals, and the kinds as API resources.
 */
export function admissionRule(rule: CelRule, policy: Pick<Policy, "context">, customResources: CustomResources = {}): AdmissionRule {
  const literals = Object.entries(rule.variables?.(policy.context) ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, expression: celLiteral(value) }));
  const podVariables =
    rule.on === "object" ? [] : [{ name: "pod", expression: POD_SPEC_CEL }, ...(rule.on === "container" ? [{ name: "containers", expression: CONTAINERS_CEL }] : [])];
  const kinds = rule.on === "object" ? (rule.kinds ?? []) : (rule.kinds ?? Object.keys(POD_SPEC_PATHS)).filter((kind) => Object.hasOwn(POD_SPEC_PATHS, kind));
  return {
    name: `sluice-${rule.id}`,
    resourceRules: resourceRules(kinds, customResources),
    variables: [...literals, ...podVariables],
    expression: rule.on === "container" ? `variables.containers.all(container, ${rule.check})` : rule.check,
    message: rule.message,
  };
}

/**
 * A cluster's admission policies, under clusters/<cluster>/policies/: one
 * file per CEL rule in force on the cluster's environment, as a
 * ValidatingAdmissionPolicy and its binding or a Kyverno ValidatingPolicy,
 * scoped to the teams' namespaces. error → Deny; warn → Warn and Audit.
 * Apps that waive a rule on this cluster are left out by a match condition
 * on their instance label.
 */
export function renderAdmission(
  platform: PlatformModel,
  cluster: ClusterModel,
  policy: Policy,
  apps: readonly AppModel[],
  beforeApps: Readonly<Record<string, string>>,
): RenderedObject[] {
  if (policy.admission === "none") return [];
  const environment = platform.environments.find((e) => e.name === cluster.environment)!;
  const rendered: RenderedObject[] = [];
  for (const rule of policy.rules) {
    if (rule.on !== "object" && rule.on !== "pod" && rule.on !== "container") continue;
    const severity = severityOf(rule, environment, policy.override(rule.id));
    if (severity === "off") continue;
    const exported = admissionRule(rule, policy, platform.customResources);
    const waived = apps.filter((app) => waives(app, rule.id, cluster)).map((app) => app.name);
    const objects = policy.admission === "kyverno" ? [kyvernoPolicy(exported, severity, waived, beforeApps)] : validatingAdmissionPolicy(exported, severity, waived, beforeApps);
    for (const object of objects) {
      rendered.push({ path: `clusters/${cluster.name}/policies/${rule.id}.yaml`, object, origin: platform.origin, sources: [platform.origin.file] });
    }
  }
  return rendered;
}

function waives(app: AppModel, rule: string, cluster: ClusterModel): boolean {
  if (!Object.hasOwn(app.waivers, rule)) return false;
  const { clusters } = app.waivers[rule]!;
  return !clusters || clusters.includes(cluster.name);
}

function actions(severity: Severity): string[] {
  return severity === "error" ? ["Deny"] : ["Warn", "Audit"];
}

/** Objects of apps that waive the rule are not judged by it (by their app.kubernetes.io/instance label). */
function matchConditions(waived: readonly string[]) {
  if (waived.length === 0) return [];
  const list = `[${[...waived].sort().map((app) => celLiteral(app)).join(", ")}]`;
  return [
    {
      name: "not-waived",
      expression: `!(has(object.metadata.labels) && 'app.kubernetes.io/instance' in object.metadata.labels && object.metadata.labels['app.kubernetes.io/instance'] in ${list})`,
    },
  ];
}

function metadata(name: string, beforeApps: Readonly<Record<string, string>>) {
  return { name, labels: platformLabels(name, PLATFORM_PROJECT), ...(Object.keys(beforeApps).length > 0 ? { annotations: { ...beforeApps } } : {}) };
}

function validatingAdmissionPolicy(rule: AdmissionRule, severity: Severity, waived: readonly string[], beforeApps: Readonly<Record<string, string>>): KubernetesObject[] {
  const conditions = matchConditions(waived);
  return [
    {
      apiVersion: VAP_API,
      kind: "ValidatingAdmissionPolicy",
      metadata: metadata(rule.name, beforeApps),
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: rule.resourceRules },
        ...(conditions.length > 0 ? { matchConditions: conditions } : {}),
        ...(rule.variables.length > 0 ? { variables: rule.variables } : {}),
        // admissionregistration.k8s.io/v1 Validation has no fieldPath (only CRD
        // x-kubernetes-validations do): strict field validation refuses the whole policy.
        validations: [{ expression: rule.expression, message: rule.message, reason: "Invalid" }],
      },
    },
    {
      apiVersion: VAP_API,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: metadata(rule.name, beforeApps),
      spec: {
        policyName: rule.name,
        validationActions: actions(severity),
        matchResources: { namespaceSelector: MANAGED_NAMESPACES },
      },
    },
  ];
}

function kyvernoPolicy(rule: AdmissionRule, severity: Severity, waived: readonly string[], beforeApps: Readonly<Record<string, string>>): KubernetesObject {
  const conditions = matchConditions(waived);
  return {
    apiVersion: KYVERNO_API,
    kind: "ValidatingPolicy",
    metadata: metadata(rule.name, beforeApps),
    spec: {
      failurePolicy: "Fail",
      validationActions: actions(severity),
      matchConstraints: { resourceRules: rule.resourceRules, namespaceSelector: MANAGED_NAMESPACES },
      ...(conditions.length > 0 ? { matchConditions: conditions } : {}),
      ...(rule.variables.length > 0 ? { variables: rule.variables } : {}),
      validations: [{ expression: rule.expression, message: rule.message, reason: "Invalid" }],
    },
  };
}

/**
 * "apps/Deployment", "Service" → resource rules by API group, with the kinds'
 * plural resource names (validate-rules refused kinds without a known plural).
 */
function resourceRules(kinds: readonly string[], customResources: CustomResources) {
  const byGroup = new Map<string, Set<string>>();
  for (const written of kinds) {
    const { group, kind } = groupKind(written);
    const plural = pluralOf(group, kind, customResources);
    if (plural === undefined) throw new Error(`no plural for ${written}: validate-rules should have refused it`);
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(plural));
  }
  return [...byGroup]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, resources]) => ({ apiGroups: [group], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: [...resources].sort() }));
}



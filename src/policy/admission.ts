import { onClusterDir } from "../model/hub.js";
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "kubernetes-types/admissionregistration/v1";
import { platformLabels } from "../k8s/labels.js";
import { pluralOf, type CustomResources } from "../k8s/kinds.js";
import { groupKind, type KubernetesObject } from "../k8s/object.js";
import type { AppModel, ClusterModel, PlatformModel } from "../model/model.js";
import { PLATFORM_PROJECT } from "../model/names.js";
import type { RenderedObject } from "../model/rendered.js";
import { celLiteral } from "./cel.js";
import type { KyvernoValidatingPolicy } from "./kyverno-policy.js";
import type { Policy } from "./policy.js";
import type { CelRule, Severity } from "../model/rule.js";
import { severityOf } from "./severity.js";
import { podSpecCel, workloadTable, type WorkloadTable } from "../k8s/workloads.js";
import { CONTAINERS_CEL, POD_CONTAINERS_CEL } from "./workloads.js";

const VAP_API = "admissionregistration.k8s.io/v1";
const KYVERNO_API = "policies.kyverno.io/v1";
/** Only objects in the namespaces sluice manages: those of the platform's teams. */
const MANAGED_NAMESPACES = { matchExpressions: [{ key: "sluice.dev/team", operator: "Exists" }] };

type ResourceRule = { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] };

/** The object a CEL rule becomes at admission: the name, the policy's variables, its one validation, the kinds it matches. */
export interface AdmissionRule {
  readonly name: string;
  /** Everything the policy matches. */
  readonly resourceRules: ResourceRule[];
  /**
   * What it judges with the rule's severity: the kinds sluice checked before
   * merge, and for container rules the ephemeral containers `kubectl debug`
   * adds. Undefined when that is everything it matches.
   */
  readonly judged?: ResourceRule[];
  /** Bare Pods, judged with Warn and Audit only (see renderAdmission); undefined when the rule does not match Pods. */
  readonly pods?: ResourceRule[];
  readonly variables: { name: string; expression: string }[];
  /** Requests it leaves alone whatever the waivers: workloads without a pod spec of their own (a Rollout with a workloadRef). */
  readonly conditions?: { name: string; expression: string }[];
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
  const workloads = workloadTable(customResources);
  const kinds =
    rule.on === "object" ? (rule.kinds ?? []) : (rule.kinds ?? Object.keys(workloads)).filter((kind) => Object.hasOwn(workloads, kind));
  const containers = kinds.includes("Pod") ? POD_CONTAINERS_CEL : CONTAINERS_CEL;
  const podVariables =
    rule.on === "object"
      ? []
      : [
          { name: "pod", expression: podSpecCel(workloads) },
          ...(rule.on === "container" ? [{ name: "containers", expression: containers }] : []),
        ];
  const conditions = rule.on === "object" ? [] : podSpecConditions(kinds, workloads);
  const plural = (kind: string) => (Object.hasOwn(workloads, kind) ? workloads[kind]!.plural : undefined);
  const resourceRules = (matched: readonly string[], custom: CustomResources) => resourceRulesOf(matched, custom, plural);
  const base = {
    name: `sluice-${rule.id}`,
    variables: [...literals, ...podVariables],
    ...(conditions.length > 0 ? { conditions } : {}),
    expression: rule.on === "container" ? `variables.containers.all(container, ${rule.check})` : rule.check,
    message: rule.message,
  };
  if (rule.on === "object" || !kinds.includes("Pod")) return { ...base, resourceRules: resourceRules(kinds, customResources) };
  const ephemeral = rule.on === "container" ? [EPHEMERAL_CONTAINERS] : [];
  const judged = [
    ...resourceRules(
      kinds.filter((kind) => kind !== "Pod"),
      customResources,
    ),
    ...ephemeral,
  ];
  const pods = resourceRules(["Pod"], customResources);
  return { ...base, resourceRules: [...resourceRules(kinds, customResources), ...ephemeral], judged, pods };
}

/**
 * A workload whose pod spec may be absent (a Rollout that points at a
 * Deployment) is matched only when it has one: otherwise `variables.pod`
 * fails to evaluate and failurePolicy Fail refuses it, though the pod rules
 * judge the Deployment it points at.
 */
function podSpecConditions(kinds: readonly string[], workloads: WorkloadTable): { name: string; expression: string }[] {
  const optional = kinds.filter((kind) => Object.hasOwn(workloads, kind) && workloads[kind]!.podSpecOptional).sort();
  if (optional.length === 0) return [];
  const clauses = optional.map((id) => {
    const slash = id.lastIndexOf("/");
    const path = workloads[id]!.podSpec;
    // dyn(): the API server type-checks the condition against every kind the policy matches, and a Pod has no spec.template.
    const present = path.map((_, end) => `has(dyn(object).${path.slice(0, end + 1).join(".")})`).join(" && ");
    return `!(object.apiVersion.startsWith('${id.slice(0, slash)}/') && object.kind == '${id.slice(slash + 1)}') || (${present})`;
  });
  return [{ name: "has-pod-spec", expression: clauses.join(" && ") }];
}

/** `kubectl debug` adds a container by updating this subresource of the Pod. */
const EPHEMERAL_CONTAINERS: ResourceRule = {
  apiGroups: [""],
  apiVersions: ["*"],
  operations: ["UPDATE"],
  resources: ["pods/ephemeralcontainers"],
};

/**
 * A cluster's admission policies, under clusters/<cluster>/policies/: one
 * file per CEL rule in force on the cluster's environment, as a
 * ValidatingAdmissionPolicy and its bindings or Kyverno ValidatingPolicies,
 * scoped to the teams' namespaces. error → Deny; warn → Warn and Audit.
 * Apps that waive a rule on this cluster are left out by a match condition
 * on the namespace and name of the request (see waivedObjects).
 *
 * Bare Pods get Warn and Audit whatever the severity: a Pod reaches
 * validating admission after the mutating webhooks, carrying containers
 * nobody reviewed (a mesh's sidecar from its own registry), and denying it
 * stops the ReplicaSet or Job controller that creates it, silently. What the
 * team wrote — the workload's pod template — is judged with the severity,
 * like the ephemeral containers `kubectl debug` adds, which nothing injects.
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
    const waived = apps.filter((app) => waives(app, rule.id, cluster)).map(waivedObjects);
    for (const object of admissionObjects(
      admissionRule(rule, policy, platform.customResources),
      policy.admission,
      severity,
      waived,
      beforeApps,
    )) {
      rendered.push({
        path: `${onClusterDir(cluster)}/policies/${rule.id}.yaml`,
        object,
        origin: platform.origin,
        sources: [platform.origin.file],
      });
    }
  }
  return rendered;
}

/** The objects that enforce one rule: a ValidatingAdmissionPolicy and its bindings, or Kyverno ValidatingPolicies. */
export function admissionObjects(
  rule: AdmissionRule,
  backend: "kubernetes" | "kyverno",
  severity: Severity,
  waived: readonly WaivedObjects[] = [],
  beforeApps: Readonly<Record<string, string>> = {},
): KubernetesObject[] {
  return backend === "kyverno"
    ? kyvernoPolicies(rule, severity, waived, beforeApps)
    : validatingAdmissionPolicy(rule, severity, waived, beforeApps);
}

/**
 * What an app's waiver covers at admission: requests in the app's namespace
 * (the API server sets request.namespace from the URL; a team can only write
 * in its own) for objects named as the app, `<app>-…` (what the blueprint
 * renders and the pods its workloads create) or as one of its raw objects.
 * Never a label: a team sets its labels, and `app.kubernetes.io/instance:
 * payments` on another team's pod would borrow payments' waivers.
 */
export interface WaivedObjects {
  readonly namespace: string;
  readonly names: readonly string[];
  readonly prefix: string;
}

function waivedObjects(app: AppModel): WaivedObjects {
  const names = new Set([app.name]);
  for (const raw of app.objects) {
    const namespace = raw.object.metadata.namespace;
    if (namespace === undefined || namespace === app.namespace) names.add(raw.object.metadata.name);
  }
  return { namespace: app.namespace, names: [...names].sort(), prefix: `${app.name}-` };
}

function waives(app: AppModel, rule: string, cluster: ClusterModel): boolean {
  if (!Object.hasOwn(app.waivers, rule)) return false;
  const { clusters } = app.waivers[rule]!;
  return !clusters || clusters.includes(cluster.name);
}

type ValidationAction = "Deny" | "Warn" | "Audit";

function actions(severity: Severity): ValidationAction[] {
  return severity === "error" ? ["Deny"] : ["Warn", "Audit"];
}

/** Objects of apps that waive the rule are not judged by it: by the request's namespace and name (see WaivedObjects). */
function matchConditions(waived: readonly WaivedObjects[]) {
  if (waived.length === 0) return [];
  const byApp = [...waived]
    .sort((a, b) => (a.namespace + a.prefix < b.namespace + b.prefix ? -1 : 1))
    .map(
      (app) =>
        `(request.namespace == ${celLiteral(app.namespace)} && (request.name in ${celLiteral(app.names)} || request.name.startsWith(${celLiteral(app.prefix)})))`,
    );
  return [{ name: "not-waived", expression: `!(${byApp.join(" || ")})` }];
}

function metadata(name: string, beforeApps: Readonly<Record<string, string>>) {
  return {
    name,
    labels: platformLabels(name, PLATFORM_PROJECT),
    ...(Object.keys(beforeApps).length > 0 ? { annotations: { ...beforeApps } } : {}),
  };
}

function validatingAdmissionPolicy(
  rule: AdmissionRule,
  severity: Severity,
  waived: readonly WaivedObjects[],
  beforeApps: Readonly<Record<string, string>>,
): KubernetesObject[] {
  const conditions = [...(rule.conditions ?? []), ...matchConditions(waived)];
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
    } satisfies ValidatingAdmissionPolicy,
    binding(rule.name, rule.name, actions(severity), rule.judged, beforeApps),
    ...(rule.pods ? [binding(`${rule.name}-pods`, rule.name, actions("warn"), rule.pods, beforeApps)] : []),
  ];
}

/** A binding narrows what the policy matches (the API server intersects the two) and says what a failure does. */
function binding(
  name: string,
  policyName: string,
  validationActions: ValidationAction[],
  resourceRules: ResourceRule[] | undefined,
  beforeApps: Readonly<Record<string, string>>,
): KubernetesObject {
  return {
    apiVersion: VAP_API,
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: metadata(name, beforeApps),
    spec: {
      policyName,
      validationActions,
      matchResources: { namespaceSelector: MANAGED_NAMESPACES, ...(resourceRules ? { resourceRules } : {}) },
    },
  } satisfies ValidatingAdmissionPolicyBinding;
}

/** Kyverno has no bindings: Pods, judged with Warn and Audit, get a policy of their own. */
function kyvernoPolicies(
  rule: AdmissionRule,
  severity: Severity,
  waived: readonly WaivedObjects[],
  beforeApps: Readonly<Record<string, string>>,
): KubernetesObject[] {
  return [
    kyvernoPolicy(rule.name, rule, rule.judged ?? rule.resourceRules, actions(severity), waived, beforeApps),
    ...(rule.pods ? [kyvernoPolicy(`${rule.name}-pods`, rule, rule.pods, actions("warn"), waived, beforeApps)] : []),
  ];
}

function kyvernoPolicy(
  name: string,
  rule: AdmissionRule,
  resourceRules: ResourceRule[],
  validationActions: ValidationAction[],
  waived: readonly WaivedObjects[],
  beforeApps: Readonly<Record<string, string>>,
): KubernetesObject {
  const conditions = [...(rule.conditions ?? []), ...matchConditions(waived)];
  return {
    apiVersion: KYVERNO_API,
    kind: "ValidatingPolicy",
    metadata: metadata(name, beforeApps),
    spec: {
      failurePolicy: "Fail",
      validationActions,
      matchConstraints: { resourceRules, namespaceSelector: MANAGED_NAMESPACES },
      ...(conditions.length > 0 ? { matchConditions: conditions } : {}),
      ...(rule.variables.length > 0 ? { variables: rule.variables } : {}),
      validations: [{ expression: rule.expression, message: rule.message, reason: "Invalid" }],
    },
  } satisfies KyvernoValidatingPolicy;
}

/**
 * "apps/Deployment", "Service" → resource rules by API group, with the kinds'
 * plural resource names (validate-rules refused kinds without a known plural;
 * a workload sluice knows, such as an Argo Rollout, brings its own).
 */
function resourceRulesOf(
  kinds: readonly string[],
  customResources: CustomResources,
  workloadPlural: (kind: string) => string | undefined,
): ResourceRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const written of kinds) {
    const { group, kind } = groupKind(written);
    const plural = pluralOf(group, kind, customResources) ?? workloadPlural(written);
    if (plural === undefined) throw new Error(`no plural for ${written}: validate-rules should have refused it`);
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(plural));
  }
  return [...byGroup]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, resources]) => ({
      apiGroups: [group],
      apiVersions: ["*"],
      operations: ["CREATE", "UPDATE"],
      resources: [...resources].sort(),
    }));
}

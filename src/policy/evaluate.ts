import type { KubernetesObject } from "../k8s/object.js";
import type { AppModel, ClusterModel, Model, RawObject } from "../model/model.js";
import { childOrigin } from "../model/origin.js";
import type { Blueprint, RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import { passes } from "./cel.js";
import { fieldOrigin, settingOrigin } from "./field-origin.js";
import type { RawFinding } from "./finding.js";
import type { Policy } from "./policy.js";
import type { CelRule, FleetRule, FleetViolation, PolicyContext, Violation } from "../model/rule.js";
import { severityOf } from "./severity.js";
import { decoded } from "./decoded.js";
import { MAX_VIOLATIONS, runRule } from "./run-rule.js";
import { KNOWN_WORKLOADS, type WorkloadTable } from "../k8s/workloads.js";
import { at, fieldSegments, kindId } from "./workloads.js";

/**
 * Every rule on one app instance's rendered objects (its workload, not the
 * GitOps objects the platform owns): CEL rules object by object (container
 * by container for container rules), instance rules on the whole. Returns
 * findings with the severity of the instance's environment; rules "off" there
 * are not run. Origins are not pinpointed yet.
 */
export function evaluateInstance(
  policy: Policy,
  app: ResolvedApp,
  rendered: readonly RenderedObject[],
  blueprint: Blueprint,
): RawFinding[] {
  const findings: RawFinding[] = [];
  const objects = rendered.map((r) => r.object);
  for (const rule of policy.rules) {
    if (rule.on === "fleet") continue;
    const severity = severityOf(rule, app.environment, policy.override(rule.id));
    if (severity === "off") continue;
    const base = { rule: rule.id, severity, app: app.name, cluster: app.cluster.name, ...(rule.hint ? { hint: rule.hint } : {}) };
    if (rule.on === "instance") {
      const violations = runRule<Violation>(
        {
          id: rule.id,
          origin: policy.platformRuleOrigin(rule),
          check: () => rule.check({ app, objects, context: policy.context }),
          invalid: (v) =>
            violationProblem(v) ??
            (v.setting !== undefined && typeof v.setting !== "string" ? "has a setting that is not a string" : undefined),
          more: (_first, count) => ({
            message: `and ${count} more violations of this rule on this instance (only the first ${MAX_VIOLATIONS} are reported)`,
          }),
        },
        `app ${app.name} on cluster ${app.cluster.name}`,
      );
      for (const violation of violations) {
        const index = violation.object ? objects.indexOf(violation.object) : -1;
        const source = index >= 0 ? rendered[index]! : undefined;
        const origin = violation.setting
          ? settingOrigin(app, violation.setting)
          : source
            ? fieldOrigin(app, source, violation.field ?? [], blueprint)
            : app.origin;
        findings.push({ ...base, message: violation.message, ...(source ? { object: objectRef(source.object) } : {}), origin });
      }
      continue;
    }
    for (const source of rendered) {
      for (const failure of celFailures(rule, source.object, policy)) {
        findings.push({
          ...base,
          message: failure.message,
          object: objectRef(source.object),
          origin: fieldOrigin(app, source, failure.field, blueprint),
        });
      }
    }
  }
  return findings;
}

/**
 * Fleet rules on each cluster: the apps running there, their raw objects and
 * what `exposed` says their `expose` adds there. A finding on an exposed
 * object points at its own origin, the line that sets the host.
 */
export function evaluateFleet(
  policy: Policy,
  model: Model,
  runsOn: (app: string, cluster: ClusterModel) => boolean,
  exposed: (app: AppModel, cluster: ClusterModel) => readonly RawObject[] = () => [],
): RawFinding[] {
  const findings: RawFinding[] = [];
  const fleetRules = policy.rules.filter((rule): rule is FleetRule => rule.on === "fleet");
  if (fleetRules.length === 0) return findings;
  for (const cluster of model.platform.clusters) {
    const environment = model.platform.environments.find((e) => e.name === cluster.environment)!;
    const here = model.apps
      .filter((app) => runsOn(app.name, cluster))
      .map((app) => {
        const extra = exposed(app, cluster);
        return { app, objects: extra.length === 0 ? app.objects : [...app.objects, ...extra] };
      });
    const apps = new Map(here.map((entry) => [entry.app.name, entry]));
    for (const rule of fleetRules) {
      const severity = severityOf(rule, environment, policy.override(rule.id));
      if (severity === "off") continue;
      const violations = runRule<FleetViolation>(
        {
          id: rule.id,
          origin: policy.platformRuleOrigin(rule),
          check: () => rule.check({ cluster, apps: here, platformObjects: model.platform.objects }),
          invalid: (v) =>
            violationProblem(v) ??
            (typeof v.app !== "string"
              ? "has no app (the app's name)"
              : v.object !== undefined && !Number.isInteger(v.object)
                ? "has an object that is not an index into the app's objects"
                : undefined),
          more: (first, count) => ({
            app: first.app,
            message: `and ${count} more violations of this rule on cluster ${cluster.name} (only the first ${MAX_VIOLATIONS} are reported)`,
          }),
        },
        `cluster ${cluster.name}`,
      );
      for (const violation of violations) {
        const entry = apps.get(violation.app);
        if (!entry) continue;
        const { app } = entry;
        const raw = violation.object !== undefined ? entry.objects[violation.object] : undefined;
        const written = raw !== undefined && (violation.object ?? 0) < app.objects.length;
        findings.push({
          rule: rule.id,
          severity,
          message: violation.message,
          ...(rule.hint ? { hint: rule.hint } : {}),
          app: app.name,
          cluster: cluster.name,
          ...(raw ? { object: objectRef(raw.object) } : {}),
          origin: raw ? (written ? childOrigin(raw.origin, ...(violation.field ?? [])) : raw.origin) : app.origin,
        });
      }
    }
  }
  return findings;
}

interface CelFailure {
  readonly message: string;
  /** The field to change, from the object's root. */
  readonly field: (string | number)[];
}

/**
 * Where a CEL rule fails on one object: nowhere when the rule does not match
 * its kind; once per failing container for container rules. The same
 * expressions, with the same variables, as the exported admission policy.
 */
export function celFailures(
  rule: CelRule,
  given: KubernetesObject,
  policy: Pick<Policy, "context"> & { readonly workloads?: WorkloadTable },
): CelFailure[] {
  const object = decoded(given);
  const kind = kindId(object);
  if (rule.kinds && !rule.kinds.includes(kind)) return [];
  // Without a platform's table (a rule's own test): every kind sluice knows makes pods.
  const workloads = policy.workloads ?? KNOWN_WORKLOADS;
  const workload = Object.hasOwn(workloads, kind) ? workloads[kind]! : undefined;
  if (rule.on !== "object" && !workload) return [];
  const variables = variablesOf(rule, policy.context);
  const field = fieldSegments(rule.field);
  const explain = (error: string | undefined) => (error ? `${rule.message} (the rule could not be evaluated: ${error})` : rule.message);
  if (rule.on === "object") {
    if (!rule.kinds) return [];
    const result = passes(rule.check, { object, variables });
    return result.ok ? [] : [{ message: explain(result.error), field }];
  }
  if (!workload) return [];
  const podPath = workload.podSpec;
  const pod = at(object, podPath);
  // A Rollout that points at a Deployment has no pod spec of its own; admission does not match it either.
  if (pod === undefined && workload.podSpecOptional) return [];
  const withPod = { ...variables, pod };
  if (rule.on === "pod") {
    const result = passes(rule.check, { object, variables: withPod });
    return result.ok ? [] : [{ message: explain(result.error), field: [...podPath, ...field] }];
  }
  // Admission reads the containers list (CONTAINERS_CEL): a pod spec without one fails there, so here too.
  if (!Array.isArray(at(pod, ["containers"])))
    return [{ message: explain("the pod spec has no containers list"), field: [...podPath, "containers"] }];
  const failures: CelFailure[] = [];
  for (const list of ["containers", "initContainers"] as const) {
    const containers = at(pod, [list]);
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, index) => {
      const result = passes(rule.check, { object, container, variables: withPod });
      if (result.ok) return;
      const name = typeof (container as { name?: unknown })?.name === "string" ? (container as { name: string }).name : String(index);
      failures.push({ message: `container ${name}: ${explain(result.error)}`, field: [...podPath, list, index, ...field] });
    });
  }
  return failures;
}

const computed = new WeakMap<CelRule, WeakMap<PolicyContext, Readonly<Record<string, unknown>>>>();

/** A rule's variables for a platform's settings, computed once per run rather than per object. */
function variablesOf(rule: CelRule, context: PolicyContext): Readonly<Record<string, unknown>> {
  if (!rule.variables) return {};
  let byContext = computed.get(rule);
  if (!byContext) computed.set(rule, (byContext = new WeakMap()));
  let variables = byContext.get(context);
  if (!variables) byContext.set(context, (variables = rule.variables(context)));
  return variables;
}

function objectRef(object: KubernetesObject): { kind: string; name: string } {
  return { kind: object.kind, name: object.metadata.name };
}

/** Why a returned violation cannot be reported (no message, a field that is not a path), or undefined. */
function violationProblem(violation: Record<string, unknown>): string | undefined {
  if (typeof violation.message !== "string") return "has no message (a string)";
  const field = violation.field;
  if (
    field !== undefined &&
    !(Array.isArray(field) && field.every((segment) => typeof segment === "string" || typeof segment === "number"))
  )
    return "has a field that is not a list of path segments";
  return undefined;
}

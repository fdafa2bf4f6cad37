import type { KubernetesObject } from "../k8s/object.js";
import type { ClusterModel, Model } from "../model/model.js";
import { childOrigin } from "../model/origin.js";
import type { Blueprint, RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import { SluiceError } from "../errors.js";
import { passes } from "./cel.js";
import { fieldOrigin, settingOrigin } from "./field-origin.js";
import type { RawFinding } from "./finding.js";
import type { Policy } from "./policy.js";
import { severityOf, type CelRule, type FleetRule, type PolicyContext } from "./rule.js";
import { POD_SPEC_PATHS, at, fieldSegments, kindId } from "./workloads.js";

/**
 * Every rule on one app instance's rendered objects (its workload, not the
 * GitOps objects the platform owns): CEL rules object by object (container
 * by container for container rules), instance rules on the whole. Returns
 * findings with the severity of the instance's environment; rules "off" there
 * are not run. Origins are not pinpointed yet.
 */
export function evaluateInstance(policy: Policy, app: ResolvedApp, rendered: readonly RenderedObject[], blueprint: Blueprint): RawFinding[] {
  const findings: RawFinding[] = [];
  const objects = rendered.map((r) => r.object);
  for (const rule of policy.rules) {
    if (rule.on === "fleet") continue;
    const severity = severityOf(rule, app.environment, policy.override(rule.id));
    if (severity === "off") continue;
    const base = { rule: rule.id, severity, app: app.name, cluster: app.cluster.name, ...(rule.hint ? { hint: rule.hint } : {}) };
    if (rule.on === "instance") {
      for (const violation of runRule(rule, `app ${app.name} on cluster ${app.cluster.name}`, () => rule.check({ app, objects, context: policy.context }))) {
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
        findings.push({ ...base, message: failure.message, object: objectRef(source.object), origin: fieldOrigin(app, source, failure.field, blueprint) });
      }
    }
  }
  return findings;
}

/** Fleet rules on each cluster: the apps running there and their raw objects. */
export function evaluateFleet(policy: Policy, model: Model, runsOn: (app: string, cluster: ClusterModel) => boolean): RawFinding[] {
  const findings: RawFinding[] = [];
  const fleetRules = policy.rules.filter((rule): rule is FleetRule => rule.on === "fleet");
  if (fleetRules.length === 0) return findings;
  const apps = new Map(model.apps.map((app) => [app.name, app]));
  for (const cluster of model.platform.clusters) {
    const environment = model.platform.environments.find((e) => e.name === cluster.environment)!;
    const here = model.apps.filter((app) => runsOn(app.name, cluster)).map((app) => ({ app, objects: app.objects }));
    for (const rule of fleetRules) {
      const severity = severityOf(rule, environment, policy.override(rule.id));
      if (severity === "off") continue;
      for (const violation of runRule(rule, `cluster ${cluster.name}`, () => rule.check({ cluster, apps: here, platformObjects: model.platform.objects }))) {
        const app = apps.get(violation.app);
        if (!app) continue;
        const raw = violation.object !== undefined ? app.objects[violation.object] : undefined;
        findings.push({
          rule: rule.id,
          severity,
          message: violation.message,
          ...(rule.hint ? { hint: rule.hint } : {}),
          app: app.name,
          cluster: cluster.name,
          ...(raw ? { object: objectRef(raw.object) } : {}),
          origin: raw ? childOrigin(raw.origin, ...(violation.field ?? [])) : app.origin,
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
export function celFailures(rule: CelRule, object: KubernetesObject, policy: Pick<Policy, "context">): CelFailure[] {
  const kind = kindId(object);
  if (rule.kinds && !rule.kinds.includes(kind)) return [];
  if (rule.on !== "object" && !Object.hasOwn(POD_SPEC_PATHS, kind)) return [];
  const variables = variablesOf(rule, policy.context);
  const field = fieldSegments(rule.field);
  const explain = (error: string | undefined) => (error ? `${rule.message} (the rule could not be evaluated: ${error})` : rule.message);
  if (rule.on === "object") {
    if (!rule.kinds) return [];
    const result = passes(rule.check, { object, variables });
    return result.ok ? [] : [{ message: explain(result.error), field }];
  }
  const podPath = Object.hasOwn(POD_SPEC_PATHS, kind) ? POD_SPEC_PATHS[kind]! : undefined;
  if (!podPath) return [];
  const pod = at(object, podPath);
  const withPod = { ...variables, pod };
  if (rule.on === "pod") {
    const result = passes(rule.check, { object, variables: withPod });
    return result.ok ? [] : [{ message: explain(result.error), field: [...podPath, ...field] }];
  }
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


/**
 * Runs a rule written as a function. One that throws is the rule's author's
 * to fix, not a bug in sluice: it is reported naming the rule and where it
 * ran, and nothing is written.
 */
function runRule<T>(rule: { readonly id: string }, where: string, check: () => readonly T[]): readonly T[] {
  try {
    return check();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SluiceError(`Policy rule ${rule.id} failed; nothing was written.`, [
      {
        code: "policy/rule-failed",
        message: `rule ${rule.id} threw on ${where}: ${reason}`,
        hint: "fix the rule's check function; `checkRule` from sluice/testing runs it on the same input",
      },
    ]);
  }
}

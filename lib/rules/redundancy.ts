import { isKind, type InstanceRule, type KubernetesObject, type Violation } from "../../src/sdk.js";

/**
 * In production one pod is one node drain away from an outage: run at least
 * two, and let a PodDisruptionBudget keep them from being evicted together.
 */
export const productionRedundancy = {
  id: "production-redundancy",
  description: "In production, an app runs at least 2 replicas (or autoscales with min ≥ 2) and has a PodDisruptionBudget.",
  severity: "off",
  production: "error",
  on: "instance",
  hint: "set replicas: 2 (or autoscaling min: 2) for production; the built-in blueprint then adds a PodDisruptionBudget",
  check({ app, objects }) {
    const workload = objects.find(
      (o) => isKind(o, "apps/v1", "Deployment") || isKind(o, "apps/v1", "StatefulSet") || isKind(o, "argoproj.io/v1alpha1", "Rollout"),
    );
    if (!workload) return [];
    const violations: Violation[] = [];
    const { autoscaling, replicas = 1 } = app.spec;
    if (autoscaling ? autoscaling.min < 2 : replicas < 2) {
      violations.push(
        autoscaling
          ? { message: `autoscaling min is ${autoscaling.min}; production needs at least 2`, setting: "autoscaling.min" }
          : { message: `${replicas} replica${replicas === 1 ? "" : "s"}; production needs at least 2`, setting: "replicas" },
      );
    }
    const podLabels = labelsOf(workload);
    const guarded = objects.some((o) => isKind(o, "policy/v1", "PodDisruptionBudget") && selects(o.spec?.selector?.matchLabels, podLabels));
    if (!guarded)
      violations.push({
        message: `no PodDisruptionBudget selects the pods of ${workload.kind} ${workload.metadata.name}`,
        object: workload,
      });
    return violations;
  },
} satisfies InstanceRule;

function labelsOf(workload: KubernetesObject): Readonly<Record<string, string>> {
  const template = (workload as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template;
  return template?.metadata?.labels ?? {};
}

function selects(matchLabels: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!matchLabels || Object.keys(matchLabels).length === 0) return false;
  return Object.entries(matchLabels).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}

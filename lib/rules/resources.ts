import { isKind, podSpecOf, workloadOf, type CelRule, type InstanceRule, type Violation } from "../../src/sdk.js";

/** Requests let the scheduler place pods; a memory limit keeps one pod from starving a node. */
export const resourcesRequired = {
  id: "resources-required",
  description: "Every container requests CPU and memory and sets a memory limit.",
  severity: "error",
  on: "container",
  check:
    "has(container.resources) && has(container.resources.requests) && 'cpu' in container.resources.requests && 'memory' in container.resources.requests && has(container.resources.limits) && 'memory' in container.resources.limits",
  message: "the container needs CPU and memory requests and a memory limit",
  field: ".resources",
  hint: 'set resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } for the app or its environment',
} satisfies CelRule;

/**
 * An autoscaler that targets CPU utilisation measures it as a share of the
 * CPU request: without one it has nothing to measure and never scales.
 */
export const hpaNeedsCpuRequest = {
  id: "hpa-cpu-request",
  description:
    "A HorizontalPodAutoscaler with a CPU utilisation target scales a workload whose containers request CPU (or set a CPU limit, which Kubernetes then requests).",
  severity: "error",
  on: "instance",
  hint: 'set resources: { requests: { cpu: "100m" } } for the app or its environment',
  check({ objects }) {
    const violations: Violation[] = [];
    for (const hpa of objects) {
      if (!isKind(hpa, "autoscaling/v2", "HorizontalPodAutoscaler")) continue;
      const spec = hpa.spec;
      const cpu = spec?.metrics?.some((m) => m.resource?.name === "cpu" && m.resource.target?.type === "Utilization");
      if (!cpu || !spec) continue;
      // What it scales: a workload with a replica count (a Deployment, a StatefulSet, an Argo Rollout…).
      const target = objects.find(
        (o) => o.kind === spec.scaleTargetRef.kind && o.metadata.name === spec.scaleTargetRef.name && workloadOf(o)?.replicas !== undefined,
      );
      if (!target) continue;
      const podSpec = workloadOf(target)!.podSpec;
      (podSpecOf(target)?.containers ?? []).forEach((container, index) => {
        const resources = container.resources ?? {};
        if (resources.requests?.cpu !== undefined || resources.limits?.cpu !== undefined) return;
        violations.push({
          message: `${hpa.kind} ${hpa.metadata.name} targets CPU utilisation, but container ${container.name} of ${target.kind} ${target.metadata.name} has no CPU request, so the autoscaler has nothing to measure against`,
          object: target,
          field: [...podSpec, "containers", index, "resources"],
        });
      });
    }
    return violations;
  },
} satisfies InstanceRule;

import type { Deployment } from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { selectorLabels, type Blueprint, type KubernetesObject, type ResolvedApp } from "../../src/sdk.js";
import { exposure, exposureSettings } from "./exposure.js";
import { podObjects, podSettings, podTemplate, settingFrom, type SettingRow } from "./pod.js";
import { reloaderAnnotations, withSecretsHash } from "./rotation.js";

/**
 * A service (the default kind): a Deployment with a ServiceAccount, a
 * ConfigMap for plain environment variables (secrets are read from their own
 * Secrets, by reference), a Service for its ports, a PodDisruptionBudget
 * once it runs two or more pods, a HorizontalPodAutoscaler when it
 * autoscales, and an HTTPRoute or Ingress when it is exposed. Built only on
 * sluice's public API, as a team's own blueprint would be; the other kinds
 * reuse its parts.
 */
export const service: Blueprint = {
  name: "service",
  kind: "service",
  render(app: ResolvedApp): KubernetesObject[] {
    const objects = [...podObjects(app), deployment(app)];
    if (Object.keys(app.spec.ports).length > 0) objects.push(clusterService(app));
    objects.push(...replicaGuards(app, "Deployment"), ...exposure(app));
    return objects;
  },
  settingOf: settingFrom({
    Deployment: [...podSettings("spec.template"), ["spec.replicas", "replicas"]],
    ...companionSettings(),
    ...exposureSettings(),
  }),
};

export function deployment(app: ResolvedApp): KubernetesObject {
  const { spec } = app;
  const annotations = reloaderAnnotations(app);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app.name, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: {
      // With autoscaling the HPA owns the count; writing it here would make
      // every sync fight the autoscaler.
      ...(spec.autoscaling ? {} : { replicas: spec.replicas ?? 1 }),
      selector: { matchLabels: selectorLabels(app) },
      template: withSecretsHash(podTemplate(app), app),
    },
  } satisfies Deployment;
}

/** A Service on the app's ports: a ClusterIP one, or a headless one (`clusterIP: None`) for a StatefulSet's stable pod names. */
export function clusterService(app: ResolvedApp, headless = false): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: app.name },
    spec: {
      type: "ClusterIP",
      ...(headless ? { clusterIP: "None" } : {}),
      selector: selectorLabels(app),
      ports: Object.entries(app.spec.ports).map(([name, port]) => ({ name, port, targetPort: name, protocol: "TCP" })),
    },
  } satisfies Service;
}

/** A PodDisruptionBudget once the workload runs two pods or more, and its autoscaler when it autoscales. */
export function replicaGuards(app: ResolvedApp, workload: "Deployment" | "StatefulSet"): KubernetesObject[] {
  const { spec } = app;
  const objects: KubernetesObject[] = [];
  const minPods = spec.autoscaling ? spec.autoscaling.min : (spec.replicas ?? 1);
  if (minPods >= 2) objects.push(podDisruptionBudget(app));
  if (spec.autoscaling) objects.push(horizontalPodAutoscaler(app, workload));
  return objects;
}

/** The settings behind the objects beside the workload: ConfigMap, Service, PodDisruptionBudget, autoscaler. */
export function companionSettings(): Record<string, readonly SettingRow[]> {
  return {
    HorizontalPodAutoscaler: [
      ["spec.minReplicas", "autoscaling.min"],
      ["spec.maxReplicas", "autoscaling.max"],
      ["spec.metrics", "autoscaling.targetCPU"],
    ],
    // The files' ConfigMap is "<app>-files"; the environment's has the app's name.
    ConfigMap: [["data", (object) => (object.metadata?.name?.endsWith("-files") ? "files" : "env")]],
    ServiceAccount: [["metadata.annotations", "identity"]],
    Service: [["spec.ports", "ports"]],
    PodDisruptionBudget: [["spec", "replicas"]],
  };
}

function podDisruptionBudget(app: ResolvedApp): KubernetesObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app.name },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(app) } },
  } satisfies PodDisruptionBudget;
}

function horizontalPodAutoscaler(app: ResolvedApp, workload: "Deployment" | "StatefulSet"): KubernetesObject {
  const autoscaling = app.spec.autoscaling!;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: app.name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: workload, name: app.name },
      minReplicas: autoscaling.min,
      maxReplicas: autoscaling.max,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCPU } },
        },
      ],
    },
  } satisfies HorizontalPodAutoscaler;
}

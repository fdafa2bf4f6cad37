import type { LimitRange, Namespace, ResourceQuota } from "kubernetes-types/core/v1";
import type { NetworkPolicy as NetworkPolicyV1 } from "kubernetes-types/networking/v1";
import { platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { EnvironmentModel, TeamModel } from "../../model/model.js";
import { PLATFORM_PROJECT } from "../../model/names.js";

/** What the cluster's engine needs on them: applied before the apps, and a namespace never pruned or deleted (it takes everything in it along). */
export interface NamespaceAnnotations {
  readonly beforeApps: Readonly<Record<string, string>>;
  readonly keepNamespace: Readonly<Record<string, string>>;
}

/**
 * A team namespace on one cluster, guarded: the Namespace with Pod Security
 * Admission labels (the team's level, or its environment's: "restricted" in
 * production by default; warnings and audit always at "restricted", so a
 * team sees what the strictest level would refuse), a LimitRange giving
 * containers the environment's default requests and limits, a ResourceQuota
 * when the team or environment sets one, and a NetworkPolicy that refuses
 * all ingress the apps do not allow (see renderCallerPolicy).
 */
export function renderTeamNamespace(
  name: string,
  team: TeamModel,
  environment: EnvironmentModel,
  engine: NamespaceAnnotations,
): KubernetesObject[] {
  const BEFORE_APPS = engine.beforeApps;
  const before = Object.keys(BEFORE_APPS).length > 0 ? { annotations: { ...BEFORE_APPS } } : {};
  const labels = (objectName: string) => ({ ...platformLabels(objectName, PLATFORM_PROJECT), "sluice.dev/team": team.name });
  const level = team.podSecurity ?? environment.podSecurity;
  const namespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...labels(name),
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
      annotations: { ...BEFORE_APPS, ...engine.keepNamespace },
    },
  } satisfies Namespace;
  const objects: KubernetesObject[] = [namespace];
  const { requests, limits } = environment.settings.resources ?? {};
  if (requests || limits) {
    objects.push({
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "sluice-defaults", namespace: name, labels: labels("sluice-defaults"), ...before },
      spec: {
        limits: [
          {
            type: "Container",
            ...(limits ? { default: { ...limits } } : {}),
            ...(requests ? { defaultRequest: { ...requests } } : {}),
          },
        ],
      },
    } satisfies LimitRange);
  }
  const quota = team.quota ?? environment.quota;
  if (quota) {
    objects.push({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "sluice-quota", namespace: name, labels: labels("sluice-quota"), ...before },
      spec: {
        hard: Object.fromEntries(
          Object.keys(quota)
            .sort()
            .map((key) => [key, String(quota[key])]),
        ),
      },
    } satisfies ResourceQuota);
  }
  objects.push({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "sluice-default-deny", namespace: name, labels: labels("sluice-default-deny"), ...before },
    // Every pod selected, no ingress rule: nothing may connect unless another policy allows it.
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  } satisfies NetworkPolicyV1);
  return objects;
}

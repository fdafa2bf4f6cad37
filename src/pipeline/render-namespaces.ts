import type { LimitRange, Namespace, ResourceQuota } from "kubernetes-types/core/v1";
import type { NetworkPolicy as NetworkPolicyV1 } from "kubernetes-types/networking/v1";
import { platformLabels } from "../k8s/labels.js";
import type { KubernetesObject } from "../k8s/object.js";
import type { EnvironmentModel, TeamModel } from "../model/model.js";
import { PLATFORM_PROJECT } from "../model/names.js";

// Namespaces and what guards them exist before the Applications that use them,
// and Argo CD never prunes or deletes a namespace (it takes everything in it along).
const BEFORE_APPS = { "argocd.argoproj.io/sync-wave": "-1" };
const KEEP_NAMESPACE = { "argocd.argoproj.io/sync-options": "Prune=false,Delete=false" };

/**
 * A team namespace on one cluster, guarded: the Namespace with Pod Security
 * Admission labels (the team's level, or its environment's: "restricted" in
 * production by default; warnings and audit always at "restricted", so a
 * team sees what the strictest level would refuse), a LimitRange giving
 * containers the environment's default requests and limits, a ResourceQuota
 * when the team or environment sets one, and a NetworkPolicy that refuses
 * all ingress the apps do not allow (see renderCallerPolicy).
 */
export function renderTeamNamespace(name: string, team: TeamModel, environment: EnvironmentModel): KubernetesObject[] {
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
      annotations: { ...BEFORE_APPS, ...KEEP_NAMESPACE },
    },
  } satisfies Namespace;
  const objects: KubernetesObject[] = [namespace];
  const { requests, limits } = environment.settings.resources ?? {};
  if (requests || limits) {
    objects.push({
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "sluice-defaults", namespace: name, labels: labels("sluice-defaults"), annotations: BEFORE_APPS },
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
      metadata: { name: "sluice-quota", namespace: name, labels: labels("sluice-quota"), annotations: BEFORE_APPS },
      spec: { hard: Object.fromEntries(Object.keys(quota).sort().map((key) => [key, String(quota[key])])) },
    } satisfies ResourceQuota);
  }
  objects.push({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "sluice-default-deny", namespace: name, labels: labels("sluice-default-deny"), annotations: BEFORE_APPS },
    // Every pod selected, no ingress rule: nothing may connect unless another policy allows it.
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  } satisfies NetworkPolicyV1);
  return objects;
}


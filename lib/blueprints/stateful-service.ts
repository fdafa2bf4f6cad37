import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1";
import { selectorLabels, type Blueprint, type KubernetesObject, type ResolvedApp } from "../../src/sdk.js";
import { podObjects, podSettings, podTemplate, settingFrom } from "./pod.js";
import { reloaderAnnotations, withSecretsHash } from "./rotation.js";
import { clusterService, companionSettings, replicaGuards } from "./service.js";

/**
 * A stateful service: a StatefulSet whose pods keep their names and their
 * volumes (one PersistentVolumeClaim per pod and `volumeClaims` entry), a
 * headless Service of the same name that gives each pod a stable DNS name
 * (`<app>-0.<app>.<namespace>.svc`), and a PodDisruptionBudget from two pods
 * on. Pods start one at a time, in order, unless `podManagementPolicy` is
 * "Parallel". It does not autoscale.
 */
export const statefulService: Blueprint = {
  name: "statefulService",
  kind: "statefulService",
  render(app: ResolvedApp): KubernetesObject[] {
    const { spec } = app;
    const claims = Object.entries(spec.volumeClaims ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const annotations = reloaderAnnotations(app);
    const statefulSet = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: app.name, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: {
        serviceName: app.name,
        replicas: spec.replicas ?? 1,
        ...(spec.podManagementPolicy ? { podManagementPolicy: spec.podManagementPolicy } : {}),
        selector: { matchLabels: selectorLabels(app) },
        template: withSecretsHash(
          podTemplate(app, { volumeMounts: claims.map(([name, claim]) => ({ name, mountPath: claim.mountPath })) }),
          app,
        ),
        ...(claims.length > 0
          ? {
              volumeClaimTemplates: claims.map(
                // Written out as the API server stores them (apiVersion, kind, volumeMode), or
                // Argo CD finds the stored StatefulSet different from the env repo's on every sync.
                ([name, claim]): PersistentVolumeClaim => ({
                  apiVersion: "v1",
                  kind: "PersistentVolumeClaim",
                  metadata: { name },
                  spec: {
                    accessModes: [claim.accessMode ?? "ReadWriteOnce"],
                    volumeMode: "Filesystem",
                    ...(claim.storageClass ? { storageClassName: claim.storageClass } : {}),
                    resources: { requests: { storage: claim.size } },
                  },
                }),
              ),
            }
          : {}),
      },
    } satisfies StatefulSet;
    return [...podObjects(app), statefulSet, clusterService(app, true), ...replicaGuards(app, "StatefulSet")];
  },
  settingOf: settingFrom({
    StatefulSet: [
      ...podSettings("spec.template"),
      ["spec.replicas", "replicas"],
      ["spec.podManagementPolicy", "podManagementPolicy"],
      ["spec.volumeClaimTemplates", "volumeClaims"],
    ],
    ...companionSettings(),
  }),
};

import { platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { ClusterModel, ComponentModel, EnvironmentModel, Ordering, PlatformModel } from "../../model/model.js";
import { COMPONENTS_PROJECT, PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import { componentValues, ociParts } from "../components.js";
import { argoName } from "../../model/hub.js";
import { destinationServer } from "./hub.js";
import { syncPolicy } from "./sync-policy.js";
import type { ArgoAppProject, ArgoApplication } from "./types.js";

/**
 * Each platform component on an Argo CD cluster: an Application with a Helm
 * source at the exact chart version, in the components' own project, synced
 * in the sync wave of its depth in the cluster's order (what it waits for): clusters/<cluster>/components/<name>.yaml
 * (on a spoke: named <component>-<cluster> in its hub's Argo CD, deploying to the spoke).
 */
export function renderComponents(
  platform: PlatformModel,
  cluster: ClusterModel,
  environment: EnvironmentModel,
  components: readonly ComponentModel[],
  order: Ordering,
): RenderedObject[] {
  return components.map((component) => {
    const { chart } = component;
    const depth = order.depth(cluster.name, { kind: "component", name: component.name });
    const source =
      "oci" in chart
        ? { repoURL: ociParts(chart.oci).repository, chart: ociParts(chart.oci).chart, targetRevision: chart.version }
        : { repoURL: chart.repository, chart: chart.name, targetRevision: chart.version };
    const object = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: argoName(component.name, cluster),
        namespace: platform.engineSettings.argocd.namespace,
        labels: {
          ...platformLabels(component.name, COMPONENTS_PROJECT),
          "sluice.dev/component": component.name,
          "sluice.dev/cluster": cluster.name,
        },
        ...(depth !== 0 || "oci" in chart
          ? {
              annotations: {
                ...(depth !== 0 ? { "argocd.argoproj.io/sync-wave": String(depth) } : {}),
                // Argo CD pulls an OCI chart by its tag; the digest is recorded for reviewers (Flux pins it).
                ...("oci" in chart ? { "sluice.dev/chart-digest": chart.digest } : {}),
              },
            }
          : {}),
      },
      spec: {
        project: COMPONENTS_PROJECT,
        source: { ...source, helm: { releaseName: component.name, valuesObject: componentValues(component, environment.name) } },
        destination: { server: destinationServer(cluster), namespace: component.namespace },
        syncPolicy: syncPolicy({ automated: true, prune: environment.sync.prune, selfHeal: true }, [
          "CreateNamespace=true",
          "ServerSideApply=true",
        ]),
      },
    } satisfies ArgoApplication;
    return {
      path: `clusters/${cluster.name}/components/${component.name}.yaml`,
      object,
      origin: component.origin,
      sources: [platform.origin.file],
    };
  });
}

/**
 * The components' AppProject: their chart repositories only, their
 * namespaces only (on each cluster the Argo CD deploys to), but any kind — cluster add-ons install CRDs, cluster
 * roles and webhooks. It is the platform's: teams never use it.
 */
export function componentsProject(
  platform: PlatformModel,
  installed: readonly { readonly cluster: ClusterModel; readonly components: readonly ComponentModel[] }[],
): KubernetesObject {
  const repositories = [
    ...new Set(
      installed.flatMap(({ components }) =>
        components.map(({ chart }) => ("oci" in chart ? ociParts(chart.oci).repository : chart.repository)),
      ),
    ),
  ].sort();
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: COMPONENTS_PROJECT,
      namespace: platform.engineSettings.argocd.namespace,
      labels: platformLabels(COMPONENTS_PROJECT, PLATFORM_PROJECT),
      annotations: { "argocd.argoproj.io/sync-wave": "-1", "argocd.argoproj.io/sync-options": "Prune=false" },
    },
    spec: {
      description: "The platform components: cluster add-ons from pinned Helm charts.",
      sourceRepos: repositories,
      // Each cluster's components' namespaces on that cluster: a hub's cover its spokes'.
      destinations: installed.flatMap(({ cluster, components }) =>
        [...new Set(components.map((c) => c.namespace))].sort().map((namespace) => ({ server: destinationServer(cluster), namespace })),
      ),
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    },
  } satisfies ArgoAppProject;
}

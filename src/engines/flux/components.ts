import { platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { ClusterModel, EnvironmentModel, Ordering, PlatformModel } from "../../model/model.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import { componentValues } from "../components.js";
import {
  CONTROLLER_ACCOUNT,
  ENV_REPO,
  HELM_API,
  HELM_CONTROLLER_ACCOUNT,
  HELM_RETRIES,
  INTERVAL,
  KUSTOMIZE_API,
  RETRY_INTERVAL,
  SOURCE_API,
  TIMEOUT,
  repoPath,
} from "./source.js";
import type { FluxHelmRelease, FluxHelmRepository, FluxKustomization, FluxOCIRepository } from "./types.js";

/**
 * Each platform component on a Flux cluster, in two files. Its chart source
 * and HelmRelease in components/<name>/<cluster>/manifest.yaml (a
 * HelmRepository at the exact version, or an OCIRepository pinned by
 * digest); and, under clusters/<cluster>/components/<name>.yaml, the
 * Kustomization `component-<name>` that applies them and waits until the
 * release is ready. Flux orders Kustomizations, not HelmReleases, by
 * dependsOn: apps and other components wait for that Kustomization.
 */
export function renderFluxComponents(
  platform: PlatformModel,
  cluster: ClusterModel,
  environment: EnvironmentModel,
  order: Ordering,
): RenderedObject[] {
  const namespace = platform.engineSettings.flux.namespace;
  const sources = [platform.origin.file];
  const rendered: RenderedObject[] = [];
  for (const component of platform.components) {
    if (!component.clusters.includes(cluster.name)) continue;
    const labels = { ...platformLabels(component.name, PLATFORM_PROJECT), "sluice.dev/component": component.name };
    const { chart } = component;
    const source: KubernetesObject =
      "oci" in chart
        ? ({
            apiVersion: SOURCE_API,
            kind: "OCIRepository",
            metadata: { name: component.name, namespace, labels },
            spec: {
              interval: INTERVAL,
              url: chart.oci,
              ref: { digest: chart.digest },
              layerSelector: { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", operation: "copy" },
            },
          } satisfies FluxOCIRepository)
        : ({
            apiVersion: SOURCE_API,
            kind: "HelmRepository",
            metadata: { name: component.name, namespace, labels },
            spec: { interval: "1h", url: chart.repository },
          } satisfies FluxHelmRepository);
    const release: KubernetesObject = {
      apiVersion: HELM_API,
      kind: "HelmRelease",
      metadata: {
        name: component.name,
        namespace,
        labels,
        ...("oci" in chart ? { annotations: { "sluice.dev/chart-version": chart.version } } : {}),
      },
      spec: {
        interval: INTERVAL,
        releaseName: component.name,
        targetNamespace: component.namespace,
        // Helm's release records live beside what they describe, not in Flux's namespace.
        storageNamespace: component.namespace,
        serviceAccountName: HELM_CONTROLLER_ACCOUNT,
        install: { createNamespace: true, remediation: { retries: HELM_RETRIES } },
        upgrade: { remediation: { retries: HELM_RETRIES } },
        ...("oci" in chart
          ? { chartRef: { kind: "OCIRepository", name: component.name } }
          : {
              chart: { spec: { chart: chart.name, version: chart.version, sourceRef: { kind: "HelmRepository", name: component.name } } },
            }),
        values: componentValues(component, environment.name),
      },
    } satisfies FluxHelmRelease;
    const dir = `components/${component.name}/${cluster.name}`;
    for (const object of [source, release]) rendered.push({ path: `${dir}/manifest.yaml`, object, origin: component.origin, sources });
    const dependsOn = order
      .dependencies(cluster.name, { kind: "component", name: component.name })
      .map((d) => ({ name: `component-${d.name}`, namespace }));
    rendered.push({
      path: `clusters/${cluster.name}/components/${component.name}.yaml`,
      object: {
        apiVersion: KUSTOMIZE_API,
        kind: "Kustomization",
        metadata: { name: `component-${component.name}`, namespace, labels },
        spec: {
          interval: INTERVAL,
          retryInterval: RETRY_INTERVAL,
          timeout: TIMEOUT,
          path: repoPath(platform, dir),
          prune: environment.sync.prune,
          // Ready only when the HelmRelease is: what lets dependsOn wait for the component.
          wait: true,
          sourceRef: { kind: "GitRepository", name: ENV_REPO },
          serviceAccountName: CONTROLLER_ACCOUNT,
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
        },
      } satisfies FluxKustomization,
      origin: component.origin,
      sources,
    });
  }
  return rendered;
}

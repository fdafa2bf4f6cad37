import type { Model } from "../model/model.js";
import type { Blueprint, Rendered, RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import { renderArgoCluster } from "./render-argocd.js";
import { renderCodeowners, renderReadme } from "./render-docs.js";
import { renderWorkload } from "./render-workloads.js";

/**
 * Every object and document of the env repo: each app's manifests per
 * cluster, each cluster's Argo CD objects, the README index and CODEOWNERS.
 */
export function render(model: Model, resolved: readonly ResolvedApp[], blueprint: Blueprint): Rendered {
  const stackOf = new Map(model.apps.map((app) => [app.name, app.origin.file]));
  const stackOfApp = (name: string) => stackOf.get(name)!;
  const objects: RenderedObject[] = [];
  for (const app of resolved) {
    const sources = [...new Set([model.platform.origin.file, stackOfApp(app.name)])].sort();
    objects.push(...renderWorkload(app, blueprint, sources));
  }
  for (const cluster of model.platform.clusters) {
    const onCluster = resolved.filter((app) => app.cluster.name === cluster.name);
    objects.push(...renderArgoCluster(model.platform, cluster, onCluster, stackOfApp));
  }
  return { objects, documents: [renderReadme(model), renderCodeowners(model)] };
}

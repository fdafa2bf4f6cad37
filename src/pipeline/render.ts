import type { Model } from "../model/model.js";
import type { Blueprint, Rendered, RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import { renderAdmission } from "../policy/admission.js";
import type { Policy } from "../policy/policy.js";
import { renderArgoCluster } from "./render-argocd.js";
import { renderCodeowners, renderReadme } from "./render-docs.js";
import { renderInstance } from "./render-instance.js";

/** Where an app instance is: the app and the cluster it runs on. */
export interface InstanceRef {
  readonly app: string;
  readonly cluster: string;
}

/** The stack files an app instance's files come from: the platform's and the app's. */
export function instanceSources(model: Model): (app: string) => string[] {
  const sources = new Map(model.apps.map((app) => [app.name, [...new Set([model.platform.origin.file, app.origin.file])].sort()]));
  return (app) => sources.get(app)!;
}

/**
 * Every object and document of the env repo: each app instance's files
 * (renderInstance) and the fleet's (renderFleet).
 */
export function render(model: Model, resolved: readonly ResolvedApp[], blueprint: Blueprint, policy?: Policy): Rendered {
  const sourcesOf = instanceSources(model);
  const objects: RenderedObject[] = [];
  for (const app of resolved) objects.push(...renderInstance(model.platform, app, blueprint, sourcesOf(app.name)));
  const fleet = renderFleet(model, resolved.map((app) => ({ app: app.name, cluster: app.cluster.name })), policy);
  return { objects: [...objects, ...fleet.objects], documents: fleet.documents };
}

/**
 * The files that belong to the fleet rather than to one app instance: each
 * cluster's root, projects and namespaces, the README index and CODEOWNERS.
 * They depend on which instances exist, never on what an instance holds, so a
 * release bump leaves them alone.
 */
export function renderFleet(model: Model, instances: readonly InstanceRef[], policy?: Policy): Rendered {
  const admission = policy?.admission ?? "none";
  const objects = model.platform.clusters.flatMap((cluster) => [
    ...renderArgoCluster(model.platform, cluster, admission),
    ...(policy ? renderAdmission(model.platform, cluster, policy, model.apps) : []),
  ]);
  return { objects, documents: [renderReadme(model, instances), renderCodeowners(model, instances)] };
}

import type { InstanceRef } from "../../model/instance-ref.js";
import type { Model } from "../../model/model.js";
import type { Rendered } from "../../model/rendered.js";
import { engineOf } from "../../engines/index.js";
import { renderAdmission } from "../../policy/admission.js";
import type { Policy } from "../../policy/policy.js";
import { renderTeamNamespace } from "./namespaces.js";
import { platformLabels } from "../../k8s/labels.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import { onClusterDir } from "../../model/hub.js";
import { renderCodeowners, renderReadme } from "./docs.js";

export type { InstanceRef };

/** The stack files an app instance's files come from: the platform's and the app's. */
export function instanceSources(model: Model): (app: string) => string[] {
  const sources = new Map(model.apps.map((app) => [app.name, [...new Set([model.platform.origin.file, app.origin.file])].sort()]));
  return (app) => sources.get(app)!;
}

/**
 * The files that belong to the fleet rather than to one app instance: each
 * cluster's root, projects and namespaces, the README index and CODEOWNERS.
 * They depend on which instances exist, never on what an instance holds, so a
 * release bump leaves them alone.
 */
export function renderFleet(model: Model, instances: readonly InstanceRef[], policy?: Policy): Rendered {
  const { platform } = model;
  const admission = policy?.admission ?? "none";
  const teamOf = new Map(model.apps.map((app) => [app.name, app.team]));
  const appsOn = (cluster: string) =>
    instances
      .filter((instance) => instance.cluster === cluster && teamOf.has(instance.app))
      .map((instance) => ({ name: instance.app, team: teamOf.get(instance.app)! }));
  const objects = platform.clusters.flatMap((cluster) => {
    const engine = engineOf(cluster);
    const environment = platform.environments.find((e) => e.name === cluster.environment)!;
    const namespaces = platform.teams.flatMap((team) =>
      team.namespaces.flatMap((namespace) =>
        renderTeamNamespace(namespace, team, environment, engine).map((object) => ({
          path: `${onClusterDir(cluster)}/namespaces/${namespace}.yaml`,
          object,
          origin: team.origin,
          sources: [platform.origin.file],
        })),
      ),
    );
    // The platform's own objects, the same on every cluster, before the apps.
    const own = platform.objects.map(({ object, origin }) => ({
      path: `${onClusterDir(cluster)}/platform/objects.yaml`,
      object: {
        ...object,
        metadata: {
          ...object.metadata,
          labels: { ...object.metadata.labels, ...platformLabels(object.metadata.name, PLATFORM_PROJECT) },
          ...(Object.keys(engine.beforeApps).length > 0 || object.metadata.annotations
            ? { annotations: { ...object.metadata.annotations, ...engine.beforeApps } }
            : {}),
        },
      },
      origin,
      sources: [platform.origin.file],
    }));
    return [
      ...engine.renderCluster({ platform, cluster, environment, admission, order: model.order, apps: appsOn(cluster.name) }),
      ...own,
      ...namespaces,
      ...(policy ? renderAdmission(platform, cluster, policy, model.apps, engine.beforeApps) : []),
    ];
  });
  return { objects, documents: [renderReadme(model, instances, objects), renderCodeowners(model)] };
}

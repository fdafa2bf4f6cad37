import type { InstanceRef } from "../../model/instance-ref.js";
import type { Model } from "../../model/model.js";
import type { Rendered } from "../../model/rendered.js";
import { engineNamed, engineOf, type ClusterInput } from "../../engines/index.js";
import type { EngineMove } from "../../model/model.js";
import type { RenderedObject } from "../../model/rendered.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { groupBy } from "../../model/group.js";
import { renderAdmission } from "../../policy/admission.js";
import type { Policy } from "../../policy/policy.js";
import { renderTeamNamespace } from "./namespaces.js";
import { platformLabels } from "../../k8s/labels.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import { engineEnvironment, onClusterDir } from "../../model/hub.js";
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
 * release bump leaves them alone; the one exception is what an engine
 * gathers of its instances (`gathered`: the Applications of Argo CD's
 * ApplicationSets per team), which a release bump does not change either.
 */
export function renderFleet(
  model: Model,
  instances: readonly InstanceRef[],
  policy?: Policy,
  gathered: readonly { readonly cluster: string; readonly object: KubernetesObject }[] = [],
): Rendered {
  const { platform } = model;
  const admission = policy?.admission ?? "none";
  const teamOf = new Map(model.apps.map((app) => [app.name, app.team]));
  // Grouped once: a fleet of 50 clusters has half a million instances.
  const byCluster = new Map<string, { name: string; team: string }[]>();
  for (const instance of instances) {
    const team = teamOf.get(instance.app);
    if (team === undefined) continue;
    const list = byCluster.get(instance.cluster);
    if (list) list.push({ name: instance.app, team });
    else byCluster.set(instance.cluster, [{ name: instance.app, team }]);
  }
  const appsOn = (cluster: string) => byCluster.get(cluster) ?? [];
  const gatheredOn = groupBy(
    gathered,
    ({ cluster }) => cluster,
    ({ object }) => object,
  );
  const objects = platform.clusters.flatMap((cluster) => {
    const engine = engineOf(cluster);
    // While a cluster adopts another engine, neither engine prunes (model/hub.ts).
    const environment = engineEnvironment(platform.environments.find((e) => e.name === cluster.environment)!, cluster);
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
    const platformObjects = platform.objects.map(({ object, origin }) => ({
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
    // While adopting, the old engine's root prunes nothing either: at the handover it reads the new
    // engine's objects, and must neither prune its own nor own them with prune on.
    const adopting = cluster.move?.step === "adopt";
    const input = {
      platform,
      cluster,
      environment,
      admission,
      order: model.order,
      apps: appsOn(cluster.name),
      adopting,
      gathered: gatheredOn.get(cluster.name) ?? [],
    };
    const own = engine.renderCluster(input);
    return [
      ...own,
      ...(cluster.move ? movingEngine(input, cluster.move, own) : []),
      ...platformObjects,
      ...namespaces,
      ...(policy ? renderAdmission(platform, cluster, policy, model.apps, engine.beforeApps) : []),
    ];
  });
  return { objects, documents: [renderReadme(model, instances, objects), renderCodeowners(model)] };
}

/**
 * The objects of the engine a cluster moves to, under clusters/<cluster>/<engine>/,
 * which the cluster's own kustomization does not list (model/move-schema.ts).
 * Adopting: all of them, its root watching that directory and nothing pruned,
 * beside the old engine's. At the handover the new engine's objects are the
 * cluster's own; only its root is written there too, now watching
 * clusters/<cluster>/, so the root bootstrapped at the first step follows.
 */
function movingEngine(input: ClusterInput, move: EngineMove, own: readonly RenderedObject[]): RenderedObject[] {
  const dir = `clusters/${input.cluster.name}`;
  const side = `${dir}/${move.to}`;
  if (move.step === "handover") {
    return own.filter((o) => o.path === `${dir}/root.yaml`).map((o) => ({ ...o, path: `${side}/root.yaml` }));
  }
  const objects = engineNamed(move.to).renderCluster({
    ...input,
    cluster: { ...input.cluster, engine: move.to },
    rootDir: side,
    adopting: true,
  });
  return objects.map((o) => (o.path.startsWith(`${dir}/`) ? { ...o, path: `${side}/${o.path.slice(dir.length + 1)}` } : o));
}

import { platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { groupBy } from "../../model/group.js";
import { argoName } from "../../model/hub.js";
import type { ClusterModel, PlatformModel, TeamModel } from "../../model/model.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import { ARGO_API, BEFORE_APPS, destinationServer } from "./hub.js";
import { factor, type Json } from "./template-factor.js";
import type { ArgoTeamApplicationSet } from "./types.js";

/** Where a team's ApplicationSet on a cluster is: in the directory the cluster's root applies. */
export function applicationSetPath(cluster: Pick<ClusterModel, "name">, team: string): string {
  return `clusters/${cluster.name}/appsets/${team}.yaml`;
}

/** The element field that holds an Application's patch, and the templatePatch that applies it. */
const PATCH = "patch";
export const TEMPLATE_PATCH = `{{ toJson .${PATCH} }}`;

/**
 * With `argocd.applications: "per-team"`, the Applications of a cluster's app
 * instances (rendered and checked with each instance, then gathered here) as
 * one ApplicationSet per team: every team, on every cluster its projects
 * cover, whether or not it runs an app there, so that the last app leaving
 * a cluster takes its Application along, as the root's pruning would.
 *
 * The list generator holds one element per Application, sorted by name: the
 * strings that differ between them (name, namespace, path, …) and a patch of
 * the rest (an app's sync wave, its ignoreDifferences), merged by the
 * templatePatch. Rendered by Argo CD, each element gives the Application the
 * "per-app" setting writes to clusters/<cluster>/apps/, field for field, in
 * Argo CD's namespace. So a release bump still changes only the app's
 * manifest, and adding an app changes its team's file.
 *
 * - `preserveResourcesOnDeletion: true`: the controller adds Argo CD's
 *   resources finalizer to an Application whose template has none unless it
 *   is set. The template carries the finalizer exactly where the environment
 *   prunes (argocd.ts).
 * - Prune=false: a root never deletes an ApplicationSet, whose Applications
 *   (owned by it) the API server would delete with it, finalizers and all.
 *   Going back to "per-app" is a person's step (README).
 * - ServerSideApply=true: a client-side apply copies the whole object into
 *   its last-applied-configuration annotation, and the API server refuses
 *   annotations over 256 KiB: about 1,100 of the bench's apps of a team on
 *   one cluster (1,000 take 230 KB as JSON). Applied server-side, an
 *   ApplicationSet is bounded by etcd's 1.5 MiB, which inspect's size check
 *   holds it to: about 6,500 such apps, past layout.ts's 3,000 per team.
 * - Sync wave -1, with the projects: switching a cluster from "per-app", the
 *   root applies the ApplicationSets and waits until they are healthy (their
 *   controller has taken over the existing Applications, which then carry
 *   its owner reference) before the waves in which it would prune those
 *   Applications' old files. Argo CD never prunes an object with an owner.
 */
export function teamApplicationSets(
  platform: PlatformModel,
  cluster: ClusterModel,
  gathered: readonly KubernetesObject[],
  origin: (team: TeamModel) => RenderedObject["origin"],
): RenderedObject[] {
  const namespace = platform.engineSettings.argocd.namespace;
  const byTeam = groupBy(gathered, (application) => application.metadata.labels?.["sluice.dev/team"] ?? "");
  return platform.teams.map((team) => {
    const applications = [...(byTeam.get(team.name) ?? [])].sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
    );
    const name = argoName(team.name, cluster);
    // The namespace is the ApplicationSet's own, which Argo CD gives every Application it makes.
    const shapes = applications.map(({ apiVersion: _v, kind: _k, metadata: { namespace: _n, ...metadata }, ...rest }) => ({
      metadata,
      ...rest,
    })) as unknown as Record<string, Json>[];
    const { template, params, patches } = applications.length > 0 ? factor(shapes) : { ...emptyTeam(team, cluster), patches: [] };
    const patched = patches.some((patch) => Object.keys(patch).length > 0);
    const elements = params.map((values, index) => ({ ...values, ...(patched ? { [PATCH]: patches[index]! } : {}) }));
    const { metadata, spec } = template as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const object = {
      apiVersion: ARGO_API,
      kind: "ApplicationSet",
      metadata: {
        name,
        namespace,
        labels: { ...platformLabels(name, PLATFORM_PROJECT), "sluice.dev/cluster": cluster.name, "sluice.dev/team": team.name },
        annotations: { ...BEFORE_APPS, "argocd.argoproj.io/sync-options": "Prune=false,ServerSideApply=true" },
      },
      spec: {
        goTemplate: true,
        goTemplateOptions: ["missingkey=error"],
        generators: [{ list: { elements } }],
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: { metadata, spec },
        ...(patched ? { templatePatch: TEMPLATE_PATCH } : {}),
      },
    } satisfies ArgoTeamApplicationSet;
    return { path: applicationSetPath(cluster, team.name), object, origin: origin(team), sources: [platform.origin.file] };
  });
}

/** The template of a team with no app on the cluster: it makes nothing, and says whose it is. */
function emptyTeam(team: TeamModel, cluster: ClusterModel): { template: Record<string, Json>; params: Record<string, string>[] } {
  return {
    template: {
      metadata: { name: "{{ .name }}" },
      spec: { project: team.name, destination: { server: destinationServer(cluster), namespace: "{{ .namespace }}" } },
    },
    params: [],
  };
}

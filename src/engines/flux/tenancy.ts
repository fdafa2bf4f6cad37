import { appDir } from "../../model/layout.js";
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from "kubernetes-types/rbac/v1";
import type { ServiceAccount } from "kubernetes-types/core/v1";
import { platformLabels } from "../../k8s/labels.js";
import { pluralOf, type CustomResources } from "../../k8s/kinds.js";
import { groupKind, type KubernetesObject } from "../../k8s/object.js";
import type { ClusterModel, EnvironmentModel, PlatformModel, TeamModel } from "../../model/model.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import { envRepoSource, onlyPaths, repoPath } from "./source.js";
import { teamAccessObjects } from "./team-access.js";

/** Where a team's Kustomizations, account and env repo source live: its first namespace. */
export function homeNamespace(team: Pick<TeamModel, "namespaces">): string {
  return team.namespaces[0]!;
}

/** The account Flux impersonates to apply a team's apps. */
export function tenantAccount(team: Pick<TeamModel, "name">): string {
  return `flux-${team.name}`;
}

/**
 * Each team as a Flux tenant (clusters/<cluster>/tenants/<team>.yaml): a
 * ServiceAccount in its home namespace, which the team's Kustomizations name
 * as serviceAccountName, bound to the built-in `admin` ClusterRole by a
 * RoleBinding in each of the team's namespaces — a RoleBinding grants only
 * inside its own namespace, so Flux applying as the team cannot write
 * anywhere else. The cluster-scoped kinds the platform granted the team
 * (teams.<team>.clusterResources) get a ClusterRole of their own, for those
 * kinds only. And the env repo as a GitRepository in the home namespace: with
 * --no-cross-namespace-refs a Kustomization may only use a source in its own
 * namespace. That source keeps only the directories of the team's apps on
 * the cluster (`ignore`), so each Kustomization downloads its team's part of
 * the env repo, not the whole repo.
 */
export function renderTenants(
  platform: PlatformModel,
  cluster: ClusterModel,
  environment: EnvironmentModel,
  apps: readonly { readonly name: string; readonly team: string }[],
): RenderedObject[] {
  const rendered: RenderedObject[] = [];
  for (const team of platform.teams) {
    const account = tenantAccount(team);
    const home = homeNamespace(team);
    const labels = { ...platformLabels(account, PLATFORM_PROJECT), "sluice.dev/team": team.name };
    const objects: KubernetesObject[] = [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace: home, labels } } satisfies ServiceAccount,
      ...team.namespaces.map(
        (namespace) =>
          ({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: account, namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
            subjects: [{ kind: "ServiceAccount", name: account, namespace: home }],
          }) satisfies RoleBinding,
      ),
      envRepoSource(platform, home, environment.revision, labels, {
        ignore: onlyPaths(
          apps.filter((app) => app.team === team.name).map((app) => repoPath(platform, appDir(platform, app, cluster.name))),
        ),
      }),
      // The team's SSO groups: view, reconcile, logs (team-access.ts).
      ...teamAccessObjects(team, environment.production, platform.access, home),
    ];
    if (team.clusterResources.length > 0) {
      const granted = grantedRules(team.clusterResources, platform.customResources);
      objects.push(
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: account, labels },
          rules: granted,
        } satisfies ClusterRole,
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: account, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: account },
          subjects: [{ kind: "ServiceAccount", name: account, namespace: home }],
        } satisfies ClusterRoleBinding,
      );
    }
    for (const object of objects)
      rendered.push({
        path: `clusters/${cluster.name}/tenants/${team.name}.yaml`,
        object,
        origin: team.origin,
        sources: [platform.origin.file],
      });
  }
  return rendered;
}

/** "scheduling.k8s.io/PriorityClass" → a rule on that group's priorityclasses, every verb (validate-platform refuses the kinds where that would give the team the cluster). */
function grantedRules(kinds: readonly string[], customResources: CustomResources) {
  const byGroup = new Map<string, Set<string>>();
  for (const written of kinds) {
    const { group, kind } = groupKind(written);
    const plural = pluralOf(group, kind, customResources);
    // validate-platform refuses a grant whose plural nobody declares.
    if (plural === undefined) throw new Error(`no plural for ${written}: validate-platform should have refused it`);
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(plural));
  }
  return [...byGroup]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: ["*"] }));
}

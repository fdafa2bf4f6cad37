import type { Role, RoleBinding, Subject } from "kubernetes-types/rbac/v1";
import { platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { TeamAccess } from "../../model/access-schema.js";
import type { PlatformModel, TeamModel } from "../../model/model.js";
import type { Prerequisite } from "../../model/prerequisite.js";
import { PLATFORM_PROJECT } from "../../model/names.js";

const RBAC_API = "rbac.authorization.k8s.io/v1";
/** Bound to Kubernetes' built-in `view` ClusterRole: the namespace's objects but its Secrets, pods' logs included. */
export const TEAM_VIEW = "sluice-team-view";
/** The team's own Role: its Flux objects, and what it may do to them and its pods. */
export const TEAM_ACCESS = "sluice-team-access";

/**
 * A team's SSO groups on a Flux cluster, as Kubernetes RBAC: what a UI that
 * acts as its user honours (the Flux Operator's web UI impersonates the
 * user's name and groups claim; so does `kubectl` with the cluster's OIDC).
 * In each of the team's namespaces:
 *
 * - `sluice-team-view`: the built-in `view` ClusterRole — the namespace's
 *   objects and the pods' logs, never a Secret;
 * - `sluice-team-access`: the team's Kustomizations and env repo source (and
 *   the Flux Operator's ResourceSets, which its UI lists namespaces by) to
 *   read and to reconcile with the UI's `reconcile` verb; outside production
 *   (as the platform's `access` says) deleting a pod too.
 *
 * Not `patch` on Kustomizations, which `flux reconcile` from a laptop needs:
 * RBAC cannot narrow it to the `reconcile.fluxcd.io/requestedAt` annotation,
 * and a field the team patched in that the root does not set (`spec.patches`)
 * would outlive the root's server-side apply, beside review. The UI's
 * FineGrained mode patches with its own account once it has checked the
 * user's `reconcile` verb. Not `suspend` or `resume` either: whether an
 * environment syncs is the platform's (`sync.automated`).
 */
export function teamAccessObjects(
  team: Pick<TeamModel, "name" | "namespaces" | "groups">,
  production: boolean,
  access: TeamAccess,
  home: string,
): KubernetesObject[] {
  if (team.groups.length === 0) return [];
  const rights = production ? access.production : access.nonProduction;
  const labels = { ...platformLabels(TEAM_ACCESS, PLATFORM_PROJECT), "sluice.dev/team": team.name };
  const subjects: Subject[] = team.groups.map((group) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }));
  return team.namespaces.flatMap((namespace): KubernetesObject[] => {
    const flux = namespace === home;
    const rules: NonNullable<Role["rules"]> = [
      ...(flux
        ? [
            { apiGroups: ["kustomize.toolkit.fluxcd.io"], resources: ["kustomizations"], verbs: ["get", "list", "watch", "reconcile"] },
            { apiGroups: ["source.toolkit.fluxcd.io"], resources: ["gitrepositories"], verbs: ["get", "list", "watch", "reconcile"] },
          ]
        : []),
      { apiGroups: ["fluxcd.controlplane.io"], resources: ["resourcesets"], verbs: ["get", "list", "watch"] },
      ...(rights.delete ? [{ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }] : []),
    ];
    return [
      {
        apiVersion: RBAC_API,
        kind: "RoleBinding",
        metadata: { name: TEAM_VIEW, namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects,
      } satisfies RoleBinding,
      { apiVersion: RBAC_API, kind: "Role", metadata: { name: TEAM_ACCESS, namespace, labels }, rules } satisfies Role,
      {
        apiVersion: RBAC_API,
        kind: "RoleBinding",
        metadata: { name: TEAM_ACCESS, namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TEAM_ACCESS },
        subjects,
      } satisfies RoleBinding,
    ];
  });
}

/** What the teams' RoleBindings rely on: an identity that carries the same groups to the API server. */
export function teamAccessPrerequisites(platform: Pick<PlatformModel, "teams" | "engineSettings">): Prerequisite[] {
  if (!platform.teams.some((team) => team.groups.length > 0)) return [];
  return [
    {
      what: "setting",
      name: "the Flux Operator web UI with SSO (`web.config.authentication.type: OAuth2`, the `groups` claim impersonated as it is) and `userActions.access: FineGrained`; or the API server's OIDC with `--oidc-groups-claim=groups` and no `--oidc-groups-prefix`",
      namespace: platform.engineSettings.flux.namespace,
      why: "the teams' RoleBindings (tenants/<team>.yaml) name their SSO groups as Kubernetes groups; a prefixed or missing claim matches none. FineGrained lets the UI reconcile with its own account once it has checked the user's `reconcile` verb: teams are not given `patch`",
    },
  ];
}

import type { TeamAccess } from "../../model/access-schema.js";
import type { PlatformModel, TeamModel } from "../../model/model.js";
import type { Prerequisite } from "../../model/prerequisite.js";
import type { ArgoProjectRole } from "./types.js";

/** The role's name in the team's AppProject: its subject in Argo CD's RBAC is `proj:<team>:team`. */
export const TEAM_ROLE = "team";

/**
 * Part of a project's Applications, by name, on one or more clusters: "*"
 * where the project covers one cluster's Applications (each cluster runs its
 * own Argo CD), "*-prod-us-2" where a hub's project covers several clusters
 * whose Applications are named `<app>-<cluster>`.
 */
export interface RoleScope {
  /** A glob over the Applications' names, as Argo CD's RBAC matches them. */
  readonly objects: string;
  /** Whether the clusters are in a production environment: the platform's `access.production` applies. */
  readonly production: boolean;
}

/**
 * The AppProject role of a team's SSO groups, or none when the team names no
 * groups. In every scope the groups may view the team's Applications, sync
 * them (a sync also rolls back and stops an operation) and read their pods'
 * logs (Argo CD 3 asks for `logs, get` separately). Deleting the live objects
 * of an app (`delete/<group>/<kind>/<namespace>/<name>`: a stuck Pod, a
 * failed Job) and an override sync (another revision, local manifests)
 * follow the platform's `access` for the scope's class of environment. The
 * Application itself is never deletable here: it is git's, and deleting it
 * takes its workload along where it prunes.
 *
 * Where a right is withheld the role denies it outright: a deny wins in Argo
 * CD's RBAC for the same subject, so a broader grant to the same group in
 * `argocd-rbac-cm` does not bring it back. `policy.default` is checked apart
 * and is not bound by it (see the README's prerequisites).
 */
export function teamRole(team: Pick<TeamModel, "name" | "groups">, scopes: readonly RoleScope[], access: TeamAccess): ArgoProjectRole[] {
  if (team.groups.length === 0 || scopes.length === 0) return [];
  const subject = `proj:${team.name}:${TEAM_ROLE}`;
  const line = (resource: string, action: string, objects: string, effect: "allow" | "deny") =>
    `p, ${subject}, ${resource}, ${action}, ${team.name}/${objects}, ${effect}`;
  const policies = new Set<string>();
  for (const { objects, production } of [...scopes].sort((a, b) => (a.objects < b.objects ? -1 : a.objects > b.objects ? 1 : 0))) {
    const rights = production ? access.production : access.nonProduction;
    policies.add(line("applications", "get", objects, "allow"));
    policies.add(line("applications", "sync", objects, "allow"));
    policies.add(line("logs", "get", objects, "allow"));
    // Four parts after "delete/": Argo CD's globs do not stop at "/" (its RBAC documentation's advice).
    policies.add(line("applications", "delete/*/*/*/*", objects, rights.delete ? "allow" : "deny"));
    policies.add(line("applications", "override", objects, rights.override ? "allow" : "deny"));
  }
  const classes = [
    ...(scopes.some((scope) => scope.production) ? [`in production ${rightsText(access.production)}`] : []),
    ...(scopes.some((scope) => !scope.production) ? [`outside production ${rightsText(access.nonProduction)}`] : []),
  ];
  const described = `view, sync and logs; ${classes.join("; ")}`;
  return [
    {
      name: TEAM_ROLE,
      description: `The ${team.name} team's SSO groups on its Applications: ${described}.`,
      groups: [...team.groups],
      policies: [...policies],
    },
  ];
}

function rightsText(rights: TeamAccess["production"]): string {
  return `${rights.delete ? "delete of live objects" : "no delete"}, ${rights.override ? "override sync" : "no override"}`;
}

/**
 * What the roles rely on in Argo CD's own configuration, when a team names
 * SSO groups: Argo CD gives a project role to a user by the groups claim of
 * its SSO login, and grants `policy.default` to every logged-in user before
 * any project role is consulted, so a default role that reads applications
 * shows every team every app.
 */
export function teamRolePrerequisites(platform: Pick<PlatformModel, "teams" | "engineSettings">): Prerequisite[] {
  if (!platform.teams.some((team) => team.groups.length > 0)) return [];
  const namespace = platform.engineSettings.argocd.namespace;
  return [
    {
      what: "setting",
      name: "SSO (`oidc.config` or `dex.config` in ConfigMap `argocd-cm`) whose tokens carry the teams' groups in the `groups` claim",
      namespace,
      why: "the teams' project roles (`roles` in projects/<team>.yaml) name SSO groups; without the claim no one gets a role",
    },
    {
      what: "setting",
      name: "`policy.default: \"\"` and `scopes: '[groups]'` in ConfigMap `argocd-rbac-cm`",
      namespace,
      why: "Argo CD grants `policy.default` to every logged-in user before the project roles, and a deny there cannot take it back: `role:readonly` would show every team every app; `scopes` names the claim the roles' groups are read from",
    },
  ];
}

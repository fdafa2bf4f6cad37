/**
 * Cluster-scoped kinds the platform can never grant a team
 * (`teams.<team>.clusterResources`). A grant lets the team's Argo CD project
 * apply every object of the kind with Argo CD's own rights, and gives the
 * team's Flux account every verb on every object of it: for these kinds that
 * is the whole cluster. A grant restricted by name would still let the team
 * edit the objects it owns into anything (a ClusterRole of its own rewritten
 * to `*` on `*`), so they are refused, not narrowed. What the platform needs
 * of them it ships in its own `objects`.
 */
const UNGRANTABLE_GROUPS: Readonly<Record<string, string>> = {
  "rbac.authorization.k8s.io":
    "grants rights: with it the team could give itself any right, e.g. rewrite its own ClusterRole to every verb on every resource, or bind cluster-admin",
  "admissionregistration.k8s.io":
    "decides what the API server admits: with it the team could switch off the platform's admission policies, or read and change every object created through a webhook of its own",
  "apiregistration.k8s.io": "routes a whole API group to a service: with it the team could serve, or intercept, any API",
  "apiextensions.k8s.io":
    "defines the custom resources: with it the team could delete every object of a kind on the cluster, or change its schema",
  "external-secrets.io":
    "serves secrets to every namespace: with a ClusterSecretStore or ClusterExternalSecret the team could read, or copy into any namespace, every key of the store",
  "kyverno.io": "is Kyverno's admission and mutation policy: with it the team could switch off or rewrite the platform's policies",
  "policies.kyverno.io": "is Kyverno's admission policy: with it the team could switch off the platform's policies",
};

const UNGRANTABLE_CORE: Readonly<Record<string, string>> = {
  Namespace:
    "holds every other team's objects: with every verb on Namespaces the team could delete any namespace, kube-system's included, or relabel one out of its Pod Security level",
  Node: "runs every team's pods: with it the team could relabel or taint nodes to draw other teams' pods onto its own, or delete them",
  PersistentVolume:
    "can be a host path or another team's volume: with it the team could mount the node's disk, which Pod Security does not see through a claim",
};

/** Why a grant of this kind would give the team the cluster, or undefined for a kind the platform may grant. */
export function ungrantableReason(group: string, kind: string): string | undefined {
  if (group === "") return Object.hasOwn(UNGRANTABLE_CORE, kind) ? UNGRANTABLE_CORE[kind] : undefined;
  return Object.hasOwn(UNGRANTABLE_GROUPS, group) ? UNGRANTABLE_GROUPS[group] : undefined;
}

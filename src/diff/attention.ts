import { ENGINE_LIST } from "../engines/index.js";
import type { KubernetesObject } from "../k8s/object.js";
import { KNOWN_WORKLOADS, at, workloadOf, type Workload, type WorkloadTable } from "../k8s/workloads.js";
import type { ObjectChange } from "./changes.js";
import { showValue } from "./fields.js";

/** Where a cluster sits in the rollout, as the diff reports it. */
export interface ClusterInfo {
  readonly name: string;
  /** Undefined for a cluster that is gone from the platform. */
  readonly wave?: string;
  readonly environment?: string;
  readonly production: boolean;
  /** Whether Argo CD deletes what leaves the env repo there. */
  readonly prune: boolean;
}

export type AttentionKind =
  | "deletions"
  | "orphaned"
  | "release"
  | "scale"
  | "resources"
  | "schedule"
  | "exposure"
  | "immutable"
  | "volumes"
  | "access"
  | "secrets"
  | "gitops"
  | "engine-move"
  | "progressive";

/** One thing a reviewer of a production change should not miss. */
export interface Attention {
  readonly kind: AttentionKind;
  readonly cluster: string;
  readonly production: boolean;
  readonly message: string;
}

const ACCESS = new Set([
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ServiceAccount",
  "AppProject",
  "Namespace",
  "NetworkPolicy",
]);
const SECRETS = new Set(["Secret", "ExternalSecret", "SealedSecret", "SecretStore", "ClusterSecretStore"]);
/**
 * Fields the API server refuses to update on an existing object (apps/v1
 * StatefulSet validation allows only replicas, template, updateStrategy,
 * minReadySeconds, ordinals and the claim retention policy to change; a Job's
 * selector and pod template are fixed once it exists).
 */
const IMMUTABLE: ReadonlyMap<string, readonly string[]> = new Map([
  ["StatefulSet", ["spec.volumeClaimTemplates", "spec.podManagementPolicy", "spec.serviceName", "spec.selector"]],
  ["Job", ["spec.template", "spec.selector"]],
  ["Deployment", ["spec.selector"]],
]);
const GITOPS = new Set(ENGINE_LIST.flatMap((engine) => engine.deliveryKinds));

/**
 * What deserves a reviewer's eye, per cluster: deletions with their count
 * (the prune blast radius), deletions where prune is off (the objects stay
 * running, orphaned), releases, scaling and resources, access (RBAC,
 * projects, namespaces, network policies), secret references, data volumes
 * removed or re-pointed, and the GitOps objects themselves.
 */
export function attention(
  changes: readonly ObjectChange[],
  clusters: ReadonlyMap<string, ClusterInfo>,
  workloads: WorkloadTable = KNOWN_WORKLOADS,
): Attention[] {
  const notes: Attention[] = [];
  const byCluster = new Map<string, ObjectChange[]>();
  for (const change of changes) byCluster.set(change.cluster, [...(byCluster.get(change.cluster) ?? []), change]);
  for (const [cluster, list] of byCluster) {
    const info = clusters.get(cluster) ?? { name: cluster, production: false, prune: true };
    const note = (kind: AttentionKind, message: string) => notes.push({ kind, cluster, production: info.production, message });
    const removed = list.filter((c) => c.change === "removed");
    if (removed.length > 0) {
      const what = countKinds(removed);
      if (info.prune) note("deletions", `deletes ${removed.length} object${removed.length === 1 ? "" : "s"} on ${cluster}: ${what}`);
      else {
        note(
          "orphaned",
          `${removed.length} object${removed.length === 1 ? "" : "s"} leave${removed.length === 1 ? "s" : ""} the env repo on ${cluster}, where prune is off: ${what} will keep running, orphaned, until someone deletes ${removed.length === 1 ? "it" : "them"}`,
        );
      }
    }
    for (const message of progressiveNotes(list)) note("progressive", `${message} on ${cluster}`);
    for (const change of list) {
      const label = `${change.kind} ${change.namespace ? `${change.namespace}/` : ""}${change.name}`;
      const workload = workloadOf(change, workloads);
      if (workload) {
        for (const release of releases(change, workload)) note("release", `${release} on ${cluster}`);
        const replicas = workload.replicas?.join(".");
        const resources = new RegExp(`^${escaped(workload.podSpec.join("."))}\\.(containers|initContainers)\\[[^\\]]+\\]\\.resources`);
        const scale = change.fields.filter((f) => f.path === replicas || resources.test(f.path));
        for (const field of scale)
          note(
            field.path === replicas ? "scale" : "resources",
            `${label}: ${field.path} ${showValue(field.old)} → ${showValue(field.new)} on ${cluster}`,
          );
        if (change.change === "changed")
          for (const moved of volumeChanges(change, workload)) note("volumes", `${label}: ${moved} on ${cluster}`);
        if (change.change === "changed" && change.fields.some((f) => /(secretKeyRef|secretRef|\.secret\b|\.secret\.)/.test(f.path))) {
          note("secrets", `${label} reads other secrets on ${cluster}`);
        }
      }
      if (change.kind === "HorizontalPodAutoscaler") {
        if (change.change !== "changed")
          note("scale", `${label} ${change.change === "added" ? "starts" : "stops"} autoscaling on ${cluster}`);
        for (const field of change.fields.filter((f) => /^spec\.(minReplicas|maxReplicas|metrics)/.test(f.path))) {
          note("scale", `${label}: ${field.path} ${showValue(field.old)} → ${showValue(field.new)} on ${cluster}`);
        }
      }
      if (change.kind === "CronJob" && change.change === "changed") {
        for (const field of change.fields.filter((f) => /^spec\.(schedule|timeZone|suspend|concurrencyPolicy)$/.test(f.path))) {
          note("schedule", `${label}: ${field.path} ${showValue(field.old)} → ${showValue(field.new)} on ${cluster}`);
        }
      }
      for (const message of exposureNotes(change, label)) note("exposure", `${message} on ${cluster}`);
      if (change.change === "changed") {
        const frozen = IMMUTABLE.get(change.kind);
        const fields = frozen
          ? change.fields.filter((f) =>
              frozen.some((prefix) => f.path === prefix || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[`)),
            )
          : [];
        if (fields.length > 0) {
          const paths = [...new Set(fields.map((f) => f.path.replace(/^(spec\.[A-Za-z]+).*$/, "$1")))].join(", ");
          note(
            "immutable",
            `${label}: ${paths} cannot change on an existing ${change.kind}; the API server refuses the sync on ${cluster} until the object is deleted (for a StatefulSet, \`kubectl delete --cascade=orphan\` keeps its pods and volumes)`,
          );
        }
      }
      if (ACCESS.has(change.kind)) note("access", `${label} ${change.change} on ${cluster}`);
      if (SECRETS.has(change.kind)) note("secrets", `${label} ${change.change} on ${cluster}${secretDetail(change)}`);
      if (GITOPS.has(change.kind)) note("gitops", `${label} ${change.change} on ${cluster}${gitopsDetail(change)}`);
    }
  }
  return notes;
}

/** The kinds that say how a release moves inside a cluster, and what judges it. */
const PLAN_KINDS: ReadonlyMap<string, { readonly group: string; readonly fields: RegExp }> = new Map([
  ["Rollout", { group: "argoproj.io/", fields: /^spec\.strategy/ }],
  ["Canary", { group: "flagger.app/", fields: /^spec\.(analysis|provider|service)/ }],
  ["AnalysisTemplate", { group: "argoproj.io/", fields: /^spec/ }],
  ["MetricTemplate", { group: "flagger.app/", fields: /^spec/ }],
]);

/**
 * What changes in how releases move on a cluster: a strategy's steps, an
 * analysis's query or threshold, a plan that starts or stops, and a
 * workload that turns from a Deployment into a Rollout or back, which
 * starts a second set of pods before the first goes.
 */
function progressiveNotes(changes: readonly ObjectChange[]): string[] {
  const notes: string[] = [];
  const key = (change: ObjectChange) => `${change.namespace ?? ""}/${change.name}`;
  const deployments = new Map(changes.filter((c) => c.kind === "Deployment" && c.apiVersion === "apps/v1").map((c) => [key(c), c]));
  for (const change of changes) {
    const plan = PLAN_KINDS.get(change.kind);
    if (!plan || !change.apiVersion.startsWith(plan.group)) continue;
    const label = `${change.kind} ${change.namespace ? `${change.namespace}/` : ""}${change.name}`;
    const deployment = deployments.get(key(change));
    const adopts = (object: KubernetesObject | undefined) => at(object, ["spec", "workloadRef"]) !== undefined;
    if (change.kind === "Rollout" && change.change === "added" && adopts(change.after)) {
      notes.push(
        `${change.name}: the Rollout adopts Deployment ${change.name} (workloadRef): Argo Rollouts scales the Deployment down as the Rollout's pods become ready; once the Rollout is Healthy, merge the plan without adoptDeployment`,
      );
      continue;
    }
    if (change.kind === "Rollout" && change.change === "changed" && adopts(change.before) && !adopts(change.after)) {
      notes.push(
        `${change.name}: the Rollout takes its pod template over from Deployment ${change.name}${deployment?.change === "removed" ? ", which leaves the env repo" : ""}; merge this only once the Rollout is Healthy, when Argo Rollouts has scaled the Deployment to zero (the same release may run through the plan once more)`,
      );
      continue;
    }
    if (change.kind === "Rollout" && deployment && deployment.change !== change.change && change.change !== "changed") {
      notes.push(
        change.change === "added"
          ? `${change.name} moves from a Deployment to an Argo Rollouts Rollout: the Rollout starts pods of its own while the Deployment's still run, and the Deployment's go only when it is pruned; with prune off both keep running (to move without either, adopt the Deployment first: adoptDeployment, see "Moving an app onto progressive delivery" in the README)`
          : `${change.name} moves from an Argo Rollouts Rollout back to a Deployment: the Deployment starts its pods beside the Rollout's until the Rollout is pruned`,
      );
      continue;
    }
    if (change.change !== "changed") {
      notes.push(
        change.kind === "Canary"
          ? change.change === "added"
            ? `${label} added: Flagger copies Deployment ${change.name} to ${change.name}-primary, takes over its Service and route, and scales the Deployment to zero`
            : `${label} removed: Flagger stops moving ${change.name}'s releases; its ${change.name}-primary pods keep serving until the Deployment is scaled back`
          : `${label} ${change.change}`,
      );
      continue;
    }
    const fields = change.fields.filter((f) => plan.fields.test(f.path));
    for (const field of fields.slice(0, 3)) notes.push(`${label}: ${field.path} ${showValue(field.old)} → ${showValue(field.new)}`);
    if (fields.length > 3) notes.push(`${label}: ${fields.length - 3} more changes to how releases move`);
  }
  return notes;
}

/**
 * What changes in what the world reaches: an HTTPRoute or Ingress that
 * starts or stops serving hosts, serves other hosts, or changes its paths,
 * backends, Gateway or TLS.
 */
function exposureNotes(change: ObjectChange, label: string): string[] {
  const route = change.kind === "HTTPRoute" && change.apiVersion.startsWith("gateway.networking.k8s.io/");
  const ingress = change.kind === "Ingress" && change.apiVersion.startsWith("networking.k8s.io/");
  // On a Gateway, Flagger makes the app's HTTPRoute from its Canary's hosts.
  const canary = change.kind === "Canary" && change.apiVersion.startsWith("flagger.app/");
  if (!route && !ingress && !canary) return [];
  const hosts = (object: KubernetesObject | undefined): string[] => {
    const spec = (object as { spec?: { hostnames?: unknown[]; rules?: { host?: unknown }[]; service?: { hosts?: unknown[] } } } | undefined)
      ?.spec;
    const found = route ? (spec?.hostnames ?? []) : canary ? (spec?.service?.hosts ?? []) : (spec?.rules ?? []).map((rule) => rule.host);
    return [...new Set(found.filter((host): host is string => typeof host === "string"))].sort();
  };
  const before = hosts(change.before);
  const after = hosts(change.after);
  const shown = (list: string[]) => (list.length > 0 ? list.join(", ") : "every host");
  if (canary && hosts(change.before).length === 0 && hosts(change.after).length === 0) return [];
  if (change.change === "added") return [`${label} starts serving ${shown(after)}`];
  if (change.change === "removed") return [`${label} stops serving ${shown(before)}`];
  const notes: string[] = [];
  const gone = before.filter((host) => !after.includes(host));
  const come = after.filter((host) => !before.includes(host));
  if (come.length > 0) notes.push(`${label} starts serving ${come.join(", ")}`);
  if (gone.length > 0) notes.push(`${label} stops serving ${gone.join(", ")}`);
  const routing = change.fields.filter(
    (f) => /^spec\.(rules|parentRefs|tls|defaultBackend|ingressClassName)/.test(f.path) && !/\.host$/.test(f.path),
  );
  for (const field of routing.slice(0, 3)) notes.push(`${label}: ${field.path} ${showValue(field.old)} → ${showValue(field.new)}`);
  if (routing.length > 3) notes.push(`${label}: ${routing.length - 3} more routing changes`);
  return notes;
}

/** "payments 1.6.3 → 1.7.0" for each container whose image changed. */
function releases(change: ObjectChange, workload: Workload): string[] {
  const images = (object: KubernetesObject | undefined) => {
    const spec = object ? (at(object, workload.podSpec) as PodSpec | undefined) : undefined;
    return new Map([...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => [c.name, c.image]));
  };
  const before = images(change.before);
  const after = images(change.after);
  const out: string[] = [];
  for (const [name, image] of after) {
    const old = before.get(name);
    if (old === undefined || old === image || image === undefined) continue;
    out.push(`${change.name}${name === change.name ? "" : ` (${name})`} ${tagOf(old)} → ${tagOf(image)}`);
  }
  return out;
}

/**
 * The pod's data volumes (an existing claim, a scratch directory) that are
 * gone or point elsewhere: what the pods wrote there is no longer what they
 * read. Files and secrets are not data: their changes show as fields.
 */
function volumeChanges(change: ObjectChange, workload: Workload): string[] {
  const volumes = (object: KubernetesObject | undefined) => {
    const spec = object ? (at(object, workload.podSpec) as PodSpec | undefined) : undefined;
    return new Map((spec?.volumes ?? []).map((volume) => [volume.name, volume]));
  };
  const source = (volume: PodVolume) =>
    volume.persistentVolumeClaim ? `claim ${volume.persistentVolumeClaim.claimName}` : volume.emptyDir ? "an emptyDir" : undefined;
  const before = volumes(change.before);
  const after = volumes(change.after);
  const out: string[] = [];
  for (const [name, volume] of before) {
    const was = source(volume);
    if (was === undefined) continue;
    const now = after.get(name);
    if (now === undefined) out.push(`volume ${name} (${was}) removed`);
    else if (source(now) !== was) out.push(`volume ${name} re-pointed: ${was} → ${source(now) ?? "another source"}`);
  }
  return out;
}

interface PodVolume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: object;
}

interface PodSpec {
  containers?: { name: string; image?: string }[];
  initContainers?: { name: string; image?: string }[];
  volumes?: PodVolume[];
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function tagOf(image: string): string {
  const digest = image.indexOf("@");
  if (digest >= 0) return image.slice(digest + 1, digest + 20);
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/") ? image.slice(colon + 1) : image;
}

function secretDetail(change: ObjectChange): string {
  const keys = change.fields.filter((f) => /remoteRef|secretStoreRef|dataFrom|encryptedData/.test(f.path)).map((f) => f.path);
  return keys.length > 0 ? ` (${keys.slice(0, 3).join(", ")}${keys.length > 3 ? ", …" : ""})` : "";
}

function gitopsDetail(change: ObjectChange): string {
  const fields = change.fields.filter((f) => /^spec\.(syncPolicy|project|destination|source)/.test(f.path));
  return fields.length > 0
    ? `: ${fields
        .slice(0, 3)
        .map((f) => `${f.path} ${showValue(f.old, 30)} → ${showValue(f.new, 30)}`)
        .join("; ")}`
    : "";
}

function countKinds(changes: readonly ObjectChange[]): string {
  const counts = new Map<string, number>();
  for (const change of changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
}

/**
 * Notes as a person reads them: the same change on several clusters is one
 * line naming them all ("… on prod-eu-1, prod-us-1"), so a platform-wide
 * change is a line per object, not per object and cluster. Production's
 * lines first; otherwise in the order the notes came. The notes themselves
 * (`--format json`) stay one per cluster.
 */
export function groupedNotes(
  notes: readonly Attention[],
): { readonly kind: AttentionKind; readonly production: boolean; readonly message: string }[] {
  const groups = new Map<string, { kind: AttentionKind; production: boolean; clusters: string[]; message: string; grouped: boolean }>();
  for (const note of notes) {
    const suffix = ` on ${note.cluster}`;
    // Only messages that end with the cluster can name several; the rest stand as they are.
    const grouped = note.message.endsWith(suffix);
    const stem = grouped ? note.message.slice(0, -suffix.length) : note.message;
    const key = `${note.kind}\0${note.production}\0${grouped}\0${stem}`;
    const group = groups.get(key);
    if (group && grouped) group.clusters.push(note.cluster);
    else if (!group) groups.set(key, { kind: note.kind, production: note.production, clusters: [note.cluster], message: stem, grouped });
  }
  return [...groups.values()]
    .map((group) => ({
      kind: group.kind,
      production: group.production,
      message: group.grouped ? `${group.message} on ${group.clusters.join(", ")}` : group.message,
    }))
    .sort((a, b) => Number(b.production) - Number(a.production));
}

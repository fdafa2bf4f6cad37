import type { PodSpec } from "kubernetes-types/core/v1";
import type { CustomResources } from "./kinds.js";
import { apiGroup, type KubernetesObject } from "./object.js";

/**
 * A kind that makes pods: where its pod spec is, where its replica count is
 * (kinds that scale), and whether it serves (runs until stopped, so the
 * probe rules apply; a Job's pods serve nobody once done).
 */
export interface Workload {
  readonly podSpec: readonly string[];
  readonly replicas?: readonly string[];
  readonly serves: boolean;
  /** Its resource name, for admission rules; absent for kinds Kubernetes or the platform already names. */
  readonly plural?: string;
  /**
   * The pod spec may be absent: an Argo Rollout may point at a Deployment
   * (`spec.workloadRef`) instead of carrying a template; the pod rules judge
   * that Deployment, not the Rollout.
   */
  readonly podSpecOptional?: boolean;
  /** Declared by the platform in `customResources`, not known to sluice. */
  readonly declared?: boolean;
}

/** "<group>/<Kind>" (a core kind without group) → what it is as a workload. */
export type WorkloadTable = Readonly<Record<string, Workload>>;

const TEMPLATE = ["spec", "template", "spec"] as const;
const REPLICAS = ["spec", "replicas"] as const;

/**
 * Every kind the API server (or a controller sluice knows) makes pods from,
 * a ReplicationController and a PodTemplate included: the pod rules must
 * see every way to get a pod. The one definition policy, admission, diff,
 * the built-in rules and the engines read.
 */
export const WORKLOADS: WorkloadTable = {
  Pod: { podSpec: ["spec"], serves: false },
  PodTemplate: { podSpec: ["template", "spec"], serves: false },
  // Long-running, but left out of the probe rules for now: adding it changes every cluster's
  // probe policies, which this refactoring step must not (noted for a change of its own).
  ReplicationController: { podSpec: TEMPLATE, replicas: REPLICAS, serves: false },
  "apps/Deployment": { podSpec: TEMPLATE, replicas: REPLICAS, serves: true },
  "apps/StatefulSet": { podSpec: TEMPLATE, replicas: REPLICAS, serves: true },
  "apps/DaemonSet": { podSpec: TEMPLATE, serves: true },
  "apps/ReplicaSet": { podSpec: TEMPLATE, replicas: REPLICAS, serves: false },
  "batch/Job": { podSpec: TEMPLATE, serves: false },
  "batch/CronJob": { podSpec: ["spec", "jobTemplate", "spec", "template", "spec"], serves: false },
};

/**
 * Kinds sluice knows as workloads that are served only where their CRD is
 * installed: they join a platform's table when its `customResources`
 * declares them (an app can add them only then).
 */
export const KNOWN_CUSTOM_WORKLOADS: WorkloadTable = {
  "argoproj.io/Rollout": { podSpec: TEMPLATE, replicas: REPLICAS, serves: true, plural: "rollouts", podSpecOptional: true },
};

/** Every workload kind sluice knows: what a rule's own test or a diff judges by, without a platform. */
export const KNOWN_WORKLOADS: WorkloadTable = { ...WORKLOADS, ...KNOWN_CUSTOM_WORKLOADS };

/** The kinds that serve, for the probe rules. */
export const SERVING_WORKLOADS: readonly string[] = Object.entries(KNOWN_WORKLOADS)
  .filter(([, workload]) => workload.serves)
  .map(([kind]) => kind);

/**
 * A platform's workloads: the built-in ones, the known custom ones it
 * declares, and the custom resources it declares with a `podSpec` path. A
 * declared kind serves if it scales (the probe rules still name their kinds
 * themselves).
 */
export function workloadTable(customResources: CustomResources): WorkloadTable {
  const table: Record<string, Workload> = { ...WORKLOADS };
  for (const [apiVersion, kinds] of Object.entries(customResources)) {
    for (const [kind, resource] of Object.entries(kinds)) {
      const id = `${apiGroup(apiVersion)}/${kind}`;
      if (resource.podSpec) {
        table[id] = {
          podSpec: pathSegments(resource.podSpec),
          ...(resource.replicas ? { replicas: pathSegments(resource.replicas) } : {}),
          serves: resource.replicas !== undefined,
          declared: true,
        };
      } else if (Object.hasOwn(KNOWN_CUSTOM_WORKLOADS, id)) table[id] = KNOWN_CUSTOM_WORKLOADS[id]!;
    }
  }
  return table;
}

/** A dotted path as written in `customResources` ("spec.template.spec"): field names, no indexes. */
export const WORKLOAD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** "spec.template.spec" → ["spec", "template", "spec"]. */
export function pathSegments(path: string): string[] {
  return path.split(".");
}

/** ["spec", "replicas"] → "/spec/replicas" (RFC 6901, as Argo CD's ignoreDifferences reads it). */
export function jsonPointer(path: readonly string[]): string {
  return path.map((segment) => `/${segment.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** "apps/Deployment" for an apps/v1 Deployment, "Service" for a v1 Service. */
export function kindId(object: Pick<KubernetesObject, "apiVersion" | "kind">): string {
  const group = apiGroup(object.apiVersion);
  return group ? `${group}/${object.kind}` : object.kind;
}

/** An object's entry in a table, or undefined when its kind makes no pods. */
export function workloadOf(
  object: Pick<KubernetesObject, "apiVersion" | "kind">,
  table: WorkloadTable = KNOWN_WORKLOADS,
): Workload | undefined {
  const id = kindId(object);
  return Object.hasOwn(table, id) ? table[id] : undefined;
}

/** The value at a path in an object, or undefined. */
export function at(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * The pod spec of a workload, where its kind keeps it (the built-in kinds and
 * an Argo Rollout; `table` adds a platform's own), or undefined for an object
 * that makes no pods or has no pod spec there.
 */
export function podSpecOf(object: KubernetesObject, table: WorkloadTable = KNOWN_WORKLOADS): PodSpec | undefined {
  const workload = workloadOf(object, table);
  const spec = workload ? at(object, workload.podSpec) : undefined;
  return spec !== null && typeof spec === "object" && !Array.isArray(spec) ? (spec as PodSpec) : undefined;
}

/**
 * `variables.pod` in admission policies: the pod spec of whichever kind the
 * request is, as CEL over `object`. One policy matches several kinds and the
 * API server type-checks each expression against each, hence `dyn()`: a
 * Deployment has no `jobTemplate`, and the branch that reads it never runs
 * for one. The commonest path is the last branch; the kinds the platform
 * declares are tested first, by group too, so a declared kind named like a
 * built-in one is told apart.
 */
export function podSpecCel(table: WorkloadTable): string {
  const common = "spec.template.spec";
  const byPath = new Map<string, string[]>();
  const declared: [string, string][] = [];
  for (const [id, workload] of Object.entries(table)) {
    const path = workload.podSpec.join(".");
    if (workload.declared) declared.push([id, path]);
    else if (path !== common) byPath.set(path, [...(byPath.get(path) ?? []), id]);
  }
  const branches: [string, string][] = declared
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, path]) => {
      const slash = id.lastIndexOf("/");
      return [`object.apiVersion.startsWith('${id.slice(0, slash)}/') && object.kind == '${id.slice(slash + 1)}'`, path];
    });
  for (const [path, ids] of [...byPath].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const kinds = ids.map((id) => `object.kind == '${id.slice(id.lastIndexOf("/") + 1)}'`);
    branches.push([kinds.join(" || "), path]);
  }
  let cel = `dyn(object).${common}`;
  for (const [condition, path] of branches.reverse()) cel = `(${condition} ? dyn(object).${path} : ${cel})`;
  return cel.startsWith("(") ? cel.slice(1, -1) : cel;
}

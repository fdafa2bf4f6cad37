import { apiGroup, type KubernetesObject } from "../k8s/object.js";

/**
 * The kinds that carry a pod spec, by "<group>/<Kind>", and where it is:
 * every kind the API server makes pods from (a ReplicationController and a
 * PodTemplate too — the pod rules must see every way to get a pod).
 */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  PodTemplate: ["template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  "apps/Deployment": ["spec", "template", "spec"],
  "apps/StatefulSet": ["spec", "template", "spec"],
  "apps/DaemonSet": ["spec", "template", "spec"],
  "apps/ReplicaSet": ["spec", "template", "spec"],
  "batch/Job": ["spec", "template", "spec"],
  "batch/CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/**
 * The same, as CEL over `object`: what admission policies bind as
 * `variables.pod`. `dyn()` because one policy matches several kinds and the
 * API server type-checks each expression against each: a Deployment has no
 * `jobTemplate`, and the branch that reads it never runs for one.
 */
export const POD_SPEC_CEL =
  "object.kind == 'Pod' ? dyn(object).spec : (object.kind == 'CronJob' ? dyn(object).spec.jobTemplate.spec.template.spec : (object.kind == 'PodTemplate' ? dyn(object).template.spec : dyn(object).spec.template.spec))";

/** Every container of `variables.pod`, init containers included. */
export const CONTAINERS_CEL = "variables.pod.containers + (has(variables.pod.initContainers) ? variables.pod.initContainers : [])";

/**
 * The same for a rule that also matches Pods: for a `kubectl debug` request
 * (an UPDATE of the Pod's ephemeralcontainers subresource, whose object is
 * the whole Pod), only its ephemeral containers — the rest of the Pod was
 * judged when it was created.
 */
export const POD_CONTAINERS_CEL = `has(request.subResource) && request.subResource == 'ephemeralcontainers' ? (has(variables.pod.ephemeralContainers) ? variables.pod.ephemeralContainers : []) : ${CONTAINERS_CEL}`;

/** "apps/Deployment" for an apps/v1 Deployment, "Service" for a v1 Service. */
export function kindId(object: Pick<KubernetesObject, "apiVersion" | "kind">): string {
  const group = apiGroup(object.apiVersion);
  return group ? `${group}/${object.kind}` : object.kind;
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

/** ".spec.template.spec.containers" → ["spec", "template", "spec", "containers"]. */
export function fieldSegments(field: string | undefined): (string | number)[] {
  if (!field) return [];
  const segments: (string | number)[] = [];
  for (const match of field.matchAll(/\.([^.[\]]+)|\[([0-9]+)\]|\[['"]([^'"]+)['"]\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(match[3]);
  }
  return segments;
}

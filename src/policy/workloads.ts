import { WORKLOADS, podSpecCel } from "../k8s/workloads.js";

export { at, kindId } from "../k8s/workloads.js";

/**
 * The pod spec paths of the built-in workloads, by "<group>/<Kind>" (see
 * k8s/workloads.ts, the one table): a platform's own are in its Policy.
 */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(WORKLOADS).map(([kind, workload]) => [kind, workload.podSpec]),
);

/** `variables.pod` for the built-in workloads (a platform's own: podSpecCel of its table). */
export const POD_SPEC_CEL = podSpecCel(WORKLOADS);

/** Every container of `variables.pod`, init containers included. */
export const CONTAINERS_CEL = "variables.pod.containers + (has(variables.pod.initContainers) ? variables.pod.initContainers : [])";

/**
 * The same for a rule that also matches Pods: for a `kubectl debug` request
 * (an UPDATE of the Pod's ephemeralcontainers subresource, whose object is
 * the whole Pod), only its ephemeral containers — the rest of the Pod was
 * judged when it was created.
 */
export const POD_CONTAINERS_CEL = `has(request.subResource) && request.subResource == 'ephemeralcontainers' ? (has(variables.pod.ephemeralContainers) ? variables.pod.ephemeralContainers : []) : ${CONTAINERS_CEL}`;

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

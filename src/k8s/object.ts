import type { ObjectMeta } from "kubernetes-types/meta/v1";

/**
 * Any Kubernetes object. Raw objects in a stack are written against this, or
 * against a precise kubernetes-types interface with `satisfies`, e.g.
 * `{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", ... } satisfies Ingress`.
 */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** The API group of an apiVersion: "apps/v1" → "apps", "v1" → "". */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** "rbac.authorization.k8s.io/ClusterRole" → its group and kind; "Service" → the core group (""). */
export function groupKind(written: string): { readonly group: string; readonly kind: string } {
  const slash = written.lastIndexOf("/");
  return slash === -1 ? { group: "", kind: written } : { group: written.slice(0, slash), kind: written.slice(slash + 1) };
}

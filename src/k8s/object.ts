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

/**
 * Kinds that are not namespaced. A raw object of one of these kinds gets no
 * namespace; every other kind is put in the app's namespace when it names none.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/** The API group of an apiVersion: "apps/v1" → "apps", "v1" → "". */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** A kind's resource name, as the API server derives it for most kinds: lower case, plural ("Ingress" → "ingresses"). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** "rbac.authorization.k8s.io/ClusterRole" → its group and kind; "Service" → the core group (""). */
export function groupKind(written: string): { readonly group: string; readonly kind: string } {
  const slash = written.lastIndexOf("/");
  return slash === -1 ? { group: "", kind: written } : { group: written.slice(0, slash), kind: written.slice(slash + 1) };
}

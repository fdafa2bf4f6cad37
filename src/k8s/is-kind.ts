import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler as HorizontalPodAutoscalerV1 } from "kubernetes-types/autoscaling/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { CronJob, Job } from "kubernetes-types/batch/v1";
import type {
  ConfigMap,
  Namespace,
  Pod,
  PodTemplate,
  ReplicationController,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-types/core/v1";
import type { Ingress, NetworkPolicy } from "kubernetes-types/networking/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-types/rbac/v1";
import type { KubernetesObject } from "./object.js";

/** apiVersion → kind → its kubernetes-types interface: the kinds rules read most. */
export interface KnownKinds {
  v1: {
    ConfigMap: ConfigMap;
    Namespace: Namespace;
    Pod: Pod;
    PodTemplate: PodTemplate;
    ReplicationController: ReplicationController;
    Secret: Secret;
    Service: Service;
    ServiceAccount: ServiceAccount;
  };
  "apps/v1": { DaemonSet: DaemonSet; Deployment: Deployment; ReplicaSet: ReplicaSet; StatefulSet: StatefulSet };
  "batch/v1": { CronJob: CronJob; Job: Job };
  "autoscaling/v1": { HorizontalPodAutoscaler: HorizontalPodAutoscalerV1 };
  "autoscaling/v2": { HorizontalPodAutoscaler: HorizontalPodAutoscaler };
  "policy/v1": { PodDisruptionBudget: PodDisruptionBudget };
  "networking.k8s.io/v1": { Ingress: Ingress; NetworkPolicy: NetworkPolicy };
  "rbac.authorization.k8s.io/v1": {
    ClusterRole: ClusterRole;
    ClusterRoleBinding: ClusterRoleBinding;
    Role: Role;
    RoleBinding: RoleBinding;
  };
}

/**
 * The object `isKind` narrows to: its kubernetes-types interface for a kind
 * of KnownKinds, else (an Argo Rollout, a platform's custom resource) any
 * object of that apiVersion and kind.
 */
export type ObjectOfKind<V extends string, K extends string> = KubernetesObject &
  (V extends keyof KnownKinds ? (K extends keyof KnownKinds[V] ? KnownKinds[V][K] : unknown) : unknown) & { apiVersion: V; kind: K };

/**
 * Whether an object is of one apiVersion and kind, narrowing it to that
 * kind's type, so a rule reads `spec.template.spec` through the type rather
 * than an inline shape where a wrong path silently reads `undefined`:
 *
 *     if (isKind(object, "apps/v1", "Deployment")) object.spec?.replicas;
 *
 * The apiVersion must match exactly: versions of a group differ in shape
 * (an autoscaling/v1 HorizontalPodAutoscaler has no `metrics`).
 */
export function isKind<const V extends string, const K extends string>(
  object: KubernetesObject,
  apiVersion: V,
  kind: K,
): object is ObjectOfKind<V, K> {
  return object.apiVersion === apiVersion && object.kind === kind;
}

/**
 * `sluice/k8s`: the Kubernetes object types stacks write raw objects with
 * (`satisfies NetworkPolicy`), from kubernetes-types, so that a project
 * needs nothing besides sluice. Types only; importing this loads nothing.
 */
export type {
  ConfigMap,
  LimitRange,
  Namespace,
  PersistentVolumeClaim,
  Pod,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-types/core/v1";
export type { DaemonSet, Deployment, StatefulSet } from "kubernetes-types/apps/v1";
export type { CronJob, Job } from "kubernetes-types/batch/v1";
export type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
export type { Ingress, NetworkPolicy } from "kubernetes-types/networking/v1";
export type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
export type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-types/rbac/v1";
export type { ObjectMeta } from "kubernetes-types/meta/v1";
export type { HTTPRoute } from "./gateway-api.js";

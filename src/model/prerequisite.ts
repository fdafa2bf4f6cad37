import type { AppModel, ClusterModel, Model, PlatformModel } from "./model.js";
import type { RenderedObject } from "./rendered.js";

/** One thing a cluster must have for the env repo to work there, and what breaks without it. */
export interface Prerequisite {
  readonly what:
    | "Kubernetes"
    | "controller"
    | "CRDs"
    | "store"
    | "Secret"
    | "ServiceAccount"
    | "StorageClass"
    | "PersistentVolumeClaim"
    | "PriorityClass"
    | "Gateway"
    | "IngressClass"
    | "DNS"
    | "flag"
    | "setting";
  /** What to install or set, as the env repo's README shows it (Markdown). */
  readonly name: string;
  readonly namespace?: string;
  readonly why: string;
  /** The platform component that installs it on the cluster, if one does. */
  readonly component?: string;
}

/** What an engine reads to say what its own objects on a cluster rely on. */
export interface PrerequisiteInput {
  readonly model: Model;
  readonly platform: PlatformModel;
  readonly cluster: ClusterModel;
  /** The fleet's objects of this cluster (clusters/<cluster>/, components/<name>/<cluster>/). */
  readonly fleetObjects: readonly RenderedObject[];
  /** The apps on the cluster, in name order. */
  readonly apps: readonly AppModel[];
  /** Those of them that deliver a SOPS file. */
  readonly sops: readonly AppModel[];
}
